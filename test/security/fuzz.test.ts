/**
 * Hostile input, generated from the schema: every Query and Mutation field, with arguments of
 * wrong types, huge and odd strings, injection strings, foreign and malformed IDs, oversize
 * lists and pages, plus malformed bodies, wrong content types, deep nesting and thousands of
 * aliases, as an administrator, a team agent, anonymous and with bad tokens. Every answer must
 * be clean (see support/clean-response.ts), the server must stay up, and afterwards every
 * invariant of the data holds and the other workspace is untouched.
 *
 * Deterministic: request i is generated from (seed, i) alone, so a failure reproduces with
 * FUZZ_SEED=<seed> whatever the interleaving (the default seed is fixed; FUZZ_SEED=random draws one). FUZZ_REQUESTS raises the count (default 10,000).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  getNamedType,
  type GraphQLArgument,
  GraphQLEnumType,
  type GraphQLField,
  GraphQLInputObjectType,
  type GraphQLInputType,
  GraphQLInterfaceType,
  GraphQLList,
  type GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLSchema,
  GraphQLUnionType,
  isLeafType,
} from "graphql";
import { toGlobalId } from "../../src/schema/global-id";
import { checkResponse } from "../support/clean-response";
import { addMember, newUrn, ok, openTicket, team, uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { checkApiInvariants, checkDatabaseInvariants, type Gql, type Sql } from "../support/invariants";
import { parseMail } from "../support/smtp";
import { Dice, prng } from "../support/prng";

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
// A fixed seed by default, so that a run of the suite is reproducible; FUZZ_SEED=random draws one.
const SEED = process.env.FUZZ_SEED === "random" ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261126);
const CONCURRENCY = 8;
const BODY_LIMIT = 1024 * 1024;


/** An enum value: a bare name in a query document, a string in variables. */
class EnumName {
  constructor(readonly name: string) {}
  toJSON(): string {
    return this.name;
  }
}

/** Odd, hostile and injection strings. */
const HOSTILE_STRINGS = [
  "",
  " ",
  "   \t\n  ",
  "'; DROP TABLE tickets; --",
  "' OR '1'='1",
  '" OR ""="',
  "1; SELECT pg_sleep(5)",
  "admin'--",
  "${process.env.DATABASE_URL}",
  "${7*7}",
  "#{7*7}",
  "{{7*7}}",
  "{{constructor.constructor('return process')()}}",
  "<%= 7*7 %>",
  "%s%s%s%s%n%x",
  "%00",
  "\\",
  "\\\\'\"",
  "@results.x.category@@@fields.a.b.c@contact.name@",
  "@@@@@@@@@@@@",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83dy",
  "\u202eevil\u202c",
  "\u200f\u200e\u061c",
  "\u200b\u200c\u200d\ufeff",
  "👩‍👩‍👧‍👦🏳️‍🌈🇫🇷",
  "\u0301\u0301\u0301e\u0301",
  "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
  "\ufffd\ufffe\uffff",
  "\u2028\u2029",
  "\r\n\r\n",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "__proto__",
  "constructor",
  "toString",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  "9223372036854775808",
  "tel:+",
  "tel:+1555000000000000000000",
  "whatsapp:",
  "mailto:a@b",
  "ext:\u0000",
  "javascript:alert(1)",
  "hov_",
  "hov_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "Bearer hov_x",
  "1.2",
  "99999999999999999999.99999999999999999999",
  "2024-02-30T25:61:61+99:00",
  "0000-00-00T00:00:00Z",
  "ａｂｃ",
  "İıŞş",
];

const BASE64_JUNK = ["", "=", "====", "AAAA", "!!!!", "VGlja2V0Og==", "VGlja2V0OmFiYw==", "dGlja2V0OjE=", "VG9waWM6", "x".repeat(121)];

