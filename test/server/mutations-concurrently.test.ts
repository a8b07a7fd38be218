import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type GraphQLSchema, isNonNullType, isObjectType } from "graphql";
import { RESOLVERS } from "../../src/resolvers";
import { buildHandoverSchema } from "../../src/schema/build-schema";
import { type GqlResponse, startTestServer } from "../support/harness";
import { spawnServer } from "../support/server-process";
import { invitationTokenIn, parseMail } from "../support/smtp";

/**
 * Every mutation of the schema, twenty calls at once: twice the database pool of the server
 * (DB_POOL_SIZE 10), on PostgreSQL and on the embedded database. Each call must answer, with its
 * payload or a userError, and none with SERVICE_UNAVAILABLE or any other top-level error: a
 * mutation holds one connection for its one transaction, and everything it reads goes through
 * it. A mutation of the schema without a case here fails the test.
 *
 * Everything is set up through the API, so that the same cases run against a server on
 * PostgreSQL (in this process) and against `npm start` on the embedded database (a process of its
 * own, as a newcomer runs it); members join by the invitation links the server writes to
 * DATA_DIR/mail.
 */

const POOL = 10;
const CALLS = 2 * POOL;

type Vars = Record<string, unknown>;
interface Call {
  variables: Vars;
  token?: string;
}
/** Prepares the fixtures of one mutation, then gives the variables (and token) of call i. */
type Spec = (w: World) => Promise<(i: number) => Call>;

/** A server under test, reached only as a client reaches it. */
interface Target {
  gql<T>(query: string, variables?: Vars, token?: string): Promise<GqlResponse<T>>;
  /** Where the server writes its emails. */
  mailDir: string;
  close(): Promise<void>;
}

interface Login {
  token: string;
  email: string;
  password: string;
  userId: string;
  /** The Member id. */
  memberId: string;
}

interface World {
  srv: Target;
  admin: Login;
  editor: Login;
  agent: Login;
  /** A new member of the workspace with this role, joined by invitation. */
  join: (role: "ADMINISTRATOR" | "EDITOR" | "AGENT") => Promise<Login>;
  topic: string;
  run: <T = Record<string, unknown>>(query: string, variables?: Vars, token?: string) => Promise<T>;
  /** Opens tickets on new contacts (as the editor), returning their ids. */
  tickets: (n: number, topic?: string) => Promise<string[]>;
  unique: (label: string) => string;
}

