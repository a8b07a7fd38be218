/**
 * The cost model is an upper bound on what an answer holds: for operations generated from the
 * schema (from a fixed seed, so a failure replays with COST_SEED=<seed>), run as an administrator
 * over a seeded workspace, `extensions.cost.requested` is never below the number of objects in
 * the answer, counted by walking the answer with the operation's selection (every value whose
 * GraphQL type is an object or an interface). The generator favours the back-references that
 * fan out (a ticket's notes → each note's ticket → its notes …, a contact's tickets → each
 * ticket's contact …, a message's ticket …) and the lists whose length the domain bounds.
 *
 * It also reproduces the finding that led to the rule: a ticket's notes were one object to the
 * cost model, so nesting them through their ticket returned 160,000 objects for a cost of 8.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from "graphql";
import { operationCost } from "../../src/http/limits/cost";
import { fieldDefinition } from "../../src/http/limits/selections";
import { addMember, createTopic, newUrn, ok, openTicket, team, updateMember } from "../support/fixtures";
import { type GqlResponse, type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { Dice, prng } from "../support/prng";

const SEED = process.env.COST_SEED === "random" ? Date.now() % 2 ** 31 : Number(process.env.COST_SEED ?? 20260301);
const OPERATIONS = Number(process.env.COST_OPERATIONS ?? 600);

// ---------------------------------------------------------------------------------------------
// Counting the objects of an answer

/** The selections of a set that apply to an object of `runtime` type, by response key. */
function collectFields(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  set: SelectionSetNode,
  parent: GraphQLCompositeType,
  runtime: string | undefined,
  into: Map<string, { field: GraphQLField<unknown, unknown>; sets: SelectionSetNode[] }> = new Map(),
): Map<string, { field: GraphQLField<unknown, unknown>; sets: SelectionSetNode[] }> {
  const applies = (condition: string | undefined): GraphQLCompositeType | undefined => {
    const type = condition ? schema.getType(condition) : parent;
    if (!type || !isCompositeType(type)) return undefined;
    if (runtime === undefined || type.name === runtime) return type;
    const concrete = schema.getType(runtime);
    return isAbstractType(type) && isObjectType(concrete) && schema.isSubType(type, concrete) ? type : undefined;
  };
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const field = fieldDefinition(schema, parent, selection.name.value);
      if (!field) throw new Error(`no field ${parent.name}.${selection.name.value}`);
      const entry = into.get(key) ?? { field, sets: [] };
      if (selection.selectionSet) entry.sets.push(selection.selectionSet);
      into.set(key, entry);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = applies(selection.typeCondition?.name.value);
      if (type) collectFields(schema, fragments, selection.selectionSet, type, runtime, into);
    } else {
      const fragment = fragments.get(selection.name.value);
      const type = fragment && applies(fragment.typeCondition.name.value);
      if (fragment && type) collectFields(schema, fragments, fragment.selectionSet, type, runtime, into);
    }
  }
  return into;
}

/** The objects in an answer: every non-null value of a field whose type is an object or interface. */
function countObjects(schema: GraphQLSchema, document: DocumentNode, data: unknown): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operation = definition;
  }
  if (!operation) throw new Error("no operation");
  const root = schema.getRootType(operation.operation);
  if (!root) throw new Error("no root type");

  const ofValue = (value: unknown, type: GraphQLOutputType, sets: SelectionSetNode[]): number => {
    if (value === null || value === undefined) return 0;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      if (!Array.isArray(value)) throw new Error("a list answered with something else");
      return value.reduce((sum: number, item: unknown) => sum + ofValue(item, inner.ofType, sets), 0);
    }
    if (!isCompositeType(inner)) return 0;
    return 1 + ofObject(value, inner, sets);
  };
  const ofObject = (value: unknown, type: GraphQLCompositeType, sets: SelectionSetNode[]): number => {
    if (typeof value !== "object" || value === null) throw new Error(`${type.name} answered with something else`);
    const record = value as Record<string, unknown>;
    const typename = typeof record.__typename === "string" ? record.__typename : isObjectType(type) ? type.name : undefined;
    const fields = new Map<string, { field: GraphQLField<unknown, unknown>; sets: SelectionSetNode[] }>();
    for (const set of sets) collectFields(schema, fragments, set, type, typename, fields);
    let count = 0;
    for (const [key, { field, sets: below }] of fields) count += ofValue(record[key], field.type, below);
    return count;
  };
  return ofObject(data, root, [operation.selectionSet]);
}