/** A few thousand to a million characters. */
function hugeString(d: Dice): string {
  const size = d.pick([1_000, 10_001, 65_536, 300_000, BODY_LIMIT - 2_000, BODY_LIMIT + 10]);
  const unit = d.pick(["a", "é", "🙂", "\u200b", "'", "\\", " ", "@results.x "]);
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

interface Pools {
  /** Ids of this workspace by type. */
  own: Record<string, string[]>;
  /** Ids of another workspace by type. */
  foreign: Record<string, string[]>;
  emails: string[];
  passwords: string[];
  urns: string[];
  fieldKeys: string[];
  flowExternalIds: string[];
  cursors: string[];
  eventCursors: string[];
}

const NODE_TYPES = [
  "Workspace",
  "User",
  "Member",
  "Team",
  "Topic",
  "Contact",
  "ContactField",
  "ContactGroup",
  "Flow",
  "Trigger",
  "FlowStart",
  "Shortcut",
  "Invitation",
  "ApiToken",
  "Ticket",
  "Message",
  "TicketEvent",
];

/** The type of the id an argument or input field names: ticketIds → Ticket, DeleteTopicInput.id → Topic. */
function idTypeOf(name: string, parent: string | undefined): string | undefined {
  const bare = name.replace(/Ids?$/, "");
  if (bare === "assignee") return "User";
  if (name !== "id" && name !== "ids") {
    const type = bare.charAt(0).toUpperCase() + bare.slice(1);
    return NODE_TYPES.includes(type) ? type : undefined;
  }
  if (!parent) return undefined;
  const stem = parent.replace(/^(Create|Update|Delete|Revoke|Remove|Accept)/, "").replace(/Input$/, "");
  return NODE_TYPES.filter((t) => stem.startsWith(t)).sort((a, b) => b.length - a.length)[0];
}

/** A value for an input type, mostly plausible, often hostile. */
class ValueGen {
  constructor(
    private readonly d: Dice,
    private readonly pools: Pools,
  ) {}

  id(name: string, parent: string | undefined): unknown {
    const d = this.d;
    const type = idTypeOf(name, parent);
    const own = type ? this.pools.own[type] : undefined;
    const roll = d.next();
    if (roll < 0.55 && own?.length) return d.pick(own);
    if (roll < 0.62) return d.pick(this.pools.own[d.pick(NODE_TYPES)] ?? []) ?? "x";
    if (roll < 0.72) {
      const foreign = (type && this.pools.foreign[type]?.length ? this.pools.foreign[type] : undefined) ?? this.pools.foreign.Ticket;
      return d.pick(foreign);
    }
    if (roll < 0.8) {
      // Another type's id with this type's name, or this id under another type's name.
      const source = d.pick(Object.values(this.pools.own).flat());
      return toGlobalId(d.chance(0.5) && type ? type : d.pick(NODE_TYPES), uuid(source));
    }
    if (roll < 0.86) return d.pick(BASE64_JUNK);
    if (roll < 0.9) return uuid(d.pick(Object.values(this.pools.own).flat()));
    if (roll < 0.93) return toGlobalId(type ?? "Ticket", "00000000-0000-0000-0000-000000000000");
    if (roll < 0.95) return Buffer.from(`${type ?? "Ticket"}:${d.pick(HOSTILE_STRINGS)}`).toString("base64");
    if (roll < 0.97) return d.int(-5, 2 ** 31);
    return d.pick(HOSTILE_STRINGS);
  }

  string(name: string, parent: string | undefined): string {
    const d = this.d;
    if (d.chance(0.004)) return hugeString(d);
    if (d.chance(0.25)) return d.pick(HOSTILE_STRINGS);
    const n = name.toLowerCase();
    const p = this.pools;
    if (n.includes("email")) return d.chance(0.6) ? d.pick(p.emails) : `fuzz${d.int(0, 1e6)}@example.com`;
    if (n.includes("password")) return d.chance(0.3) ? d.pick(p.passwords) : `pw-${d.int(0, 1e9)}-long`;
    if (n.includes("urn")) return d.chance(0.6) ? d.pick(p.urns) : `tel:+1555${d.int(1000000, 9999999)}`;
    if (n === "key") return d.pick(p.fieldKeys);
    if (n.includes("externalid")) return d.chance(0.5) ? d.pick(p.flowExternalIds) : `ext-${d.int(0, 1e6)}`;
    if (n === "after" || n === "before") return d.chance(0.5) ? d.pick(p.cursors) : d.pick(p.eventCursors);
    if (n === "search") return d.pick(["abc", "ab", "tel", "+1555", "%", "_", "\\", "a%b_c", "Ticket", "fuzz"]);
    if (n === "token") return d.pick(["hov_nope", "", "hov_" + "A".repeat(43)]);
    if (n === "language") return d.pick(["eng", "fra", "en", "xx-YY"]);
    if (n === "value") return d.pick(["12", "-3.5", "2024-05-01T10:00:00+02:00", "text", "1e400"]);
    if (n === "idempotencykey") return `k${d.int(0, 50)}`;
    return `${parent ?? name} ${d.int(0, 1000)}`;
  }

  int(name: string): unknown {
    const d = this.d;
    if (d.chance(0.7)) return name === "priority" ? d.int(-10, 1000) : d.int(1, 100);
    return d.pick([0, -1, -100, 101, 1000, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 53, 1.5, "10", true, 1e308]);
  }

  scalar(type: string, name: string, parent: string | undefined): unknown {
    const d = this.d;
    switch (type) {
      case "ID":
        return this.id(name, parent);
      case "String":
        return this.string(name, parent);
      case "Int":
        return this.int(name);
      case "Float":
        return d.pick([0, 1.5, -1, 1e308, "1"]);
      case "Boolean":
        return d.chance(0.9) ? d.chance(0.5) : d.pick(["true", 1, 0]);
      case "DateTime":
        return d.pick(["2024-05-01T10:00:00Z", "2024-05-01", "yesterday", 0, "9999-12-31T23:59:59.999+14:00"]);
      case "JSON":
        return this.json();
      default:
        return d.pick(HOSTILE_STRINGS);
    }
  }

  json(): unknown {
    const d = this.d;
    const roll = d.next();
    if (roll < 0.5) return { x: { value: d.pick(HOSTILE_STRINGS), category: "c" }, y: d.pick(HOSTILE_STRINGS), n: 3 };
    if (roll < 0.6) return nested(d.int(100, 20_000), d.chance(0.5));
    if (roll < 0.7) return Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, { value: i }]));
    if (roll < 0.8) return d.pick(["x", 1, true, [], [1, 2], null]);
    return { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } }, x: "@@" };
  }

  /** A value for an input type; `mutate` rolls wrong types and nulls in. */
  value(type: GraphQLInputType, name: string, parent: string | undefined, depth = 0): unknown {
    const d = this.d;
    if (d.chance(0.04)) return this.wrongType();
    if (type instanceof GraphQLNonNull) return d.chance(0.03) ? null : this.value(type.ofType, name, parent, depth);
    if (d.chance(0.06)) return null;
    if (type instanceof GraphQLList) {
      const roll = d.next();
      if (roll < 0.05) return this.value(type.ofType, name, parent, depth + 1);
      if (roll < 0.09) return [];
      if (roll < 0.14) return Array.from({ length: d.pick([101, 500, 5000]) }, () => this.value(type.ofType, name, parent, depth + 1));
      if (roll < 0.16) return nested(d.int(10, 5000), true);
      const size = d.int(1, 4);
      const items = Array.from({ length: size }, () => this.value(type.ofType, name, parent, depth + 1));
      if (d.chance(0.1)) items.push(items[0]);
      return items;
    }
    if (type instanceof GraphQLInputObjectType) {
      if (depth > 4) return null;
      const out: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        const required = field.type instanceof GraphQLNonNull;
        if (d.chance(required ? 0.96 : 0.55)) out[field.name] = this.value(field.type, field.name, type.name, depth + 1);
      }
      if (d.chance(0.04)) out[d.pick(["unknownField", "__proto__", "workspaceId", "constructor"])] = d.pick(HOSTILE_STRINGS);
      return out;
    }
    if (type instanceof GraphQLEnumType) {
      const values = type.getValues().map((v) => v.name);
      if (d.chance(0.88)) return new EnumName(d.pick(values));
      return d.pick([d.pick(values).toLowerCase(), "NOPE", "", 1, "ADMINISTRATOR ", "__typename"]);
    }
    return this.scalar(type.name, name, parent);
  }

  wrongType(): unknown {
    return this.d.pick([1, -1, 1.5, true, false, "string", [], ["a"], {}, { a: 1 }, [[[]]], 2 ** 53]);
  }
}