const times = <T>(n: number, f: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
const ids = (n: number, make: (i: number) => Promise<string>) => times(n, make);

async function createdId(w: World, field: string, inputType: string, input: Vars, path: string): Promise<string> {
  const data = await w.run<Record<string, Record<string, { id: string } | null>>>(
    `mutation($i: ${inputType}!) { ${field}(input: $i) { ${path} { id } } }`,
    { i: input },
    w.admin.token,
  );
  const made = data[field][path];
  if (!made) throw new Error(`${field} made nothing: ${JSON.stringify(data)}`);
  return made.id;
}

/** Deletes every webhook of the workspace (a workspace has 20 at most: each case starts from none). */
async function clearWebhooks(w: World): Promise<void> {
  const { webhooks } = await w.run<{ webhooks: Array<{ id: string }> }>(`{ webhooks { id } }`);
  for (const h of webhooks) await w.run(`mutation($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { deletedId } }`, { i: { id: h.id } });
}

/** One fresh webhook, to a port nobody listens on (the servers here allow loopback receivers). */
async function freshWebhook(w: World): Promise<string> {
  await clearWebhooks(w);
  return createdId(w, "createWebhook", "CreateWebhookInput", { url: "http://127.0.0.1:9/hook", events: ["OPENED"] }, "webhook");
}

/** Invites an address and returns the invitation with the token its email carries. */
async function invite(srv: Target, adminToken: string, email: string, role: string): Promise<{ id: string; token: string }> {
  const res = await srv.gql<{ inviteMember: { invitation: { id: string } | null; userErrors: unknown[] } }>(
    `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } userErrors { code } } }`,
    { i: { email, role } },
    adminToken,
  );
  const invitation = res.data?.inviteMember.invitation;
  if (!invitation) throw new Error(`inviteMember failed: ${JSON.stringify(res)}`);
  for (const file of readdirSync(srv.mailDir)) {
    const raw = readFileSync(path.join(srv.mailDir, file), "utf8");
    if (parseMail(raw).headers.get("to") === email) return { id: invitation.id, token: invitationTokenIn(raw) };
  }
  throw new Error(`no email to ${email} in ${srv.mailDir}`);
}

/** Invitations to new addresses, with their tokens. */
function invitations(w: World, n: number): Promise<Array<{ id: string; token: string }>> {
  return times(n, () => invite(w.srv, w.admin.token, `${w.unique("invited")}@example.com`, "AGENT"));
}

let joined = 0;
async function join(srv: Target, adminToken: string, role: string): Promise<Login> {
  const email = `member${++joined}-${Date.now()}@example.com`;
  const password = "member password";
  const { token: invitationToken } = await invite(srv, adminToken, email, role);
  const res = await srv.gql<{ acceptInvitation: { token: string; viewer: { user: { id: string } } } }>(
    `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token viewer { user { id } } } }`,
    { i: { token: invitationToken, name: role.toLowerCase(), password } },
  );
  const accepted = res.data?.acceptInvitation;
  if (!accepted?.token) throw new Error(`acceptInvitation failed: ${JSON.stringify(res)}`);
  const userId = accepted.viewer.user.id;
  return { token: accepted.token, email, password, userId, memberId: await memberIdOf(srv, adminToken, userId) };
}

async function memberIdOf(srv: Target, token: string, userId: string): Promise<string> {
  const res = await srv.gql<{ members: Array<{ id: string; user: { id: string } }> }>(`{ members { id user { id } } }`, {}, token);
  const member = res.data?.members.find((m) => m.user.id === userId);
  if (!member) throw new Error(`${userId} is not a member: ${JSON.stringify(res)}`);
  return member.id;
}

const SPECS: Record<string, Spec> = {
  signUp: async (w) => (i) => ({
    variables: {
      i: { email: `${w.unique("new")}-${i}@example.com`, password: "correct horse battery", name: "New", workspaceName: "Theirs" },
    },
  }),
  logIn: async (w) => () => ({ variables: { i: { email: w.agent.email, password: w.agent.password } } }),
  logOut: async (w) => {
    const sessions = await times(CALLS, () =>
      w.run<{ logIn: { token: string } }>(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
        i: { email: w.agent.email, password: w.agent.password },
      }),
    );
    return (i) => ({ variables: {}, token: sessions[i].logIn.token });
  },
  acceptInvitation: async (w) => {
    const sent = await invitations(w, CALLS);
    return (i) => ({ variables: { i: { token: sent[i].token, name: "Joiner", password: "joiner password" } }, token: "" });
  },
  updateWorkspace: async () => (i) => ({ variables: { i: { timezone: i % 2 === 0 ? "Europe/Paris" : "Africa/Kigali" } } }),
  markNotificationsSeen: async () => () => ({ variables: { i: { all: true } } }),
  // Twenty at once from one member: a few start, the others are TOO_MANY_EXPORTS.
  exportTickets: async () => () => ({ variables: { i: { filter: { folder: "ALL", status: null } } } }),
  inviteMember: async (w) => (i) => ({ variables: { i: { email: `${w.unique("invite")}-${i}@example.com`, role: "EDITOR" } } }),
  revokeInvitation: async (w) => {
    const sent = await invitations(w, CALLS);
    return (i) => ({ variables: { i: { id: sent[i].id } } });
  },
  createApiToken: async (w) => (i) => ({ variables: { i: { name: `integration ${i}` } }, token: w.agent.token }),
  revokeApiToken: async (w) => {
    const tokens = await ids(CALLS, (i) => createdId(w, "createApiToken", "CreateApiTokenInput", { name: `to revoke ${i}` }, "apiToken"));
    return (i) => ({ variables: { i: { id: tokens[i] } } });
  },
  updateMember: async (w) => {
    const member = await w.join("AGENT");
    return (i) => ({ variables: { i: { id: member.memberId, role: i % 2 === 0 ? "EDITOR" : "AGENT" } } });
  },
  removeMember: async (w) => {
    const added = await times(CALLS, () => w.join("AGENT"));
    const memberIds = added.map((a) => a.memberId);
    // Each leaves an open ticket assigned to them, which removing them unassigns.
    const tickets = await w.tickets(CALLS);
    await times(CALLS, (i) =>
      w.run(`mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { tickets { id } } }`, {
        i: { ticketIds: [tickets[i]], assigneeId: added[i].userId },
      }),
    );
    return (i) => ({ variables: { i: { id: memberIds[i] } } });
  },
  createTopic: async (w) => (i) => ({ variables: { i: { name: `${w.unique("Topic")} ${i}` } } }),
  updateTopic: async (w) => {
    const id = await createdId(w, "createTopic", "CreateTopicInput", { name: w.unique("Renamed") }, "topic");
    return (i) => ({ variables: { i: { id, name: `${w.unique("Renamed")} ${i}` } } });
  },
  deleteTopic: async (w) => {
    const topics = await ids(CALLS, (i) => createdId(w, "createTopic", "CreateTopicInput", { name: `${w.unique("Gone")} ${i}` }, "topic"));
    return (i) => ({ variables: { i: { id: topics[i] } } });
  },
  createTeam: async (w) => (i) => ({ variables: { i: { name: `${w.unique("Team")} ${i}`, topicIds: [w.topic] } } }),
  updateTeam: async (w) => {
    const id = await createdId(w, "createTeam", "CreateTeamInput", { name: w.unique("Team"), allTopics: true }, "team");
    return (i) => ({ variables: { i: { id, ...(i % 2 === 0 ? { topicIds: [w.topic] } : { allTopics: true }) } } });
  },
  deleteTeam: async (w) => {
    const teams = await ids(CALLS, (i) =>
      createdId(w, "createTeam", "CreateTeamInput", { name: `${w.unique("Old")} ${i}`, allTopics: true }, "team"),
    );
    return (i) => ({ variables: { i: { id: teams[i] } } });
  },
  createContact: async (w) => (i) => ({ variables: { i: { name: `Contact ${i}`, urns: [`ext:${w.unique("c")}-${i}`] } } }),
  updateContact: async (w) => {
    const id = await createdId(w, "createContact", "CreateContactInput", { urns: [`ext:${w.unique("u")}`] }, "contact");
    return (i) => ({ variables: { i: { id, name: `Name ${i}` } } });
  },
  updateNotepad: async (w) => {
    const id = await createdId(w, "createContact", "CreateContactInput", { urns: [`ext:${w.unique("n")}`] }, "contact");
    return (i) => ({ variables: { i: { contactId: id, text: `Note ${i}` } }, token: w.agent.token });
  },
  setContactFields: async (w) => {
    const id = await createdId(w, "createContact", "CreateContactInput", { urns: [`ext:${w.unique("f")}`] }, "contact");
    return (i) => ({ variables: { i: { contactId: id, values: [{ key: "plan", value: `Plan ${i}` }] } } });
  },
  createContactField: async (w) => (i) => ({ variables: { i: { name: `${w.unique("Field")} ${i}`, type: "TEXT" } } }),
  updateContactField: async (w) => {
    const id = await createdId(
      w,
      "createContactField",
      "CreateContactFieldInput",
      { name: w.unique("Flag"), type: "TEXT" },
      "contactField",
    );
    return (i) => ({ variables: { i: { id, featured: i % 2 === 0, priority: i } } });
  },
  deleteContactField: async (w) => {
    const fields = await ids(CALLS, (i) =>
      createdId(w, "createContactField", "CreateContactFieldInput", { name: `${w.unique("Drop")} ${i}`, type: "TEXT" }, "contactField"),
    );
    return (i) => ({ variables: { i: { id: fields[i] } } });
  },
  createShortcut: async (w) => (i) => ({ variables: { i: { name: `${w.unique("Hello")} ${i}`, text: "Hello!" } } }),
  updateShortcut: async (w) => {
    const id = await createdId(w, "createShortcut", "CreateShortcutInput", { name: w.unique("Hi"), text: "Hi" }, "shortcut");
    return (i) => ({ variables: { i: { id, text: `Hi ${i}` } } });
  },
  deleteShortcut: async (w) => {
    const shortcuts = await ids(CALLS, (i) =>
      createdId(w, "createShortcut", "CreateShortcutInput", { name: `${w.unique("Bye")} ${i}`, text: "Bye" }, "shortcut"),
    );
    return (i) => ({ variables: { i: { id: shortcuts[i] } } });
  },
  registerFlow: async () => () => ({ variables: { i: { name: "Survey", externalId: "flow-survey" } } }),
  // 20 at once in an empty workspace: all of them made (the limit is 20, counted under a lock).
  createWebhook: async (w) => {
    await clearWebhooks(w);
    return (i) => ({ variables: { i: { url: `http://127.0.0.1:9/hook-${i}`, events: ["OPENED", "CLOSED"] } } });
  },
  updateWebhook: async (w) => {
    const id = await freshWebhook(w);
    return (i) => ({ variables: { i: { id, url: `http://127.0.0.1:9/changed-${i}`, enabled: i % 2 === 0 } } });
  },
  // The same endpoint: one call deletes it, the others find it gone (NOT_FOUND).
  deleteWebhook: async (w) => {
    const id = await freshWebhook(w);
    return () => ({ variables: { i: { id } } });
  },
  rotateWebhookSecret: async (w) => {
    const id = await freshWebhook(w);
    return () => ({ variables: { i: id } });
  },
  replayWebhook: async (w) => {
    const id = await freshWebhook(w);
    return (i) => ({ variables: { i: { id, after: i % 2 === 0 ? null : "1.0" } } });
  },
  // Pings wait for the receiver (here a refused connection) outside any transaction.
  testWebhook: async (w) => {
    const id = await freshWebhook(w);
    return () => ({ variables: { i: id } });
  },
  // One trigger per type: one call creates it, the others are ALREADY_EXISTS.
  createTrigger: async (w) => {
    await w.run(`mutation($i: RegisterFlowInput!) { registerFlow(input: $i) { flow { id } } }`, {
      i: { name: "Follow-up", externalId: "flow-follow-up" },
    });
    const { triggers } = await w.run<{ triggers: Array<{ id: string }> }>(`{ triggers { id } }`);
    for (const t of triggers) await w.run(`mutation($i: DeleteTriggerInput!) { deleteTrigger(input: $i) { id } }`, { i: { id: t.id } });
    return () => ({ variables: { i: { type: "TICKET_CLOSED", flowExternalId: "flow-follow-up" } } });
  },
  // The same trigger: one call deletes it, the others find it gone (NOT_FOUND).
  deleteTrigger: async (w) => {
    const { triggers } = await w.run<{ triggers: Array<{ id: string }> }>(`{ triggers { id } }`);
    const id =
      triggers[0]?.id ??
      (await createdId(w, "createTrigger", "CreateTriggerInput", { type: "TICKET_CLOSED", flowExternalId: "flow-follow-up" }, "trigger"));
    return () => ({ variables: { i: { id } } });
  },
  // The example of docs/integrators.md: a flow opens tickets with a note rendered from results and fields.
  openTicket: async (w) => {
    await w.run(`mutation($i: RegisterFlowInput!) { registerFlow(input: $i) { flow { id } } }`, {
      i: { name: "Support bot", externalId: "flow-42" },
    });
    return (i) => ({
      variables: {
        i: {
          contactUrn: `whatsapp:25078812${String(i).padStart(4, "0")}${w.unique("").replace(/\D/g, "")}`,
          flowExternalId: "flow-42",
          topicId: w.topic,
          assigneeEmail: w.agent.email,
          note: "@contact.name on @fields.plan wants a refund of @results.amount (@results.reason.category)",
          results: { amount: { value: "120 USD" }, reason: { value: "broken screen", category: "damaged" } },
          idempotencyKey: `run-${w.unique("k")}/step-${i}`,
        },
      },
      token: w.editor.token,
    });
  },
  assignTickets: async (w) => {
    const tickets = await w.tickets(CALLS);
    return (i) => ({ variables: { i: { ticketIds: [tickets[i]], assigneeId: w.agent.userId } }, token: w.agent.token });
  },
  changeTicketTopic: async (w) => {
    const tickets = await w.tickets(CALLS);
    const topic = await createdId(w, "createTopic", "CreateTopicInput", { name: w.unique("Moved") }, "topic");
    return (i) => ({ variables: { i: { ticketIds: [tickets[i]], topicId: topic } }, token: w.agent.token });
  },
  // All on one ticket: every call waits for the ticket's lock.
  addTicketNote: async (w) => {
    const [ticket] = await w.tickets(1);
    return (i) => ({ variables: { i: { ticketIds: [ticket], note: `Note ${i} for @${w.agent.email}` } }, token: w.agent.token });
  },
  closeTickets: async (w) => {
    const tickets = await w.tickets(CALLS);
    return (i) => ({ variables: { i: { ticketIds: tickets.slice(i, i + 2) } }, token: w.agent.token });
  },
  reopenTickets: async (w) => {
    const tickets = await w.tickets(CALLS);
    await w.run(`mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`, { i: { ticketIds: tickets } });
    return (i) => ({ variables: { i: { ticketIds: [tickets[i]] } }, token: w.agent.token });
  },
  sendMessage: async (w) => {
    const [ticket] = await w.tickets(1);
    return (i) => ({ variables: { i: { ticketId: ticket, text: `Reply ${i}` } }, token: w.agent.token });
  },
  receiveMessage: async (w) => {
    const urn = `tel:+2507881${String(Math.floor(Math.random() * 1e5)).padStart(5, "0")}`;
    await w.run(`mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`, { i: { contactUrn: urn } });
    return (i) => ({ variables: { i: { urn, text: `Message ${i}`, externalId: `wamid.${w.unique("m")}.${i % 10}` } } });
  },
  updateMessageStatus: async (w) => {
    const [ticket] = await w.tickets(1);
    const messages = await times(CALLS, (i) =>
      w
        .run<{ sendMessage: { message: { id: string } } }>(
          `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`,
          { i: { ticketId: ticket, text: `Out ${i}` } },
        )
        .then((r) => r.sendMessage.message.id),
    );
    return (i) => ({ variables: { i: { id: messages[i], status: i % 3 === 0 ? "SENT" : "DELIVERED" } } });
  },
};