// ---------------------------------------------------------------------------------------------
// Generating operations

/** Ids of the seeded workspace by type, and what else arguments need. */
interface Pools {
  ids: Record<string, string[]>;
  busyTicket: string;
  fieldKeys: string[];
}

/** The edges that fan out when followed back and forth: generated more often. */
const BACK_REFERENCES = new Set([
  "Ticket.notes",
  "Ticket.events",
  "Ticket.contact",
  "Ticket.lastMessage",
  "TicketEvent.ticket",
  "TicketEvent.message",
  "TicketConnection.nodes",
  "TicketConnection.edges",
  "TicketEdge.node",
  "TicketEventConnection.nodes",
  "TicketEventEdge.node",
  "Contact.tickets",
  "Contact.messages",
  "Contact.openTicket",
  "Contact.fields",
  "Contact.notepadHistory",
  "MessageConnection.nodes",
  "Message.ticket",
  "Message.contact",
  "FlowStart.ticket",
  "FlowStart.contact",
  "Team.topics",
  "Member.team",
  "Invitation.team",
  "ContactGroup.contacts",
  "ContactConnection.nodes",
  "BulkTicketPayload.tickets",
  "BulkTicketPayload.failures",
  "TicketFailure.conflictingTicket",
]);

const isConnection = (type: GraphQLNamedType): boolean => isObjectType(type) && type.getFields().nodes !== undefined;
const isList = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? type.ofType : type);
/** A field whose items multiply what is selected under it: a list or a connection. */
const fansOut = (field: GraphQLField<unknown, unknown>): boolean => isList(field.type) || isConnection(getNamedType(field.type));

const MAX_DEPTH = 12;
/** Lists nested along one path: real answers stay small enough to run hundreds of operations. */
const MAX_FAN_OUT = 3;

class Generator {
  constructor(
    private readonly d: Dice,
    private readonly schema: GraphQLSchema,
    private readonly pools: Pools,
  ) {}

  private anyId(): string {
    const types = Object.keys(this.pools.ids).filter((t) => this.pools.ids[t].length > 0);
    return this.d.pick(this.pools.ids[this.d.pick(types)]);
  }

  /** Arguments for a field, or undefined when it needs one this generator cannot give. */
  args(owner: string, field: GraphQLField<unknown, unknown>): string | undefined {
    const d = this.d;
    const parts: string[] = [];
    const names = new Set(field.args.map((a) => a.name));
    if (names.has("first") || names.has("last")) {
      const size = d.chance(0.5) ? d.pick([1, 2, 3, 5, 10, 25]) : d.int(1, 100);
      const roll = d.next();
      if (roll < 0.35 && names.has("first")) parts.push(`first: ${size}`);
      else if (roll < 0.6 && names.has("last")) parts.push(`last: ${size}`);
    }
    for (const arg of field.args) {
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      switch (`${owner}.${field.name}.${arg.name}`) {
        case "Query.node.id":
          parts.push(`id: ${JSON.stringify(d.chance(0.4) ? this.pools.busyTicket : this.anyId())}`);
          break;
        case "Query.nodes.ids":
          parts.push(`ids: ${JSON.stringify(Array.from({ length: d.int(1, 12) }, () => this.anyId()))}`);
          break;
        case "Contact.field.key":
          parts.push(`key: ${JSON.stringify(d.pick(this.pools.fieldKeys))}`);
          break;
        case "Contact.fields.featuredOnly":
          if (d.chance(0.3)) parts.push(`featuredOnly: ${d.chance(0.5)}`);
          break;
        case "Query.tickets.filter":
          if (d.chance(0.5)) parts.push(`filter: { status: ${d.pick(["null", "OPEN", "CLOSED"])} }`);
          break;
        case "Query.ticketEvents.filter":
          if (d.chance(0.3)) parts.push(`filter: { types: [NOTE_ADDED, OPENED] }`);
          break;
        case "Query.contacts.search":
        case "Query.shortcuts.search":
          if (d.chance(0.15)) parts.push(`search: "ust"`);
          break;
        default:
          if (required) return undefined;
      }
    }
    return parts.length > 0 ? `(${parts.join(", ")})` : "";
  }

