/**
 * Secrets at rest and in the logs. Tokens (session, API) and invitation tokens are stored only as
 * SHA-256 hashes, passwords only through scrypt; and a whole session of requests (sign-up,
 * logIns right and wrong, API tokens, invitations through SMTP and to .eml files, bad and
 * revoked tokens, a failing mail server) leaves no token, invitation link or password in any
 * log line, in /metrics or in an answer that did not carry it. Without SMTP_URL the invitation
 * link is written to the .eml file only: neither the structured log nor the terminal shows it
 * (docs/frontend.md "Invitations"); the terminal shows only a generated bootstrap password, once.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { hashPassword, verifyPassword } from "../../src/auth/password";
import { ok } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { BOUNCING_DOMAIN, parseMail, startSmtpServer, type TestSmtpServer } from "../support/smtp";

const PUBLIC_URL = "https://handover.example";
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest();

const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }`;
const INVITE = `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } userErrors { code } } }`;
const ACCEPT = `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token userErrors { code } } }`;
const CREATE_TOKEN = `mutation($n: String!) { createApiToken(input: { name: $n }) { token apiToken { id } userErrors { code } } }`;

/** Every secret a session used, by what it is, to name it in a failure. */
class Secrets {
  readonly all = new Map<string, string>();
  add(what: string, value: string | null | undefined): string {
    if (!value) throw new Error(`no ${what}`);
    this.all.set(value, what);
    return value;
  }
  /** Which secrets a text holds (a token also without its "hov_" prefix). */
  in(text: string): string[] {
    return [...this.all]
      .filter(([value]) => text.includes(value) || (value.startsWith("hov_") && text.includes(value.slice(4))))
      .map(([, what]) => what);
  }
}

/** A token out of an invitation email. */
function tokenOf(raw: string): { token: string; link: string } {
  const text = parseMail(raw).text;
  const link = /^(https?:\/\/\S+\/invitations\/accept\?token=(\S+))$/m.exec(text);
  if (!link) throw new Error(`no invitation link in:\n${text}`);
  return { link: link[1], token: decodeURIComponent(link[2]) };
}

/** Every value stored in every column of every table, as text the way it could hold a secret. */
async function everyStoredValue(srv: TestServer): Promise<Array<{ at: string; text: string }>> {
  const columns = await srv.server.db.query<Array<{ table_name: string; column_name: string; data_type: string }>>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
  );
  const out: Array<{ at: string; text: string }> = [];
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    const rows = await srv.server.db.query<Array<{ v: unknown }>>(`SELECT "${column}" AS v FROM "${table}" WHERE "${column}" IS NOT NULL`);
    for (const { v } of rows) {
      const at = `${table}.${column}`;
      if (Buffer.isBuffer(v)) {
        // Bytes could hold a secret as text, or be read as hex or base64 by someone.
        out.push({ at, text: v.toString("utf8") }, { at, text: v.toString("hex") }, { at, text: v.toString("base64") });
      } else out.push({ at, text: typeof v === "string" ? v : JSON.stringify(v) });
      if (type === "bytea" && !Buffer.isBuffer(v)) throw new Error(`${at} did not come back as bytes`);
    }
  }
  return out;
}