/**
 * `depth` arrays (or objects) inside each other. Kept as a marker and written as text, since
 * JSON.stringify recurses and gives up a few thousand levels down (JSON.parse does not).
 */
class Deep {
  constructor(
    readonly depth: number,
    readonly arrays: boolean,
  ) {}
  text(): string {
    return this.arrays
      ? `${"[".repeat(this.depth)}"deep"${"]".repeat(this.depth)}`
      : `${'{"a":'.repeat(this.depth)}"deep"${"}".repeat(this.depth)}`;
  }
}

function nested(depth: number, arrays: boolean): Deep {
  return new Deep(depth, arrays);
}

/** JSON text of a generated value, deep markers included. */
function encode(value: unknown): string {
  if (value instanceof Deep) return value.text();
  if (value instanceof EnumName) return JSON.stringify(value.name);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : encode(v))).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${encode(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A GraphQL literal for a value, as a client would write it inline. */
function literal(value: unknown): string {
  // Iterative over nesting would not help the server; the client side stays shallow enough here.
  if (value instanceof EnumName) return value.name;
  if (value instanceof Deep) return "null";
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "0";
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k))
    .map(([k, v]) => `${k}: ${literal(v)}`)
    .join(", ")}}`;
}

function depthOf(value: unknown): number {
  let depth = 0;
  let level: unknown[] = [value];
  while (level.length > 0 && depth < 200) {
    depth += 1;
    if (level.some((v) => v instanceof Deep)) return 200;
    level = level.flatMap((v) => (Array.isArray(v) ? v : v && typeof v === "object" && !(v instanceof EnumName) ? Object.values(v) : []));
  }
  return depth;
}

/** A selection set for a type: its leaves and, a few levels down, some object fields. */
function selection(d: Dice, type: GraphQLNamedType, values: ValueGen, depth: number): string {
  if (isLeafType(type)) return "";
  if (type instanceof GraphQLInterfaceType || type instanceof GraphQLUnionType) {
    const schemaTypes = type instanceof GraphQLUnionType ? type.getTypes() : [];
    const fragments = schemaTypes.slice(0, 3).map((t) => `... on ${t.name} ${selection(d, t, values, depth + 1)}`);
    const own = type instanceof GraphQLInterfaceType ? fieldsOf(d, type, values, depth) : [];
    return `{ __typename ${own.join(" ")} ${fragments.join(" ")} }`;
  }
  if (type instanceof GraphQLObjectType) return `{ __typename ${fieldsOf(d, type, values, depth).join(" ")} }`;
  return "";
}

function fieldsOf(d: Dice, type: GraphQLObjectType | GraphQLInterfaceType, values: ValueGen, depth: number): string[] {
  const out: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const requiredArg = field.args.some((a) => a.type instanceof GraphQLNonNull && a.defaultValue === undefined);
    if (requiredArg && !d.chance(0.3)) continue;
    const args = field.args.length > 0 && (requiredArg || d.chance(0.3)) ? inlineArgs(d, field.args, values, type.name) : "";
    if (isLeafType(named)) {
      if (d.chance(0.8)) out.push(`${field.name}${args}`);
    } else if (depth < 3 && d.chance(depth === 0 ? 0.6 : 0.3)) {
      out.push(`${field.name}${args} ${selection(d, named, values, depth + 1)}`);
    }
  }
  return out;
}

function inlineArgs(d: Dice, args: readonly GraphQLArgument[], values: ValueGen, parent: string): string {
  const parts = args
    .filter((a) => a.type instanceof GraphQLNonNull || d.chance(0.5))
    .map((a) => [a.name, values.value(a.type, a.name, parent)] as const)
    .filter(([, v]) => depthOf(v) < 50)
    .map(([name, v]) => `${name}: ${literal(v)}`);
  return parts.length > 0 ? `(${parts.join(", ")})` : "";
}

interface FuzzRequest {
  kind: string;
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  actor: string;
}

interface Actors {
  admin: SignedUp;
  agent: SignedUp;
  editor: SignedUp;
  spares: string[];
}

/** One operation on one root field, generated from the schema. */
function schemaOperation(
  d: Dice,
  schema: GraphQLSchema,
  values: ValueGen,
): { query: string; variables: Record<string, unknown>; field: string } {
  const roots: Array<["query" | "mutation", GraphQLField<unknown, unknown>]> = [
    ...Object.values(schema.getQueryType()!.getFields()).map((f) => ["query", f] as ["query", GraphQLField<unknown, unknown>]),
    ...Object.values(schema.getMutationType()!.getFields()).map((f) => ["mutation", f] as ["mutation", GraphQLField<unknown, unknown>]),
  ];
  const [kind, field] = d.pick(roots);
  const inline = d.chance(0.3);
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const args: string[] = [];
  for (const arg of field.args) {
    const required = arg.type instanceof GraphQLNonNull;
    if (!d.chance(required ? 0.97 : 0.6)) continue;
    const value = values.value(arg.type, arg.name, undefined);
    if (inline && depthOf(value) < 50) {
      args.push(`${arg.name}: ${literal(value)}`);
      continue;
    }
    const declared = d.chance(0.03) ? d.pick(["String", "Int", "[ID!]!", "Boolean!", "JSON", "NoSuchType"]) : String(arg.type);
    definitions.push(`$${arg.name}: ${declared}`);
    args.push(`${arg.name}: $${arg.name}`);
    if (!d.chance(0.02)) variables[arg.name] = value;
  }
  if (d.chance(0.02)) variables.undeclared = "x";
  const sel = selection(d, getNamedType(field.type), values, 0);
  const header = definitions.length > 0 ? `${kind} Fuzz(${definitions.join(", ")})` : `${kind} Fuzz`;
  return { query: `${header} { ${field.name}${args.length > 0 ? `(${args.join(", ")})` : ""} ${sel} }`, variables, field: field.name };
}

/** A structurally hostile request: nesting, aliases, bodies, methods, content types. */
function structural(d: Dice, values: ValueGen): { kind: string; query?: string; variables?: unknown; raw?: Partial<FuzzRequest> } {
  const roll = d.int(0, 24);
  switch (roll) {
    case 0: {
      const depth = d.pick([8, 12, 13, 20, 60, 300]);
      let inner = "id";
      for (let i = 0; i < depth; i++) inner = i % 2 === 0 ? `contact { tickets(first: 2) { nodes { ${inner} } } }` : `id ${inner}`;
      return { kind: "deep query", query: `{ tickets(first: 2) { nodes { ${inner} } } }` };
    }
    case 1: {
      const n = d.pick([50, 101, 1000, 3000]);
      return { kind: "aliases", query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { role }`).join(" ")} }` };
    }
    case 2: {
      const n = d.pick([10, 101, 150]);
      return {
        kind: "aliased mutations",
        query: `mutation { ${Array.from({ length: n }, (_, i) => `m${i}: createTopic(input: { name: "fz${i % 60}" }) { topic { id } }`).join(" ")} }`,
      };
    }
    case 3: {
      const n = d.pick([10, 500, 3000]);
      return { kind: "nested fragments", query: `{ ${"...on Query { ".repeat(n)}viewer { role }${" }".repeat(n)} }` };
    }
    case 4:
      return { kind: "fragment cycle", query: `query { ...A } fragment A on Query { viewer { role } ...B } fragment B on Query { ...A }` };
    case 5: {
      const first = d.pick([0, -1, -2147483648, 101, 1000, 2147483647, 2147483648, 1e20]);
      const field = d.pick(["tickets", "contacts", "ticketEvents"]);
      return { kind: "page size", query: `query($n: Int) { ${field}(first: $n) { pageInfo { hasNextPage } } }`, variables: { n: first } };
    }
    case 6: {
      const last = d.pick([0, -1, 101, 2147483647, 100]);
      return {
        kind: "messages last",
        query: `query($n: Int, $m: Int) { tickets(first: 5) { nodes { messages(last: $n, first: $m) { nodes { id } } } } }`,
        variables: { n: last, m: d.pick([null, 5, -5]) },
      };
    }
    case 7:
      return {
        kind: "malformed JSON",
        raw: {
          body: d.pick([
            '{"query": "{ viewer { role } }"',
            "{",
            "}",
            "[",
            "null",
            '"str"',
            "1",
            '{"query": 1}',
            '{"query": null}',
            '{"query": ["a"]}',
            '{"query": {}}',
            '{"variables": "x", "query": "{ viewer { role } }"}',
            '{"query": "{ viewer { role } }", "variables": [1]}',
            '\ufeff{"query": "{ viewer { role } }"}',
            '{"query":"{ viewer { role } }",}',
            "{'query': 'x'}",
            "NaN",
            "",
            " ",
            '{"query": "\\ud800"}',
            '{"a":'.repeat(1000),
          ]),
        },
      };
    case 8:
      return {
        kind: "invalid UTF-8",
        raw: {
          body: Buffer.concat([
            Buffer.from('{"query": "{ viewer { role } }", "variables": {"x": "'),
            Buffer.from(
              d.pick([
                [0xc0, 0x80],
                [0xed, 0xa0, 0x80],
                [0xff, 0xfe],
                [0xf8, 0x88, 0x80, 0x80, 0x80],
                [0xe0, 0x80, 0xaf],
              ]),
            ),
            Buffer.from('"}}'),
          ]),
        },
      };
    case 9:
      return {
        kind: "content type",
        raw: {
          headers: {
            "content-type": d.pick([
              "text/plain",
              "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=x",
              "application/graphql",
              "application/json; charset=utf-16",
              "application/json; charset=latin1",
              "application/xml",
              "",
              "application/json, text/html",
              "APPLICATION/JSON",
            ]),
          },
          body: JSON.stringify({ query: 'mutation { createTopic(input: { name: "csrf" }) { topic { id } } }' }),
        },
      };
    case 10:
      return {
        kind: "batch",
        raw: { body: JSON.stringify(Array.from({ length: d.pick([1, 2, 50]) }, () => ({ query: "{ viewer { role } }" }))) },
      };
    case 11:
      return {
        kind: "over the body limit",
        raw: { body: JSON.stringify({ query: "{ viewer { role } }", variables: { x: "a".repeat(BODY_LIMIT + d.int(1, 100_000)) } }) },
      };
    case 12: {
      const q = d.pick([
        "{ viewer { role } }",
        'mutation { createTopic(input: { name: "via get" }) { topic { id } } }',
        "subscription { ticketEvents { cursor } }",
        "{",
        "",
      ]);
      const params = [`query=${encodeURIComponent(q)}`];
      if (d.chance(0.5)) params.push(`variables=${encodeURIComponent(d.pick(["{", "[]", "null", '{"a":1}', "x".repeat(5000)]))}`);
      if (d.chance(0.3)) params.push(`operationName=${encodeURIComponent(d.pick(["", "Nope", "\u0000"]))}`);
      return {
        kind: "GET",
        raw: {
          method: "GET",
          path: `/graphql?${params.join("&")}`,
          headers: { accept: d.pick(["application/json", "*/*", "application/graphql-response+json", "text/html"]) },
          body: undefined,
        },
      };
    }
    case 13:
      return {
        kind: "method",
        raw: { method: d.pick(["PUT", "DELETE", "PATCH"]), body: JSON.stringify({ query: "{ viewer { role } }" }) },
      };
    case 14:
      return {
        kind: "operation name",
        raw: {
          body: JSON.stringify({
            query: d.pick([
              "query A { viewer { role } } query B { topics { id } }",
              "query A { viewer { role } } query A { topics { id } }",
            ]),
            operationName: d.pick([null, "A", "C", "", 1, ["A"]]),
          }),
        },
      };
    case 15:
      return { kind: "subscription over HTTP", query: "subscription { ticketEvents { cursor type } }" };
    case 16:
      return {
        kind: "introspection",
        query: "{ __schema { types { name fields { name args { name type { name ofType { name ofType { name } } } } } } } }",
      };
    case 17:
      return {
        kind: "directives",
        query: `{ viewer @skip(if: ${d.pick(['"yes"', "1", "$x", "null"])}) { role } topics @include(if: true) @include(if: false) { id } }`,
      };
    case 18:
      return {
        kind: "unknown fields",
        query: d.pick([
          "{ nope }",
          "{ viewer { password } }",
          "{ tickets { nodes { tokenHash } } }",
          "mutation { dropTable }",
          '{ __type(name: "ApiToken") { fields { name } } }',
        ]),
      };
    case 19: {
      const n = d.pick([100, 101, 1000, 5000]);
      const ids = Array.from({ length: n }, () => values.id("ids", undefined));
      return { kind: "nodes(ids) oversize", query: "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids } };
    }
    case 20:
      return {
        kind: "deep variables",
        query: "query($f: TicketEventFilter) { ticketEvents(filter: $f) { nodes { id } } }",
        variables: { f: nested(d.pick([100, 5_000, 60_000]), d.chance(0.5)) },
      };
    case 21:
      return {
        kind: "deep JSON results",
        query: "mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } warnings userErrors { code field } } }",
        variables: { i: { contactUrn: newUrn(), note: "@results.a", results: { a: nested(d.pick([100, 5_000, 60_000]), d.chance(0.5)) } } },
      };
    case 22:
      return {
        kind: "long document",
        query: `{ viewer { role ${"  ".repeat(d.pick([1000, 200_000]))}} ${"# comment\n".repeat(d.pick([10, 20_000]))}}`,
      };
    case 23:
      return { kind: "huge literal", query: `{ contacts(search: ${JSON.stringify(hugeString(d))}) { nodes { id } } }` };
    default:
      return {
        kind: "many operations",
        query: Array.from({ length: d.pick([2, 1000]) }, (_, i) => `query Q${i} { viewer { role } }`).join(" "),
      };
  }
}

function generate(index: number, schema: GraphQLSchema, pools: Pools, actors: Actors): { req: FuzzRequest; field: string } {
  const d = new Dice(prng((SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0));
  const values = new ValueGen(d, pools);
  const who = d.next();
  let actor: string;
  let token: string | undefined;
  if (who < 0.35) [actor, token] = ["admin", actors.admin.token];
  else if (who < 0.65) [actor, token] = ["agent", actors.agent.token];
  else if (who < 0.72) [actor, token] = ["editor", actors.editor.token];
  else if (who < 0.92) [actor, token] = ["anonymous", undefined];
  else
    [actor, token] = [
      "bad token",
      d.pick(["hov_nope", "", "x".repeat(5000), `${actors.admin.token}x`, "\u00e9", actors.admin.token.slice(0, -1)]),
    ];
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined)
    headers.authorization = d.chance(0.95) ? `Bearer ${token}` : d.pick([token, `Basic ${token}`, `Bearer  ${token} x`]);

  let field = "";
  let kind: string;
  let body: string | Buffer | undefined;
  let method = "POST";
  let reqPath = "/graphql";
  if (d.chance(0.75)) {
    const op = schemaOperation(d, schema, values);
    field = op.field;
    // logOut ends the session it is sent with: send it with a spare one.
    if (field === "logOut" && token !== undefined) headers.authorization = `Bearer ${d.pick(actors.spares)}`;
    kind = `field ${field}`;
    body = encode({ query: op.query, variables: op.variables, ...(d.chance(0.05) ? { operationName: "Fuzz" } : {}) });
  } else {
    const s = structural(d, values);
    kind = s.kind;
    body = s.query !== undefined ? encode({ query: s.query, variables: s.variables }) : undefined;
    if (s.raw) {
      if (s.raw.body !== undefined || "body" in s.raw) body = s.raw.body;
      if (s.raw.method) method = s.raw.method;
      if (s.raw.path) reqPath = s.raw.path;
      if (s.raw.headers) {
        Object.assign(headers, s.raw.headers);
        if (headers["content-type"] === "") delete headers["content-type"];
      }
    }
    if (method === "GET") delete headers["content-type"];
  }
  return { req: { kind, method, path: reqPath, headers, body, actor }, field };
}

let srv: TestServer;
let actors: Actors;
let pools: Pools;
let secrets: string[];
let dataDir: string;
let foreignWorkspace: { uuid: string; admin: SignedUp };
const GQL_DIRECT: Gql = (query, variables, token) => srv.gql(query, variables, token);
const SQL_DIRECT: Sql = (text, params) => srv.server.db.query(text, params);

/** A digest per table of another workspace's rows, which nothing the fuzzer does may change. */
async function foreignDigest(): Promise<Record<string, string>> {
  const ws = foreignWorkspace.uuid;
  const digests: Record<string, string> = {};
  for (const table of [
    "tickets",
    "ticket_events",
    "topics",
    "contacts",
    "contact_urns",
    "contact_fields",
    "contact_field_values",
    "contact_notes",
    "memberships",
    "teams",
    "shortcuts",
    "flows",
    "triggers",
    "invitations",
    "api_tokens",
    "messages",
  ]) {
    const rows = await srv.server.db.query(`SELECT * FROM ${table} r WHERE workspace_id = $1 ORDER BY r::text`, [ws]);
    digests[table] = createHash("sha256").update(JSON.stringify(rows)).digest("hex");
  }
  return digests;
}

async function seedWorkspace(admin: SignedUp, token: string): Promise<Record<string, string[]>> {
  const ids: Record<string, string[]> = {};
  const add = (type: string, id: string | undefined | null) => {
    if (id) (ids[type] ??= []).push(id);
  };
  const gql = <T>(q: string, v: Record<string, unknown> = {}) => ok<T>(srv, q, v, token);
  add("Workspace", admin.workspaceId);
  add("User", admin.userId);
  for (const name of ["Sales", "Support", "Returns"]) {
    add(
      "Topic",
      (
        await gql<{ createTopic: { topic: { id: string } } }>(
          `mutation($n: String!) { createTopic(input: { name: $n }) { topic { id } } }`,
          { n: name },
        )
      ).createTopic.topic.id,
    );
  }
  const team = await gql<{ createTeam: { team: { id: string } } }>(
    `mutation($t: [ID!]) { createTeam(input: { name: "Front", topicIds: $t }) { team { id } } }`,
    { t: [ids.Topic[0]] },
  );
  add("Team", team.createTeam.team.id);
  add(
    "Team",
    (
      await gql<{ createTeam: { team: { id: string } } }>(
        `mutation { createTeam(input: { name: "Spare", allTopics: true }) { team { id } } }`,
      )
    ).createTeam.team.id,
  );
  for (const [name, type] of [
    ["Plan", "TEXT"],
    ["Age", "NUMBER"],
    ["Renewal", "DATETIME"],
  ]) {
    const res = await gql<{ createContactField: { contactField: { id: string } } }>(
      `mutation($n: String!, $t: ContactFieldType!) { createContactField(input: { name: $n, type: $t, agentAccess: EDIT }) { contactField { id } } }`,
      { n: name, t: type },
    );
    add("ContactField", res.createContactField.contactField.id);
  }
  for (const n of [1, 2]) {
    add(
      "Shortcut",
      (
        await gql<{ createShortcut: { shortcut: { id: string } } }>(
          `mutation($n: String!) { createShortcut(input: { name: $n, text: "Hello @contact.name" }) { shortcut { id } } }`,
          { n: `Greeting ${n}` },
        )
      ).createShortcut.shortcut.id,
    );
  }
  const flow = await gql<{ registerFlow: { flow: { id: string } } }>(
    `mutation { registerFlow(input: { name: "Escalate", externalId: "flow-escalate" }) { flow { id } } }`,
  );
  add("Flow", flow.registerFlow.flow.id);
  add(
    "Trigger",
    (
      await gql<{ createTrigger: { trigger: { id: string } } }>(
        `mutation($f: ID) { createTrigger(input: { type: TICKET_CLOSED, flowId: $f }) { trigger { id } } }`,
        { f: flow.registerFlow.flow.id },
      )
    ).createTrigger.trigger.id,
  );
  add(
    "ApiToken",
    (
      await gql<{ createApiToken: { apiToken: { id: string } } }>(
        `mutation { createApiToken(input: { name: "fuzz" }) { apiToken { id } } }`,
      )
    ).createApiToken.apiToken.id,
  );
  for (let i = 0; i < 12; i++) {
    const ticket = await openTicket(srv, token, {
      topicId: ids.Topic[i % 3],
      assigneeId: i % 2 === 0 ? admin.userId : null,
      note: `seed ${i}`,
      ...(i === 5 ? { flowId: flow.registerFlow.flow.id } : {}),
    });
    add("Ticket", ticket.id);
    add("Contact", ticket.contact.id);
    const urn = ticket.contact.urns[0];
    const msg = await gql<{ receiveMessage: { message: { id: string } | null } }>(
      `mutation($u: String!) { receiveMessage(input: { urn: $u, text: "hi" }) { message { id } } }`,
      { u: urn },
    );
    add("Message", msg.receiveMessage.message?.id);
  }
  const sent = await gql<{ sendMessage: { message: { id: string } | null } }>(
    `mutation($t: ID!) { sendMessage(input: { ticketId: $t, text: "hello" }) { message { id } } }`,
    { t: ids.Ticket[0] },
  );
  add("Message", sent.sendMessage.message?.id);
  await gql(`mutation($t: [ID!]!) { closeTickets(input: { ticketIds: $t }) { failures { code } } }`, { t: ids.Ticket.slice(0, 3) });
  const contact = await gql<{ createContact: { contact: { id: string } } }>(
    `mutation($u: [String!]!) { createContact(input: { name: "Plain", urns: $u }) { contact { id } } }`,
    { u: [newUrn()] },
  );
  add("Contact", contact.createContact.contact.id);
  const lists = await gql<{
    members: Array<{ id: string; user: { id: string } }>;
    contactGroups: Array<{ id: string }>;
    ticketEvents: { nodes: Array<{ id: string }> };
    flowStarts: Array<{ id: string }>;
  }>(`{ members { id user { id } } contactGroups { id } ticketEvents(first: 100) { nodes { id } } flowStarts { id } }`);
  for (const g of lists.contactGroups) add("ContactGroup", g.id);
  for (const e of lists.ticketEvents.nodes) add("TicketEvent", e.id);
  for (const f of lists.flowStarts) add("FlowStart", f.id);
  return ids;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-fuzz-"));
  srv = await startTestServer({ DATA_DIR: dataDir, DB_POOL_SIZE: "12", COUNT_SQUASH_INTERVAL_MS: "500" });
  const t = await team(srv);
  const own = await seedWorkspace(t.admin, t.admin.token);
  // The fuzzing agent is a team agent: only the Sales topic exists for them.
  const members = await ok<{ members: Array<{ id: string; user: { id: string } }> }>(
    srv,
    `{ members { id user { id } } }`,
    {},
    t.admin.token,
  );
  const agentMember = members.members.find((m) => m.user.id === t.agent.userId)!;
  await ok(
    srv,
    `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { userErrors { code } } }`,
    { i: { id: agentMember.id, teamId: own.Team[0] } },
    t.admin.token,
  );
  // Members the fuzzer may change or remove; its own actors' memberships are never in the pools.
  const victims = [
    await addMember(srv, t.admin.workspaceId, "AGENT", "victim-a"),
    await addMember(srv, t.admin.workspaceId, "EDITOR", "victim-e"),
  ];
  const spares: SignedUp[] = [];
  for (let i = 0; i < 3; i++) spares.push(await addMember(srv, t.admin.workspaceId, "AGENT", "spare"));
  const all = await ok<{ members: Array<{ id: string; user: { id: string } }> }>(srv, `{ members { id user { id } } }`, {}, t.admin.token);
  own.Member = all.members.filter((m) => victims.some((v) => v.userId === m.user.id)).map((m) => m.id);
  own.User.push(t.agent.userId, t.editor.userId, ...victims.map((v) => v.userId));
  for (const email of ["new-one@example.com", "second@example.com"]) {
    const res = await ok<{ inviteMember: { invitation: { id: string } } }>(
      srv,
      `mutation($e: String!) { inviteMember(input: { email: $e, role: EDITOR }) { invitation { id } } }`,
      { e: email },
      t.admin.token,
    );
    (own.Invitation ??= []).push(res.inviteMember.invitation.id);
  }

  const other = await srv.signUp({ workspaceName: "Elsewhere" });
  const foreign = await seedWorkspace(other, other.token);
  foreignWorkspace = { uuid: uuid(other.workspaceId), admin: other };

  const inbox = await ok<{ tickets: { pageInfo: { endCursor: string }; eventCursor: string } }>(
    srv,
    `{ tickets(first: 2, filter: { status: null }) { pageInfo { endCursor } eventCursor } }`,
    {},
    t.admin.token,
  );
  const events = await ok<{ ticketEvents: { edges: Array<{ cursor: string }> } }>(
    srv,
    `{ ticketEvents(first: 5) { edges { cursor } } }`,
    {},
    t.admin.token,
  );
  pools = {
    own,
    foreign,
    // Not the other workspace's administrator: logging in there is allowed, and would change it.
    emails: [t.admin.email, t.agent.email, t.editor.email, ...victims.map((v) => v.email), "new-one@example.com"],
    passwords: [t.admin.password, "member password", "bootstrap-password"],
    urns: [newUrn(), "whatsapp:15550001", "telegram:1234", "mailto:someone@example.com", "ext:abc", "tel:+15550001111"],
    fieldKeys: ["plan", "age", "renewal", "nope", "name", "id"],
    flowExternalIds: ["flow-escalate", "flow-unknown"],
    cursors: [inbox.tickets.pageInfo.endCursor, "x", "eyJ9", Buffer.from('{"a":1}').toString("base64"), "MTIz"],
    eventCursors: [
      inbox.tickets.eventCursor,
      ...events.ticketEvents.edges.map((e) => e.cursor),
      "0.0",
      "1",
      "-1.5",
      "99999999999999999999.1",
      "9223372036854775807.9223372036854775807",
    ],
  };
  actors = { admin: t.admin, agent: t.agent, editor: t.editor, spares: spares.map((s) => s.token) };

  // The invitation links written to DATA_DIR/mail: their tokens are secrets too.
  const mailDir = path.join(dataDir, "mail");
  const invitationTokens = readdirSync(mailDir).map((f) => {
    const text = parseMail(readFileSync(path.join(mailDir, f), "utf8")).text;
    return decodeURIComponent(/token=(\S+)/.exec(text)![1]);
  });
  expect(invitationTokens).toHaveLength(2);
  secrets = [
    t.admin.token,
    t.agent.token,
    t.editor.token,
    other.token,
    ...victims.map((v) => v.token),
    ...invitationTokens,
    t.admin.password,
    "member password",
    "bootstrap-password",
  ];
}, 120_000);

afterAll(async () => {
  await srv?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Outcome {
  index: number;
  kind: string;
  actor: string;
  status: number;
  codes: string[];
  problems: string[];
  request: string;
  ms: number;
}

const clientSide = { generate: 0, check: 0 };

async function send(index: number): Promise<Outcome> {
  const g0 = Date.now();
  const { req } = generate(index, srv.server.schema, pools, actors);
  clientSide.generate += Date.now() - g0;
  const sent = req.body === undefined ? req.path : typeof req.body === "string" ? req.body : req.body.toString("latin1");
  const describe = () => `${req.method} ${req.path} as ${req.actor} [${req.kind}] ${sent.slice(0, 400)}`;
  const t0 = Date.now();
  try {
    const response = await fetch(`${srv.url}${req.path}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const c0 = Date.now();
    const checked = checkResponse(response.status, response.headers.get("content-type"), text, sent, { secrets });
    clientSide.check += Date.now() - c0;
    return {
      index,
      kind: req.kind,
      actor: req.actor,
      status: response.status,
      codes: checked.codes,
      problems: checked.problems,
      request: checked.problems.length ? describe() : "",
      ms: Date.now() - t0,
    };
  } catch (error) {
    return {
      index,
      kind: req.kind,
      actor: req.actor,
      status: 0,
      codes: [],
      problems: [`request failed: ${String(error)}`],
      request: describe(),
      ms: Date.now() - t0,
    };
  }
}