  /** A selection set for a value of `type`, `depth` fields below the root, under `fanOut` lists. */
  selection(type: GraphQLCompositeType, depth: number, fanOut: number, alias = ""): string {
    const d = this.d;
    const parts = ["__typename"];
    if (isInterfaceType(type) || isAbstractType(type)) {
      if (isInterfaceType(type)) parts.push("id");
      const possible = this.schema.getPossibleTypes(type);
      // Each type's fields under their own aliases: fields of one name may differ in type between
      // them (Ticket! here, Ticket there), which one selection set may not mix.
      for (const concrete of d.some(possible, 1, 3)) {
        parts.push(`... on ${concrete.name} ${this.selection(concrete, depth, fanOut, `${concrete.name}_`)}`);
      }
      return `{ ${parts.join(" ")} }`;
    }
    const fields = Object.values(type.getFields());
    let composite = 0;
    for (const field of d.some(fields, fields.length, fields.length)) {
      const named = getNamedType(field.type);
      if (isLeafType(named)) {
        if (field.args.some((a) => isNonNullType(a.type))) continue;
        if (d.chance(field.name === "id" ? 0.7 : 0.3))
          parts.push(alias && field.name !== "id" ? `${alias}${field.name}: ${field.name}` : field.name);
        continue;
      }
      if (depth + 1 > MAX_DEPTH - 1 || composite >= 4 || !isCompositeType(named)) continue;
      const more = fansOut(field) ? 1 : 0;
      if (fanOut + more > MAX_FAN_OUT) continue;
      const backReference = BACK_REFERENCES.has(`${type.name}.${field.name}`);
      const p = isConnection(type) && (field.name === "nodes" || field.name === "edges") ? 0.8 : backReference ? 0.55 : 0.2;
      if (!d.chance(p * (depth <= 2 ? 1 : 0.85))) continue;
      const args = this.args(type.name, field);
      if (args === undefined) continue;
      composite += 1;
      parts.push(`${alias ? `${alias}${field.name}: ` : ""}${field.name}${args} ${this.selection(named, depth + 1, fanOut + more)}`);
    }
    return `{ ${parts.join(" ")} }`;
  }

  /** A query of one to three root fields. */
  query(): string {
    const root = this.schema.getQueryType()!;
    const fields = Object.values(root.getFields());
    const parts: string[] = [];
    for (const [i, field] of this.d.some(fields, 1, 3).entries()) {
      const args = this.args("Query", field);
      const named = getNamedType(field.type);
      if (args === undefined) continue;
      const sel = isCompositeType(named) ? ` ${this.selection(named, 1, fansOut(field) ? 1 : 0)}` : "";
      parts.push(`r${i}: ${field.name}${args}${sel}`);
    }
    return `query Generated { ${parts.length > 0 ? parts.join(" ") : "__typename"} }`;
  }

