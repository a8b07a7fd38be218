import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getNamedType, type GraphQLInputType, isInputObjectType } from "graphql";
import { RESOLVERS } from "../../src/resolvers";
import { buildHandoverSchema } from "../../src/schema/build-schema";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { invitationTokenIn, parseMail } from "../support/smtp";

/**
 * One password gate: every mutation that takes a password checks it through the same throttle.
 * The mutations are found by walking the schema (any input field named like "password"), so a new
 * one without a case here fails the test. For each: failures through it lock the email, after
 * which even the right password is RATE_LIMITED, changes nothing, and locks logIn too.
 */

const MAX_FAILURES = 3;
const WRONG = "not the password";

let srv: TestServer;
let dataDir: string;
let admin: SignedUp;
let address = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "handover-gate-"));
  srv = await startTestServer({ LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_FAILURE_WINDOW_SECONDS: "900", DATA_DIR: dataDir });
  admin = await srv.signUp({ workspaceName: "Inviting" });
});
afterAll(async () => {
  await srv.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  data?: Record<string, { token?: string | null; userErrors: Array<{ code: string }> } | null>;
  errors?: Array<{ extensions?: { code?: string } }>;
}

/** Sends a mutation from a client address of its own (the server trusts X-Forwarded-For from loopback). */
async function from(client: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(srv.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": client },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as Omit<Answer, "status">) };
}

/** How an entry point is tried with a password for an existing account. */
interface Entry {
  /** Sets up what one attempt needs (an invitation, say) and returns the attempt. */
  attempt(victim: SignedUp): Promise<(password: string, client: string) => Promise<Answer>>;
  /** The userError a wrong password gets. */
  wrong: string;
}

const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { token userErrors { code } } }`;
const ACCEPT = `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token userErrors { code } } }`;

async function invitationFor(email: string): Promise<string> {
  const res = await srv.gql<{ inviteMember: { userErrors: unknown[] } }>(
    `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { userErrors { code } } }`,
    { i: { email, role: "AGENT" } },
    admin.token,
  );
  expect(res.data?.inviteMember.userErrors).toEqual([]);
  const mail = path.join(dataDir, "mail");
  const file = readdirSync(mail).find((f) => parseMail(readFileSync(path.join(mail, f), "utf8")).headers.get("to") === email);
  if (!file) throw new Error(`no invitation email to ${email}`);
  return invitationTokenIn(readFileSync(path.join(mail, file), "utf8"));
}

const ENTRIES: Record<string, Entry> = {
  logIn: {
    wrong: "INVALID_CREDENTIALS",
    attempt: async (victim) => (password, client) => from(client, LOG_IN, { i: { email: victim.email, password } }),
  },
  signUp: {
    wrong: "EMAIL_TAKEN",
    attempt: async (victim) => (password, client) =>
      from(client, SIGN_UP, { i: { email: victim.email, password, name: "Mallory", workspaceName: "Mallory's" } }),
  },
  acceptInvitation: {
    wrong: "INVALID_CREDENTIALS",
    attempt: async (victim) => {
      const token = await invitationFor(victim.email);
      return (password, client) => from(client, ACCEPT, { i: { token, password } });
    },
  },
};

/** Every mutation whose input holds a password, found in the schema. */
async function mutationsTakingPassword(): Promise<string[]> {
  const schema = await buildHandoverSchema(RESOLVERS);
  const holdsPassword = (type: GraphQLInputType, seen = new Set<string>()): boolean => {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seen.has(named.name)) return false;
    seen.add(named.name);
    return Object.values(named.getFields()).some((f) => /password/i.test(f.name) || holdsPassword(f.type, seen));
  };
  return Object.values(schema.getMutationType()!.getFields())
    .filter((field) => field.args.some((arg) => /password/i.test(arg.name) || holdsPassword(arg.type)))
    .map((field) => field.name)
    .sort();
}

/** The victim's workspaces, as they see them: what a successful signUp or acceptInvitation would add to. */
async function workspacesOf(victim: SignedUp): Promise<number> {
  const res = await srv.gql<{ viewer: { workspaces: unknown[] } }>(`{ viewer { workspaces { id } } }`, {}, victim.token);
  return res.data!.viewer.workspaces.length;
}

it("knows every mutation that takes a password", async () => {
  expect(Object.keys(ENTRIES).sort()).toEqual(await mutationsTakingPassword());
});

describe.each(Object.keys(ENTRIES).sort())("%s", (name) => {
  const entry = ENTRIES[name];

  it("counts each wrong password toward the lockout, then refuses even the right one without checking, changing nothing", async () => {
    const victim = await srv.signUp({ password: "the victim's password" });
    const tryPassword = await entry.attempt(victim);
    const client = `198.51.100.${++address}`;
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await tryPassword(WRONG, client);
      expect(res.errors).toBeUndefined();
      expect(res.data?.[name]).toEqual({ token: null, userErrors: [expect.objectContaining({ code: entry.wrong })] });
    }
    const before = await workspacesOf(victim);
    const locked = await tryPassword(victim.password, client);
    expect(locked.status).toBe(429);
    expect(locked.errors?.map((e) => e.extensions?.code)).toEqual(["RATE_LIMITED"]);
    expect(locked.data?.[name] ?? null).toBeNull();
    expect(await workspacesOf(victim)).toBe(before);
    // The email is locked, from any address, and for every other entry point too.
    const elsewhere = await from(`203.0.113.${address}`, LOG_IN, { i: { email: victim.email, password: victim.password } });
    expect(elsewhere.errors?.map((e) => e.extensions?.code)).toEqual(["RATE_LIMITED"]);
  });

  it("locks the client's address after as many failures on different accounts", async () => {
    const client = `192.0.2.${++address}`;
    for (let i = 0; i < MAX_FAILURES; i++) {
      const victim = await srv.signUp();
      const res = await (await entry.attempt(victim))(WRONG, client);
      expect(res.data?.[name]?.userErrors.map((e) => e.code)).toEqual([entry.wrong]);
    }
    const fresh = await srv.signUp();
    const res = await (await entry.attempt(fresh))(fresh.password, client);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["RATE_LIMITED"]);
  });
});