describe("secrets at rest", () => {
  let smtp: TestSmtpServer;
  let srv: TestServer;
  const secrets = new Secrets();
  let admin: SignedUp;
  const apiTokens: string[] = [];
  const invitationTokens: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    srv = await startTestServer({ SMTP_URL: smtp.url, PUBLIC_URL, LOG_LEVEL: "trace" });
    secrets.add("the SMTP credentials", "mailer:secret");
    secrets.add("the bootstrap password", "bootstrap-password");
    admin = await srv.signUp({ password: "admin's own password" });
    secrets.add("the sign-up session token", admin.token);
    secrets.add("the administrator's password", admin.password);
  });
  afterAll(async () => {
    await srv?.close();
    await smtp?.close();
  });

  it("a whole session: sign-up, logIns right and wrong, API tokens, invitations, bad tokens", async () => {
    // Log in, right and wrong.
    const good = await ok<{ logIn: { token: string } }>(srv, LOG_IN, { i: { email: admin.email, password: admin.password } }, "");
    secrets.add("a logIn session token", good.logIn.token);
    for (const [email, password] of [
      [admin.email, "a mistyped password, maybe another site's"],
      ["nobody@example.com", "the password of someone without an account"],
    ]) {
      secrets.add("a wrong password", password);
      const wrong = await ok<{ logIn: { token: string | null; userErrors: Array<{ code: string }> } }>(
        srv,
        LOG_IN,
        { i: { email, password } },
        "",
      );
      expect(wrong.logIn).toEqual({ token: null, userErrors: [{ code: "INVALID_CREDENTIALS" }] });
    }

    // API tokens: one used, one revoked and then tried.
    for (const name of ["connector", "to revoke"]) {
      const created = await ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
        srv,
        CREATE_TOKEN,
        { n: name },
        admin.token,
      );
      apiTokens.push(secrets.add(`the API token "${name}"`, created.createApiToken.token));
      if (name === "to revoke") {
        await ok(
          srv,
          `mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { deletedId } }`,
          { i: { id: created.createApiToken.apiToken.id } },
          admin.token,
        );
      }
    }
    expect((await srv.gql(`{ viewer { role } }`, {}, apiTokens[0])).data).toEqual({ viewer: { role: "ADMINISTRATOR" } });
    for (const bad of [apiTokens[1], `${apiTokens[0]}x`, "hov_not-a-token-at-all", "garbage with spaces"]) {
      const res = await srv.gql(`{ viewer { role } }`, {}, bad);
      expect(res.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
      expect(secrets.in(JSON.stringify(res.errors))).toEqual([]);
    }

    // Invitations through SMTP: one accepted by a new user, one left pending, one that bounces.
    for (const email of ["joiner@example.com", "pending@example.com"]) {
      const res = await ok<{ inviteMember: { invitation: { id: string } | null } }>(
        srv,
        INVITE,
        { i: { email, role: "EDITOR" } },
        admin.token,
      );
      expect(res.inviteMember.invitation).not.toBeNull();
      const mail = smtp.messages.find((m) => m.to.includes(email))!;
      const { token, link } = tokenOf(mail.raw);
      invitationTokens.push(secrets.add(`the invitation token for ${email}`, token));
      secrets.add(`the invitation link for ${email}`, link);
    }
    const bounced = await srv.gql(INVITE, { i: { email: `someone@${BOUNCING_DOMAIN}`, role: "AGENT" } }, admin.token);
    expect(bounced.errors?.[0].extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    secrets.add("the joiner's password", "joiner's chosen password");
    const joined = await ok<{ acceptInvitation: { token: string } }>(
      srv,
      ACCEPT,
      { i: { token: invitationTokens[0], name: "Joiner", password: "joiner's chosen password" } },
      "",
    );
    secrets.add("the joiner's session token", joined.acceptInvitation.token);
    const reused = await ok<{ acceptInvitation: { userErrors: Array<{ code: string }> } }>(
      srv,
      ACCEPT,
      { i: { token: invitationTokens[0], name: "Again", password: "another password here" } },
      "",
    );
    expect(reused.acceptInvitation.userErrors).toEqual([{ code: "INVITATION_INVALID" }]);
    secrets.add("a password sent with a used invitation", "another password here");

    // A password where a name belongs, a token where an id belongs: shape errors must not echo
    // them to the log.
    await srv.gql(`mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } } }`, { i: { name: 12 } }, admin.token);
    await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: apiTokens[0] }, admin.token);

    await ok(srv, `mutation { logOut }`, {}, good.logIn.token);
    expect((await srv.gql(`{ viewer { role } }`, {}, good.logIn.token)).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");

    // Nothing of it in the log (at trace level), in the metrics, or in the terminal lines.
    const leaks = srv.logs.flatMap((line, i) => secrets.in(line).map((what) => `log line ${i} holds ${what}: ${line.slice(0, 300)}`));
    expect(leaks).toEqual([]);
    expect(srv.logs.filter((l) => l.includes("invitations/accept"))).toEqual([]);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(secrets.in(metrics)).toEqual([]);
    expect(secrets.in(srv.announced.join("\n"))).toEqual([]);
    // The session did log things (requests, the bounce): the scan looked at something.
    expect(srv.logs.some((l) => l.includes("email could not be sent") || l.includes("internal error"))).toBe(true);
  });

  it("stores tokens and invitation tokens only as SHA-256 hashes, and no secret in any column", async () => {
    const tokenHashes = (await srv.server.db.query<Array<{ token_hash: Buffer }>>(`SELECT token_hash FROM api_tokens`)).map((r) =>
      r.token_hash.toString("hex"),
    );
    for (const token of apiTokens) expect(tokenHashes).toContain(sha256(token).toString("hex"));
    expect(tokenHashes).toContain(sha256(admin.token).toString("hex"));
    const invitationHashes = (await srv.server.db.query<Array<{ token_hash: Buffer }>>(`SELECT token_hash FROM invitations`)).map((r) =>
      r.token_hash.toString("hex"),
    );
    for (const token of invitationTokens) expect(invitationHashes).toContain(sha256(token).toString("hex"));
    // Nothing but hashes in those columns: 32 bytes each.
    expect(
      (
        await srv.server.db.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM (SELECT token_hash FROM api_tokens UNION ALL SELECT token_hash FROM invitations) h WHERE length(token_hash) <> 32`,
        )
      )[0].n,
    ).toBe(0);

    const stored = await everyStoredValue(srv);
    expect(stored.length).toBeGreaterThan(50);
    const found = stored.flatMap(({ at, text }) => secrets.in(text).map((what) => `${at} holds ${what}`));
    expect([...new Set(found)]).toEqual([]);
  });

  it("hashes passwords with scrypt (N ≥ 2^15, r ≥ 8, p ≥ 1), a random salt each, in a self-describing format", async () => {
    const rows = await srv.server.db.query<Array<{ email: string; password_hash: string }>>(`SELECT email, password_hash FROM users`);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const salts = new Set<string>();
    for (const { password_hash: stored } of rows) {
      const match = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/.exec(stored);
      expect(match).not.toBeNull();
      const [, n, r, p, salt, key] = match!;
      expect(Number(n)).toBeGreaterThanOrEqual(2 ** 15);
      expect(Math.log2(Number(n)) % 1).toBe(0);
      expect(Number(r)).toBeGreaterThanOrEqual(8);
      expect(Number(p)).toBeGreaterThanOrEqual(1);
      // 128 · N · r bytes of memory: at least 32 MiB per hash.
      expect(128 * Number(n) * Number(r)).toBeGreaterThanOrEqual(32 * 1024 * 1024);
      expect(Buffer.from(salt, "base64").length).toBeGreaterThanOrEqual(16);
      expect(Buffer.from(key, "base64").length).toBeGreaterThanOrEqual(32);
      salts.add(salt);
    }
    expect(salts.size).toBe(rows.length);
    const [mine] = rows.filter((r) => r.email === admin.email);
    expect(await verifyPassword(admin.password, mine.password_hash)).toBe(true);
    expect(await verifyPassword(`${admin.password} `, mine.password_hash)).toBe(false);
    // The same password hashes differently each time.
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });
});

describe("without SMTP_URL, and with a generated bootstrap password", () => {
  it("writes the invitation link to the .eml file only, and shows the generated password on the terminal only", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-secrets-"));
    // No HANDOVER_ADMIN_PASSWORD: one is generated and announced once.
    const srv = await startTestServer({ DATA_DIR: dataDir, PUBLIC_URL, LOG_LEVEL: "trace", HANDOVER_ADMIN_PASSWORD: "" });
    try {
      const secrets = new Secrets();
      const announced = srv.announced.join("\n");
      const generated = /Password \(shown only this once\): (\S+)/.exec(announced)?.[1];
      secrets.add("the generated bootstrap password", generated);
      const bootstrap = await ok<{ logIn: { token: string } }>(srv, LOG_IN, { i: { email: "admin@example.com", password: generated } }, "");
      secrets.add("the bootstrap administrator's token", bootstrap.logIn.token);

      const res = await ok<{ inviteMember: { invitation: { id: string } | null } }>(
        srv,
        INVITE,
        { i: { email: "filed@example.com", role: "AGENT" } },
        bootstrap.logIn.token,
      );
      expect(res.inviteMember.invitation).not.toBeNull();
      const mailDir = path.join(dataDir, "mail");
      const [file] = readdirSync(mailDir);
      const { token, link } = tokenOf(readFileSync(path.join(mailDir, file), "utf8"));
      secrets.add("the invitation token", token);
      secrets.add("the invitation link", link);
      const joined = await ok<{ acceptInvitation: { token: string } }>(
        srv,
        ACCEPT,
        { i: { token, name: "Filed", password: "filed password" } },
        "",
      );
      secrets.add("the new member's password", "filed password");
      secrets.add("the new member's token", joined.acceptInvitation.token);

      // The log says where the email is, and nothing secret.
      expect(srv.logs.filter((l) => l.includes(file))).toHaveLength(1);
      const leaks = srv.logs.flatMap((line, i) => secrets.in(line).map((what) => `log line ${i} holds ${what}: ${line.slice(0, 300)}`));
      expect(leaks).toEqual([]);
      // The terminal shows the generated password (once, by design) and nothing else secret.
      expect(secrets.in(announced)).toEqual(["the generated bootstrap password"]);
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