  /** A chain of back-references from a ticket, a contact or a message. */
  chain(): string {
    const d = this.d;
    const start = d.pick(["Ticket", "Ticket", "Contact", "Message"] as const);
    const id = start === "Ticket" ? (d.chance(0.6) ? this.pools.busyTicket : d.pick(this.pools.ids.Ticket)) : d.pick(this.pools.ids[start]);
    const steps: Record<string, Array<[string, string, boolean]>> = {
      // [field as written, type it leads to, fans out]
      Ticket: [
        ["notes", "TicketEvent", true],
        ["events", "TicketEventConnection", true],
        ["contact", "Contact", false],
        ["lastMessage", "Message", false],
      ],
      TicketEvent: [
        ["ticket", "Ticket", false],
        ["message", "Message", false],
      ],
      TicketEventConnection: [["nodes", "TicketEvent", false]],
      Contact: [
        ["tickets", "TicketConnection", true],
        ["messages", "MessageConnection", true],
        ["openTicket", "Ticket", false],
      ],
      TicketConnection: [["nodes", "Ticket", false]],
      MessageConnection: [["nodes", "Message", false]],
      Message: [
        ["ticket", "Ticket", false],
        ["contact", "Contact", false],
      ],
    };
    const page = (field: string) => {
      const roll = d.next();
      if (roll < 0.3) return "";
      const size = d.pick([1, 2, 5, 19, 20, 50, 100]);
      return field === "tickets" || roll < 0.65 ? `(first: ${size})` : `(last: ${size})`;
    };
    let type = start;
    let fanOut = 0;
    const open: string[] = [];
    for (let depth = 2; depth < MAX_DEPTH; depth++) {
      const options = steps[type].filter(([, , fans]) => !fans || fanOut < MAX_FAN_OUT);
      if (options.length === 0 || (depth > 4 && d.chance(0.15))) break;
      const [field, next, fans] = d.pick(options);
      const args = fans ? page(field) : "";
      const id = !next.endsWith("Connection") && d.chance(0.5) ? "id " : "";
      open.push(`${field}${args} { __typename ${id}`);
      if (fans) fanOut += 1;
      type = next as typeof start;
    }
    const body = `${open.join("")}__typename${" }".repeat(open.length)}`;
    return `query Chain { node(id: ${JSON.stringify(id)}) { __typename ... on ${start} { id ${body} } } }`;
  }

  /** A mutation whose payload lists fill up: bulk changes with failures, values with userErrors. */
  mutation(): string {
    const d = this.d;
    const tickets = JSON.stringify(d.some(this.pools.ids.Ticket, 1, this.pools.ids.Ticket.length));
    const contact = JSON.stringify(d.pick(this.pools.ids.Contact));
    const mutations: Array<[string, string]> = [
      ["assignTickets", `input: { ticketIds: ${tickets}, assigneeId: ${d.chance(0.5) ? JSON.stringify(this.pools.ids.User[0]) : "null"} }`],
      ["closeTickets", `input: { ticketIds: ${tickets} }`],
      ["reopenTickets", `input: { ticketIds: ${tickets} }`],
      ["changeTicketTopic", `input: { ticketIds: ${tickets}, topicId: ${JSON.stringify(d.pick(this.pools.ids.Topic))} }`],
      [
        "setContactFields",
        `input: { contactId: ${contact}, values: [{ key: "age", value: "${d.pick(["x", "42"])}" }, { key: "nope", value: "1" }, ` +
          `{ key: "renewal", value: "${d.pick(["soon", "2030-01-01T00:00:00Z"])}" }] }`,
      ],
      ["createTopic", `input: { name: "Sales" }`],
      ["updateNotepad", `input: { contactId: ${contact}, text: "note ${d.int(1, 9)}" }`],
    ];
    const [name, input] = d.pick(mutations);
    const field = this.schema.getMutationType()!.getFields()[name];
    return `mutation Generated { ${name}(${input}) ${this.selection(getNamedType(field.type) as GraphQLCompositeType, 1, 0)} }`;
  }

