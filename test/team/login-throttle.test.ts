import { randomUUID } from "node:crypto";
import { LoginThrottle } from "../../src/auth/login-throttle";
import { generateToken, hashToken } from "../../src/auth/tokens";
import { RateLimitedError } from "../../src/errors";
import { uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";

describe("LoginThrottle", () => {
  const setup = (maxKeys = 1000) => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(3, 10_000, maxKeys, () => now);
    return { throttle, advance: (ms: number) => (now += ms) };
  };
  const waitOf = (run: () => unknown): number | undefined => {
    try {
      run();
      return undefined;
    } catch (error) {
      if (error instanceof RateLimitedError) return error.retryAfter;
      throw error;
    }
  };

  it("locks a key after maxFailures within the window, until the oldest leaves it", () => {
    const { throttle, advance } = setup();
    const keys = { email: "a@example.com", address: "10.0.0.1" };
    for (let i = 0; i < 3; i++) {
      throttle.begin(keys).failed();
      advance(1000);
    }
    expect(waitOf(() => throttle.begin(keys))).toBe(7);
    advance(6500);
    expect(waitOf(() => throttle.begin(keys))).toBe(1);
    advance(500);
    expect(waitOf(() => throttle.begin(keys).failed())).toBeUndefined();
    // The refused attempts were not counted: one more failure locks again, until the second one leaves.
    expect(waitOf(() => throttle.begin(keys))).toBe(1);
  });

  it("counts the email and the address apart, and only the email without an address", () => {
    const { throttle } = setup();
    for (let i = 0; i < 3; i++) throttle.begin({ email: `e${i}@example.com`, address: "10.0.0.2" }).failed();
    expect(waitOf(() => throttle.begin({ email: "fresh@example.com", address: "10.0.0.2" }))).toBe(10);
    expect(waitOf(() => throttle.begin({ email: "fresh@example.com", address: undefined }).succeeded())).toBeUndefined();
    for (let i = 0; i < 3; i++) throttle.begin({ email: "target@example.com", address: undefined }).failed();
    expect(waitOf(() => throttle.begin({ email: "target@example.com", address: "10.0.0.3" }))).toBe(10);
  });

  it("counts an attempt from its start, so concurrent guesses cannot all be checked", () => {
    const { throttle } = setup();
    const keys = { email: "b@example.com", address: "10.0.0.4" };
    const running = [throttle.begin(keys), throttle.begin(keys), throttle.begin(keys)];
    expect(waitOf(() => throttle.begin(keys))).toBe(1);
    running[0].succeeded();
    expect(waitOf(() => throttle.begin(keys).failed())).toBeUndefined();
    for (const attempt of running.slice(1)) attempt.failed();
  });

  it("a success clears its email's failures, and takes back only its own attempt from the address", () => {
    const { throttle } = setup();
    throttle.begin({ email: "c@example.com", address: "10.0.0.5" }).failed();
    throttle.begin({ email: "c@example.com", address: "10.0.0.6" }).failed();
    throttle.begin({ email: "other@example.com", address: "10.0.0.5" }).failed();
    throttle.begin({ email: "c@example.com", address: "10.0.0.5" }).succeeded();
    // c's failures are gone: three more are needed to lock it.
    throttle.begin({ email: "c@example.com", address: "10.0.0.7" }).failed();
    throttle.begin({ email: "c@example.com", address: "10.0.0.8" }).failed();
    expect(waitOf(() => throttle.begin({ email: "c@example.com", address: "10.0.0.9" }).failed())).toBeUndefined();
    // 10.0.0.5 keeps its two failures: one more locks it.
    throttle.begin({ email: "d@example.com", address: "10.0.0.5" }).failed();
    expect(waitOf(() => throttle.begin({ email: "e@example.com", address: "10.0.0.5" }))).toBe(10);
  });

  it("keeps at most maxKeys keys, dropping those whose failures left the window first", () => {
    const { throttle, advance } = setup(4);
    throttle.begin({ email: "old@example.com", address: undefined }).failed();
    advance(10_000);
    for (let i = 0; i < 10; i++) throttle.begin({ email: `k${i}@example.com`, address: undefined }).failed();
    expect(throttle.size).toBe(4);
  });
});