describe(`fuzzing with seed ${SEED}`, () => {
  it(`answers ${REQUESTS} generated hostile requests cleanly and keeps every invariant`, async () => {
    process.stdout.write(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${REQUESTS} requests\n`);
    const foreignBefore = await foreignDigest();
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on("unhandledRejection", onCrash);
    process.on("uncaughtException", onCrash);
    const outcomes: Outcome[] = [];
    // FUZZ_ONLY=i,j replays those requests alone.
    const only = process.env.FUZZ_ONLY?.split(",").map(Number);
    const indexes = only ?? Array.from({ length: REQUESTS }, (_, i) => i);
    let next = 0;
    const started = Date.now();
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < indexes.length) {
            const index = indexes[next++];
            outcomes.push(await send(index));
          }
        }),
      );
    } finally {
      process.off("unhandledRejection", onCrash);
      process.off("uncaughtException", onCrash);
    }
    const seconds = (Date.now() - started) / 1000;

    const byStatus = new Map<number, number>();
    const byCode = new Map<string, number>();
    const byKind = new Map<string, number>();
    for (const o of outcomes) {
      byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
      for (const c of new Set(o.codes)) byCode.set(c, (byCode.get(c) ?? 0) + 1);
      const k = o.kind.startsWith("field ") ? "schema fields" : o.kind;
      byKind.set(k, (byKind.get(k) ?? 0) + 1);
    }
    const fields = new Set(outcomes.filter((o) => o.kind.startsWith("field ")).map((o) => o.kind));
    process.stdout.write(
      `fuzz: ${outcomes.length} requests in ${seconds.toFixed(1)} s, ${fields.size} root fields; ` +
        `statuses ${JSON.stringify(Object.fromEntries(byStatus))}; codes ${JSON.stringify(Object.fromEntries(byCode))}; ` +
        `kinds ${JSON.stringify(Object.fromEntries(byKind))}\n`,
    );
    if (process.env.FUZZ_TIMING) {
      const time = new Map<string, [number, number]>();
      for (const o of outcomes) {
        const [n, ms] = time.get(o.kind) ?? [0, 0];
        time.set(o.kind, [n + 1, ms + o.ms]);
      }
      const top = [...time.entries()].sort((x, y) => y[1][1] - x[1][1]).slice(0, 25);
      process.stdout.write(`client side: ${JSON.stringify(clientSide)} ms\n`);
      process.stdout.write(top.map(([k, [n, ms]]) => `${k}: ${n} x ${(ms / n).toFixed(0)} ms = ${ms} ms`).join("\n") + "\n");
    }
    const failed = outcomes.filter((o) => o.problems.length > 0).sort((a, b) => a.index - b.index);
    // What the server logged under a failed request's id (an internal error's cause).
    const logged = (o: Outcome) =>
      o.problems
        .map((p) => /request id ([\w-]+)/.exec(p)?.[1])
        .flatMap((id) => (id ? srv.logs.filter((l) => l.includes(id)).map((l) => `\n  log: ${l.slice(0, 700)}`) : []))
        .join("");
    if (failed.length > 0) {
      process.stdout.write(`fuzz: ${failed.length} failed; replay one with FUZZ_SEED=${SEED} FUZZ_ONLY=<index>\n`);
    }
    expect(failed.slice(0, 8).map((o) => `#${o.index} ${o.status} ${o.problems.join("; ")}\n  ${o.request}${logged(o)}`)).toEqual([]);
    expect(crashes.map(String)).toEqual([]);
    expect(outcomes).toHaveLength(indexes.length);
    // Every root field of the schema was tried.
    const roots = [
      ...Object.keys(srv.server.schema.getQueryType()!.getFields()),
      ...Object.keys(srv.server.schema.getMutationType()!.getFields()),
    ];
    if (!only && REQUESTS >= 5000) expect(roots.filter((r) => !fields.has(`field ${r}`))).toEqual([]);

    // Still up and ready.
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    await ok(srv, `{ viewer { role } }`, {}, actors.admin.token);

    // No unexpected error reached the log, nor any secret.
    expect(srv.logs.filter((l) => l.includes('"internal error"') || l.includes('"request failed"')).slice(0, 5)).toEqual([]);
    expect(secrets.filter((s) => srv.logs.some((l) => l.includes(s))).map((s) => `${s.slice(0, 6)}…`)).toEqual([]);

    // Nothing sent with this workspace's tokens changed the other one (compared before its own
    // administrator's token is used again below, which records when it was last used).
    expect(await foreignDigest()).toEqual(foreignBefore);

    // The data: counts exact, one open ticket per contact, versions gapless, log complete.
    const figures = await checkDatabaseInvariants(SQL_DIRECT);
    await checkApiInvariants(SQL_DIRECT, GQL_DIRECT, {
      workspaceUuid: uuid(actors.admin.workspaceId),
      token: actors.admin.token,
      userUuid: uuid(actors.admin.userId),
    });
    await checkApiInvariants(SQL_DIRECT, GQL_DIRECT, {
      workspaceUuid: foreignWorkspace.uuid,
      token: foreignWorkspace.admin.token,
      userUuid: uuid(foreignWorkspace.admin.userId),
    });
    process.stdout.write(
      `fuzz: afterwards ${figures.tickets} tickets (${figures.openTickets} open), ${figures.events} events; invariants hold\n`,
    );
  }, 600_000);
});