  operation(): string {
    const roll = this.d.next();
    if (roll < 0.08) return this.mutation();
    if (roll < 0.4) return this.chain();
    return this.query();
  }
}

// ---------------------------------------------------------------------------------------------
// The seeded workspace

type CostedResponse = GqlResponse<unknown> & { extensions?: { cost?: { requested: number; limit: number } } };

let srv: TestServer;
let dataDir: string;
let admin: SignedUp;
let pools: Pools;

async function seed(): Promise<Pools> {
  const t = await team(srv);
  admin = t.admin;
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => ok<T>(srv, query, variables, admin.token);
  const topics = [await createTopic(srv, admin.token, "Sales"), await createTopic(srv, admin.token, "Support")];
  await createTopic(srv, admin.token, "Returns");
  const front = await gql<{ createTeam: { team: { id: string } } }>(
    `mutation($t: [ID!]) { createTeam(input: { name: "Front", topicIds: $t }) { team { id } } }`,
    { t: topics },
  );
  await gql(`mutation { createTeam(input: { name: "Everything", allTopics: true }) { team { id } } }`);
  await updateMember(srv, admin.token, t.agent.userId, { teamId: front.createTeam.team.id });
  await addMember(srv, admin.workspaceId, "AGENT", "second-agent");
  for (const [name, type, featured] of [
    ["Plan", "TEXT", true],
    ["Age", "NUMBER", false],
    ["Renewal", "DATETIME", true],
  ] as const) {
    await gql(
      `mutation($n: String!, $t: ContactFieldType!, $f: Boolean) {
        createContactField(input: { name: $n, type: $t, featured: $f }) { userErrors { code } } }`,
      { n: name, t: type, f: featured },
    );
  }
  for (const name of ["Greeting", "Closing", "Custom reply"]) {
    await gql(`mutation($n: String!) { createShortcut(input: { name: $n, text: "Hello" }) { userErrors { code } } }`, { n: name });
  }
  const flow = await gql<{ registerFlow: { flow: { id: string } } }>(
    `mutation { registerFlow(input: { name: "Survey", externalId: "survey" }) { flow { id } } }`,
  );
  await gql(`mutation($f: ID) { createTrigger(input: { type: TICKET_CLOSED, flowId: $f }) { userErrors { code } } }`, {
    f: flow.registerFlow.flow.id,
  });
  for (const name of ["crm", "analytics"]) {
    await gql(`mutation($n: String!) { createApiToken(input: { name: $n }) { token } }`, { n: name });
  }
  await gql(`mutation { inviteMember(input: { email: "new-editor@example.com", role: EDITOR }) { userErrors { code } } }`);
  await gql(
    `mutation($t: ID) { inviteMember(input: { email: "new-agent@example.com", role: AGENT, teamId: $t }) { userErrors { code } } }`,
    { t: front.createTeam.team.id },
  );

  const note = `mutation($t: [ID!]!, $n: String!) { addTicketNote(input: { ticketIds: $t, note: $n }) { userErrors { code } } }`;
  const receive = `mutation($u: String!, $x: String!) { receiveMessage(input: { urn: $u, text: $x }) { message { id } } }`;
  const send = `mutation($t: ID!, $x: String!) { sendMessage(input: { ticketId: $t, text: $x }) { message { id } } }`;
  // The finding's ticket: 19 notes (opened with one, then 18 more), and a thread around them.
  const busy = await openTicket(srv, admin.token, { contactUrn: newUrn(), note: "note 1", topicId: topics[0] });
  await gql(receive, { u: busy.contact.urns[0], x: "Hello?" });
  for (let i = 2; i <= 19; i++) {
    await gql(note, { t: [busy.id], n: `note ${i}` });
    if (i % 6 === 0) await gql(send, { t: busy.id, x: `reply ${i}` });
  }
  // A contact with three tickets, two of them closed.
  let regular = await openTicket(srv, admin.token, { contactUrn: newUrn(), note: "first visit" });
  for (let i = 0; i < 2; i++) {
    await gql(`mutation($t: [ID!]!) { closeTickets(input: { ticketIds: $t }) { userErrors { code } } }`, { t: [regular.id] });
    regular = await openTicket(srv, admin.token, { contactId: regular.contact.id, note: `visit ${i + 2}` });
  }
  // More tickets across topics, assigned or not, with messages and a few notes, some closed.
  const others: string[] = [];
  for (let i = 0; i < 8; i++) {
    const ticket = await openTicket(srv, admin.token, {
      contactUrn: newUrn(),
      topicId: i % 3 === 2 ? undefined : topics[i % 2],
      assigneeId: i % 2 === 0 ? admin.userId : undefined,
      ...(i % 4 === 0 ? { note: `opened ${i}` } : {}),
    });
    others.push(ticket.id);
    for (let m = 0; m < i % 3; m++) await gql(receive, { u: ticket.contact.urns[0], x: `message ${m}` });
    for (let n = 0; n < i % 4; n++) await gql(note, { t: [ticket.id], n: `remark ${n}` });
  }
  await gql(`mutation($t: [ID!]!) { closeTickets(input: { ticketIds: $t }) { userErrors { code } } }`, { t: others.slice(0, 3) });
  const contact = await gql<{ createContact: { contact: { id: string } } }>(
    `mutation($u: [String!]!) { createContact(input: { name: "Customer without tickets", urns: $u }) { contact { id } } }`,
    { u: [newUrn(), "whatsapp:15550009999"] },
  );
  await gql(
    `mutation($c: ID!) { setContactFields(input: { contactId: $c,
      values: [{ key: "plan", value: "gold" }, { key: "age", value: "42" }] }) { userErrors { code } } }`,
    { c: busy.contact.id },
  );
  for (let v = 1; v <= 7; v++) {
    await gql(`mutation($c: ID!, $x: String!) { updateNotepad(input: { contactId: $c, text: $x }) { userErrors { code } } }`, {
      c: busy.contact.id,
      x: `version ${v}`,
    });
  }

  const all = await gql<{
    topics: Array<{ id: string }>;
    teams: Array<{ id: string }>;
    members: Array<{ id: string; user: { id: string } }>;
    contacts: { nodes: Array<{ id: string; messages: { nodes: Array<{ id: string }> } }> };
    tickets: { nodes: Array<{ id: string }> };
    ticketEvents: { nodes: Array<{ id: string }> };
    flows: Array<{ id: string }>;
    triggers: Array<{ id: string }>;
    flowStarts: Array<{ id: string }>;
    shortcuts: Array<{ id: string }>;
    invitations: Array<{ id: string }>;
    apiTokens: Array<{ id: string }>;
    contactFields: Array<{ id: string; key: string }>;
    contactGroups: Array<{ id: string }>;
  }>(`{
    topics { id } teams { id } members { id user { id } }
    contacts(first: 100) { nodes { id messages(first: 100) { nodes { id } } } }
    tickets(first: 100, filter: { status: null }) { nodes { id } }
    ticketEvents(first: 100) { nodes { id } }
    flows { id } triggers { id } flowStarts { id } shortcuts { id } invitations { id } apiTokens { id }
    contactFields { id key } contactGroups { id }
  }`);
  expect(all.contacts.nodes.map((c) => c.id)).toContain(contact.createContact.contact.id);
  expect(all.flowStarts.length).toBeGreaterThan(0);
  return {
    busyTicket: busy.id,
    fieldKeys: [...all.contactFields.map((f) => f.key), "nope"],
    ids: {
      Workspace: [admin.workspaceId],
      User: all.members.map((m) => m.user.id),
      Member: all.members.map((m) => m.id),
      Topic: all.topics.map((x) => x.id),
      Team: all.teams.map((x) => x.id),
      Contact: all.contacts.nodes.map((x) => x.id),
      Ticket: all.tickets.nodes.map((x) => x.id),
      Message: all.contacts.nodes.flatMap((c) => c.messages.nodes.map((m) => m.id)),
      TicketEvent: all.ticketEvents.nodes.map((x) => x.id),
      Flow: all.flows.map((x) => x.id),
      Trigger: all.triggers.map((x) => x.id),
      FlowStart: all.flowStarts.map((x) => x.id),
      Shortcut: all.shortcuts.map((x) => x.id),
      Invitation: all.invitations.map((x) => x.id),
      ApiToken: all.apiTokens.map((x) => x.id),
      ContactField: all.contactFields.map((x) => x.id),
      ContactGroup: all.contactGroups.map((x) => x.id),
    },
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-cost-"));
  // No cost limit to speak of: every generated operation runs, so that its answer can be counted.
  srv = await startTestServer({ DATA_DIR: dataDir, MAX_QUERY_COST: "1000000000" });
  pools = await seed();
}, 120_000);