/** The operation text of a mutation, selecting __typename of an object payload. */
function documentOf(schema: GraphQLSchema, name: string): string {
  const field = schema.getMutationType()!.getFields()[name];
  // Its one argument (`input`, or an id), given as $i.
  const [arg] = field.args;
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  const selection = isObjectType(type) ? " { __typename }" : "";
  return arg ? `mutation($i: ${String(arg.type)}) { ${name}(${arg.name}: $i)${selection} }` : `mutation { ${name}${selection} }`;
}

/** The server on PostgreSQL, in this process. */
async function onPostgres(dataDir: string): Promise<Target> {
  const srv = await startTestServer({ DB_POOL_SIZE: String(POOL), DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: "true" });
  return { gql: srv.gql, mailDir: path.join(dataDir, "mail"), close: () => srv.close() };
}

/** `npm start` without DATABASE_URL: the embedded database, in a process of its own. */
async function onEmbedded(dataDir: string): Promise<Target> {
  const server = await spawnServer({
    DATABASE_URL: undefined,
    DATA_DIR: dataDir,
    DB_POOL_SIZE: String(POOL),
    WEBHOOK_ALLOW_PRIVATE: "true",
    LOGIN_MAX_FAILURES: "1000",
    HANDOVER_ADMIN_EMAIL: "admin@example.com",
    HANDOVER_ADMIN_PASSWORD: "bootstrap-password",
  });
  const gql = async <T>(query: string, variables?: Vars, token?: string): Promise<GqlResponse<T>> => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return {
      ...((await response.json()) as Omit<GqlResponse<T>, "status" | "headers">),
      status: response.status,
      headers: response.headers,
    };
  };
  return {
    gql,
    mailDir: path.join(dataDir, "mail"),
    close: async () => {
      await server.stop("SIGTERM");
    },
  };
}