const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code message } } }`;
const ACCEPT = `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token viewer { workspace { id } } userErrors { code field } } }`;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: {
    data?: Record<string, { token: string | null; userErrors: Array<{ code: string }> } | null> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

async function post(srv: TestServer, query: string, input: Record<string, unknown>, address: string): Promise<Answer> {
  // The server trusts X-Forwarded-For from loopback (a proxy in front): each test speaks from its own addresses.
  const res = await fetch(srv.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ query, variables: { i: input } }),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Answer["body"] };
}

const logIn = (srv: TestServer, email: string, password: string, address: string) => post(srv, LOG_IN, { email, password }, address);

/** The answer to a wrong password: INVALID_CREDENTIALS, as always. */
function expectWrong(answer: Answer) {
  expect(answer.status).toBe(200);
  expect(answer.body.data?.logIn ?? answer.body.data?.acceptInvitation).toMatchObject({
    token: null,
    userErrors: [{ code: "INVALID_CREDENTIALS" }],
  });
}

/** The answer during a lockout: 429 RATE_LIMITED with Retry-After, no data, no token; returns the wait. */
function expectLocked(answer: Answer, window: number): number {
  expect(answer.status).toBe(429);
  const wait = Number(answer.retryAfter);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(window);
  expect(answer.body).toEqual({
    data: null,
    errors: [
      {
        message: `Too many failed attempts to log in. Try again in ${wait} second${wait === 1 ? "" : "s"}.`,
        path: [expect.any(String)],
        locations: [expect.any(Object)],
        extensions: { code: "RATE_LIMITED", retryAfter: wait },
      },
    ],
    extensions: { cost: expect.any(Object) },
  });
  return wait;
}

describe("logIn throttle (LOGIN_MAX_FAILURES=5 per LOGIN_FAILURE_WINDOW_SECONDS=900)", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ LOGIN_MAX_FAILURES: "5" });
  });
  afterAll(async () => {
    await srv?.close();
  });
  const sessions = async (user: SignedUp) =>
    Number((await srv.server.db.query(`SELECT count(*) AS n FROM api_tokens WHERE user_id = $1`, [uuid(user.userId)]))[0].n);

  it("locks an email after 5 failures from any addresses, refusing even its right password, whether or not it exists", async () => {
    const user = await srv.signUp();
    const before = await sessions(user);
    for (let i = 1; i <= 5; i++) expectWrong(await logIn(srv, user.email, "wrong password", `198.51.100.${i}`));
    const locked = await logIn(srv, ` ${user.email.toUpperCase()} `, user.password, "198.51.100.6");
    expectLocked(locked, 900);
    expect(await sessions(user)).toBe(before);

    const nobody = `nobody-${randomUUID()}@example.com`;
    for (let i = 1; i <= 5; i++) expectWrong(await logIn(srv, nobody, "wrong password", `198.51.100.${10 + i}`));
    const lockedToo = await logIn(srv, nobody, "wrong password", "198.51.100.16");
    expectLocked(lockedToo, 900);
    // The same answer, whether the email exists or not.
    const shape = (a: Answer) => JSON.stringify(a.body).replace(/\d+/g, "N");
    expect(shape(lockedToo)).toBe(shape(locked));

    // The address is not locked: another user logs in from it.
    const other = await srv.signUp();
    expect((await logIn(srv, other.email, other.password, "198.51.100.6")).body.data?.logIn?.token).toEqual(expect.any(String));
  });

  it("locks an address after 5 failures, whatever the emails; other addresses go on", async () => {
    const user = await srv.signUp();
    for (let i = 1; i <= 5; i++) expectWrong(await logIn(srv, `guess-${i}-${randomUUID()}@example.com`, "wrong password", "192.0.2.10"));
    expectLocked(await logIn(srv, user.email, user.password, "192.0.2.10"), 900);
    expect((await logIn(srv, user.email, user.password, "192.0.2.11")).body.data?.logIn?.token).toEqual(expect.any(String));
  });

  it("a success clears the email's failures, not the other failures from its address", async () => {
    const user = await srv.signUp();
    for (let i = 1; i <= 4; i++) expectWrong(await logIn(srv, `guess-${i}-${randomUUID()}@example.com`, "wrong password", "192.0.2.20"));
    expect((await logIn(srv, user.email, user.password, "192.0.2.20")).body.data?.logIn?.token).toEqual(expect.any(String));
    expectWrong(await logIn(srv, `guess-5-${randomUUID()}@example.com`, "wrong password", "192.0.2.20"));
    expectLocked(await logIn(srv, user.email, user.password, "192.0.2.20"), 900);

    const again = await srv.signUp();
    for (let i = 1; i <= 4; i++) expectWrong(await logIn(srv, again.email, "wrong password", `192.0.2.${30 + i}`));
    expect((await logIn(srv, again.email, again.password, "192.0.2.35")).body.data?.logIn?.token).toEqual(expect.any(String));
    for (let i = 1; i <= 4; i++) expectWrong(await logIn(srv, again.email, "wrong password", `192.0.2.${40 + i}`));
    expect((await logIn(srv, again.email, again.password, "192.0.2.45")).body.data?.logIn?.token).toEqual(expect.any(String));
  });

  it("checks at most 5 of many concurrent guesses from one address", async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => logIn(srv, `rush-${i}-${randomUUID()}@example.com`, "wrong password", "192.0.2.50")),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    for (const a of answers.filter((x) => x.status !== 200)) expectLocked(a, 900);
  });

  it("counts acceptInvitation's password check of an existing user with logIn's, and refuses it during a lockout", async () => {
    const inviter = await srv.signUp();
    const invitee = await srv.signUp();
    const token = generateToken();
    await srv.server.db.query(
      `INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by_id, expires_at)
       VALUES ($1, $2, $3, 'EDITOR', $4, $5, now() + interval '1 day')`,
      [randomUUID(), uuid(inviter.workspaceId), invitee.email, hashToken(token), uuid(inviter.userId)],
    );
    for (let i = 1; i <= 3; i++) {
      const wrong = await post(srv, ACCEPT, { token, password: "wrong password" }, `203.0.113.${i}`);
      expectWrong(wrong);
    }
    for (let i = 4; i <= 5; i++) expectWrong(await logIn(srv, invitee.email, "wrong password", `203.0.113.${i}`));
    expectLocked(await post(srv, ACCEPT, { token, password: invitee.password }, "203.0.113.6"), 900);
    expectLocked(await logIn(srv, invitee.email, invitee.password, "203.0.113.7"), 900);
    const [invitation] = await srv.server.db.query(`SELECT accepted_at FROM invitations WHERE token_hash = $1`, [hashToken(token)]);
    expect(invitation).toEqual({ accepted_at: null });
    const joined = await srv.server.db.query(`SELECT 1 FROM memberships WHERE workspace_id = $1 AND user_id = $2`, [
      uuid(inviter.workspaceId),
      uuid(invitee.userId),
    ]);
    expect(joined).toEqual([]);
  });
});

describe("logIn throttle lockout expiry (LOGIN_FAILURE_WINDOW_SECONDS=3)", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ LOGIN_MAX_FAILURES: "5", LOGIN_FAILURE_WINDOW_SECONDS: "3" });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("lets the email log in again once Retry-After has passed", async () => {
    const user = await srv.signUp();
    const failures = await Promise.all(
      Array.from({ length: 5 }, (_, i) => logIn(srv, user.email, "wrong password", `198.51.100.${i + 1}`)),
    );
    failures.forEach(expectWrong);
    const wait = expectLocked(await logIn(srv, user.email, user.password, "198.51.100.9"), 3);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    expect((await logIn(srv, user.email, user.password, "198.51.100.9")).body.data?.logIn?.token).toEqual(expect.any(String));
  });
});