afterAll(async () => {
  await srv?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe(`cost against answers, seed ${SEED}`, () => {
  it(`is never below the objects an answer holds, over ${OPERATIONS} generated operations`, async () => {
    const schema = srv.server.schema;
    const d = new Dice(prng(SEED));
    const generator = new Generator(d, schema, pools);
    const below: Array<{ query: string; requested: number; objects: number }> = [];
    const unanswered: Array<{ query: string; errors: unknown }> = [];
    let objects = 0;
    let largest = { objects: 0, requested: 0, query: "" };
    let overDefaultLimit = 0;
    for (let i = 0; i < OPERATIONS; i++) {
      const query = generator.operation();
      const document = parse(query);
      const res = (await srv.gql(query, {}, admin.token)) as CostedResponse;
      const requested = res.extensions?.cost?.requested;
      if (res.data === undefined || res.data === null || requested === undefined) {
        unanswered.push({ query, errors: res.errors });
        continue;
      }
      // The server's figure is the cost model's.
      const operation = document.definitions[0] as OperationDefinitionNode;
      expect(requested).toBe(operationCost(schema, document, operation, {}));
      const count = countObjects(schema, document, res.data);
      objects += count;
      if (requested > 50_000) overDefaultLimit += 1;
      if (count > largest.objects) largest = { objects: count, requested, query };
      if (requested < count) below.push({ query, requested, objects: count });
    }
    expect(below).toEqual([]);
    // Every operation was valid and ran; errors in data (NOT_FOUND on a foreign node) are fine.
    expect(unanswered).toEqual([]);
    // The operations did reach into the data: thousands of objects, some answers in the thousands.
    expect(objects).toBeGreaterThan(20 * OPERATIONS);
    expect(largest.objects).toBeGreaterThan(1000);
    expect(overDefaultLimit).toBeGreaterThan(0);
  }, 600_000);

  it("counts the objects of an answer as its selection reads them", async () => {
    const schema = srv.server.schema;
    const query = `query { a: node(id: ${JSON.stringify(pools.busyTicket)}) { ...T ... on Contact { id } } viewer { user { id } } }
      fragment T on Ticket { notes(first: 3) { id ticket { id } } topic { name } lastMessage { id } }`;
    const res = await srv.gql(query, {}, admin.token);
    // The ticket, 3 notes and their ticket each, the topic, the last message; the viewer and its user.
    expect(countObjects(schema, parse(query), res.data)).toBe(1 + 3 * 2 + 1 + 1 + 2);
  });
});

describe("the finding: a ticket's notes nested through their ticket", () => {
  let limited: TestServer;
  let agent: SignedUp;
  let ticketId: string;
  beforeAll(async () => {
    // The default limits; authentication remembered, so that a refused request runs no statement.
    limited = await startTestServer({ AUTH_CACHE_MS: "60000" });
    const t = await team(limited);
    agent = t.agent;
    const ticket = await openTicket(limited, t.admin.token, { note: "note 1" });
    ticketId = ticket.id;
    for (let i = 2; i <= 19; i++) {
      await ok(
        limited,
        `mutation($t: [ID!]!, $n: String!) { addTicketNote(input: { ticketIds: $t, note: $n }) { userErrors { code } } }`,
        { t: [ticket.id], n: `note ${i}` },
        t.admin.token,
      );
    }
  }, 60_000);
  afterAll(async () => {
    await limited?.close();
  });

  /** The finding's query: notes → ticket → notes … four times, each notes with `args`. */
  const nested = (id: string, args = "") => {
    const notes = `notes${args}`;
    const chain = `${notes} { ticket { ${notes} { ticket { ${notes} { ticket { ${notes} { id } } } } } } }`;
    return `{ node(id: ${JSON.stringify(id)}) { ... on Ticket { ${chain} } } }`;
  };

  it("costs at least what it could return, and is refused before anything runs", async () => {
    // 19 notes and their ticket, 19² notes and their ticket … 19⁴ notes: what the answer would hold.
    const holds = 1 + 19 + 19 + 19 ** 2 + 19 ** 2 + 19 ** 3 + 19 ** 3 + 19 ** 4;
    expect(holds).toBe(144_800);
    await ok(limited, `{ viewer { role } }`, {}, agent.token);
    const res = (await limited.gql(nested(ticketId), {}, agent.token)) as CostedResponse;
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["QUERY_TOO_COSTLY"]);
    // Without first/last a ticket's notes count 100 each: far above the 144,800 it could hold.
    const requested = 1 + 100 * (2 + 100 * (2 + 100 * (2 + 100)));
    expect(res.errors?.[0].extensions).toEqual({ code: "QUERY_TOO_COSTLY", limit: 50000, requested });
    expect(res.extensions?.cost).toEqual({ requested, limit: 50000 });
    expect(requested).toBeGreaterThanOrEqual(holds);
    expect(res.headers.get("x-sql-statements")).toBe("0");
  });

  it("runs with small pages, costing exactly the objects it returns", async () => {
    const query = nested(ticketId, "(first: 4)");
    const res = (await limited.gql(query, {}, agent.token)) as CostedResponse;
    expect(res.errors).toBeUndefined();
    const objects = countObjects(limited.server.schema, parse(query), res.data);
    expect(objects).toBe(1 + 4 + 4 + 16 + 16 + 64 + 64 + 256);
    expect(res.extensions?.cost?.requested).toBe(objects);
  });

  it("pages a ticket's notes: the oldest with first (100 by default), the newest with last, oldest first", async () => {
    const notes = async (args: string) => {
      const res = await limited.gql<{ node: { notes: Array<{ note: string }> } | null }>(
        `query($id: ID!) { node(id: $id) { ... on Ticket { notes${args} { note } } } }`,
        { id: ticketId },
        agent.token,
      );
      return { texts: res.data?.node?.notes.map((n) => n.note), errors: res.errors?.map((e) => e.extensions) };
    };
    const all = Array.from({ length: 19 }, (_, i) => `note ${i + 1}`);
    expect(await notes("")).toEqual({ texts: all, errors: undefined });
    expect(await notes("(first: 3)")).toEqual({ texts: ["note 1", "note 2", "note 3"], errors: undefined });
    expect(await notes("(last: 3)")).toEqual({ texts: ["note 17", "note 18", "note 19"], errors: undefined });
    expect(await notes("(last: 100)")).toEqual({ texts: all, errors: undefined });
    expect((await notes("(first: 2, last: 2)")).errors).toEqual([{ code: "BAD_USER_INPUT", field: "last", fieldPath: ["last"] }]);
    expect((await notes("(last: 101)")).errors).toEqual([{ code: "BAD_USER_INPUT", field: "last", fieldPath: ["last"] }]);
  });
});