async function logIn(srv: Target, email: string, password: string): Promise<Login> {
  const res = await srv.gql<{ logIn: { token: string; viewer: { user: { id: string } } } }>(
    `mutation($i: LogInInput!) { logIn(input: $i) { token viewer { user { id } } } }`,
    { i: { email, password } },
  );
  const session = res.data?.logIn;
  if (!session?.token) throw new Error(`logIn failed: ${JSON.stringify(res)}`);
  const userId = session.viewer.user.id;
  return { token: session.token, email, password, userId, memberId: await memberIdOf(srv, session.token, userId) };
}

function suite(backend: "PostgreSQL" | "the embedded database", start: (dataDir: string) => Promise<Target>): void {
  describe(`every mutation, ${CALLS} calls at once, on ${backend}`, () => {
    let w: World;
    let schema: GraphQLSchema;
    let dataDir: string;
    const figures: string[] = [];

    beforeAll(async () => {
      schema = await buildHandoverSchema(RESOLVERS);
      dataDir = mkdtempSync(path.join(tmpdir(), "handover-mutations-"));
      const srv = await start(dataDir);
      // The first administrator of a new server, as printed for the terminal.
      const admin = await (async () => {
        const res = await srv.gql<{ signUp: { token: string | null } }>(`mutation($i: SignUpInput!) { signUp(input: $i) { token } }`, {
          i: { email: `owner-${Date.now()}@example.com`, password: "owner password", name: "Owner", workspaceName: "Mutations" },
        });
        if (!res.data?.signUp.token) throw new Error(`signUp failed: ${JSON.stringify(res)}`);
        return res.data.signUp.token;
      })();
      const [editor, agent] = [await join(srv, admin, "EDITOR"), await join(srv, admin, "AGENT")];
      let n = 0;
      const run = async <T>(query: string, variables: Vars = {}, token = admin): Promise<T> => {
        const res = await srv.gql<T>(query, variables, token);
        if (res.errors) throw new Error(`setup failed: ${JSON.stringify(res.errors)}`);
        return res.data as T;
      };
      const adminLogin = await (async () => {
        const { viewer } = await run<{ viewer: { user: { id: string; email: string } } }>(`{ viewer { user { id email } } }`, {}, admin);
        return logIn(srv, viewer.user.email, "owner password");
      })();
      w = {
        srv,
        admin: adminLogin,
        editor,
        agent,
        join: (role) => join(srv, admin, role),
        topic: "",
        run,
        unique: (label) => `${label}${++n}`,
        tickets: async (count, topic) => {
          const opened = await times(count, async () => {
            const data = await run<{ openTicket: { ticket: { id: string } } }>(
              `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
              { i: { contactUrn: `ext:${w.unique("t")}`, ...(topic ? { topicId: topic } : {}) } },
              editor.token,
            );
            return data.openTicket.ticket.id;
          });
          return opened;
        },
      };
      w.topic = await createdId(w, "createTopic", "CreateTopicInput", { name: "Billing" }, "topic");
      await createdId(w, "createContactField", "CreateContactFieldInput", { name: "Plan", type: "TEXT" }, "contactField");
    });
    afterAll(async () => {
      process.stdout.write(`${CALLS} concurrent calls per mutation on ${backend} (pool ${POOL}), wall ms:\n${figures.join("\n")}\n`);
      await w?.srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("has a case for every mutation of the schema, and none for a mutation it lacks", () => {
      const mutations = Object.keys(schema.getMutationType()!.getFields()).sort();
      expect(Object.keys(SPECS).sort()).toEqual(mutations);
    });

    it.each(Object.keys(SPECS).sort())("%s: every call answers, none SERVICE_UNAVAILABLE", async (name) => {
      const callOf = await SPECS[name](w);
      const query = documentOf(schema, name);
      const started = Date.now();
      const answers = await times(CALLS, (i) => {
        const call = callOf(i);
        const token = call.token === undefined ? w.admin.token : call.token || undefined;
        return w.srv.gql<Record<string, unknown>>(query, call.variables, token);
      });
      figures.push(`  ${name.padEnd(22)} ${Date.now() - started}`);
      for (const res of answers) {
        expect({ status: res.status, errors: res.errors }).toEqual({ status: 200, errors: undefined });
        expect(res.data?.[name]).not.toBeNull();
      }
    });
  });
}

suite("PostgreSQL", onPostgres);
suite("the embedded database", onEmbedded);
