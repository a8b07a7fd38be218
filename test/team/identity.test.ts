import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const VIEWER = `{ viewer { role user { id email name } workspace { id name } workspaces { id name } } }`;
const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token viewer { role workspace { id } } userErrors { code message field } } }`;

describe("sign up, log in, log out", () => {
  it("signs up a user with a workspace and logs them in as its administrator", async () => {
    const me = await srv.signUp({ email: "Ada@Example.com", name: "Ada", workspaceName: "Acme" });
    const res = await srv.gql<{ viewer: { role: string; user: { email: string }; workspace: { name: string } } }>(VIEWER, {}, me.token);
    expect(res.errors).toBeUndefined();
    expect(res.data?.viewer).toMatchObject({ role: "ADMINISTRATOR", user: { email: "ada@example.com" }, workspace: { name: "Acme" } });
  });

  it("refuses a second account for the same email, whatever its case", async () => {
    await srv.signUp({ email: "bob@example.com", password: "first password" });
    const res = await srv.gql<{ signUp: { token: string | null; userErrors: Array<{ code: string; field: string[] }> } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { token userErrors { code field } } }`,
      { input: { email: "BOB@example.com", password: "another password", name: "Bob", workspaceName: "X" } },
    );
    expect(res.data?.signUp).toEqual({ token: null, userErrors: [{ code: "EMAIL_TAKEN", field: ["email"] }] });
  });

  it("logs in with email and password, and gives the same answer for a wrong password and an unknown email", async () => {
    const me = await srv.signUp({ password: "right password" });
    const good = await srv.gql<{ logIn: { token: string; viewer: { role: string } } }>(LOG_IN, {
      input: { email: me.email.toUpperCase(), password: "right password" },
    });
    expect(good.data?.logIn.token).toMatch(/^hov_/);
    expect(good.data?.logIn.viewer.role).toBe("ADMINISTRATOR");

    const wrongPassword = await srv.gql(LOG_IN, { input: { email: me.email, password: "wrong password" } });
    const unknownEmail = await srv.gql(LOG_IN, { input: { email: "nobody@example.com", password: "wrong password" } });
    expect(wrongPassword.data).toEqual({
      logIn: { token: null, viewer: null, userErrors: [{ code: "INVALID_CREDENTIALS", message: "Wrong email or password.", field: null }] },
    });
    expect(unknownEmail.data).toEqual(wrongPassword.data);
  });

  it("takes similar time for an unknown email and a wrong password", async () => {
    const me = await srv.signUp();
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      await srv.gql(LOG_IN, { input: { email, password: "wrong password" } });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await time("warmup@example.com");
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(me.email));
      unknown.push(await time(`ghost${i}@example.com`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1];
    // Both verify a scrypt hash: neither path is an order of magnitude faster than the other.
    expect(median(unknown)).toBeGreaterThan(median(known) / 4);
  });

  it("logOut revokes the token it was sent with", async () => {
    const me = await srv.signUp();
    const out = await srv.gql<{ logOut: boolean }>(`mutation { logOut }`, {}, me.token);
    expect(out.data?.logOut).toBe(true);
    const after = await srv.gql(VIEWER, {}, me.token);
    expect(after.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("turns signing up off with SIGNUP_DISABLED", async () => {
    const closed = await startTestServer({ SIGNUP_DISABLED: "true" });
    try {
      const res = await closed.gql<{ signUp: { userErrors: Array<{ code: string }> } }>(
        `mutation($input: SignUpInput!) { signUp(input: $input) { token userErrors { code } } }`,
        { input: { email: "new@example.com", password: "long enough", name: "N", workspaceName: "W" } },
      );
      expect(res.data?.signUp.userErrors[0].code).toBe("SIGNUP_DISABLED");
    } finally {
      await closed.close();
    }
  });
});

describe("bootstrap administrator", () => {
  it("creates the first workspace and administrator from the configuration on a brand-new database", async () => {
    expect(srv.announced[0]).toBe("First administrator created: admin@example.com");
    expect(srv.announced.join("\n")).not.toContain("bootstrap-password");
    const res = await srv.gql<{ logIn: { token: string; viewer: { role: string } } }>(LOG_IN, {
      input: { email: "admin@example.com", password: "bootstrap-password" },
    });
    expect(res.data?.logIn.viewer.role).toBe("ADMINISTRATOR");
  });

  it("generates a password shown once on the terminal, never in the log", async () => {
    const fresh = await startTestServer({
      HANDOVER_ADMIN_PASSWORD: "",
      HANDOVER_ADMIN_EMAIL: "boss@example.com",
      HANDOVER_WORKSPACE_NAME: "Boss Co",
    });
    try {
      const line = fresh.announced.find((l) => l.startsWith("Password"));
      const password = line?.split(": ")[1] ?? "";
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(fresh.logs.join("\n")).not.toContain(password);
      const res = await fresh.gql<{ logIn: { token: string } }>(LOG_IN, { input: { email: "boss@example.com", password } });
      expect(res.data?.logIn.token).toBeTruthy();
      const ws = await fresh.gql<{ viewer: { workspace: { name: string } } }>(VIEWER, {}, res.data?.logIn.token);
      expect(ws.data?.viewer.workspace.name).toBe("Boss Co");
    } finally {
      await fresh.close();
    }
  });
});

describe("workspaces", () => {
  it("a user with two workspaces sees what the token's workspace holds", async () => {
    const me = await srv.signUp({ workspaceName: "First" });
    const second = await srv.gql<{ signUp: { token: string; viewer: { workspace: { id: string } } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { token viewer { workspace { id } } userErrors { code } } }`,
      { input: { email: me.email, password: me.password, name: "Same", workspaceName: "Second" } },
    );
    const secondToken = second.data?.signUp.token as string;
    const secondId = second.data?.signUp.viewer.workspace.id as string;
    expect(secondId).not.toBe(me.workspaceId);

    const a = await srv.gql<{ viewer: { workspace: { name: string }; workspaces: Array<{ name: string }> } }>(VIEWER, {}, me.token);
    const b = await srv.gql<{ viewer: { workspace: { name: string } } }>(VIEWER, {}, secondToken);
    expect(a.data?.viewer.workspace.name).toBe("First");
    expect(b.data?.viewer.workspace.name).toBe("Second");
    expect(a.data?.viewer.workspaces.map((w) => w.name)).toEqual(["First", "Second"]);

    // The first workspace's id is not visible through the second workspace's token.
    const foreign = await srv.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: me.workspaceId }, secondToken);
    expect(foreign.data?.node).toBeNull();
    expect(foreign.errors?.[0].extensions?.code).toBe("NOT_FOUND");

    // logIn picks the workspace used last, or the one asked for.
    const last = await srv.gql<{ logIn: { viewer: { workspace: { id: string } } } }>(LOG_IN, {
      input: { email: me.email, password: me.password },
    });
    expect(last.data?.logIn.viewer.workspace.id).toBe(secondId);
    const chosen = await srv.gql<{ logIn: { viewer: { workspace: { id: string } } } }>(LOG_IN, {
      input: { email: me.email, password: me.password, workspaceId: me.workspaceId },
    });
    expect(chosen.data?.logIn.viewer.workspace.id).toBe(me.workspaceId);

    const stranger = await srv.signUp();
    const notMine = await srv.gql<{ logIn: { token: null; userErrors: Array<{ code: string }> } }>(LOG_IN, {
      input: { email: me.email, password: me.password, workspaceId: stranger.workspaceId },
    });
    expect(notMine.data?.logIn.userErrors[0].code).toBe("NOT_A_MEMBER");
  });
});

describe("the session a payload answers for", () => {
  it("logIn's viewer reads the new session's workspace, also when sent with another workspace's token", async () => {
    const me = await srv.signUp({ workspaceName: "Home" });
    const other = await srv.signUp({ workspaceName: "Elsewhere" });
    const res = await srv.gql<{ logIn: { viewer: { team: null; workspace: { name: string }; user: { email: string } } } }>(
      `mutation($input: LogInInput!) { logIn(input: $input) { viewer { team { id } workspace { name } user { email } } } }`,
      { input: { email: me.email, password: me.password } },
      other.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.logIn.viewer).toEqual({ team: null, workspace: { name: "Home" }, user: { email: me.email } });
  });
});
