import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { hashToken } from "../../src/auth/tokens";
import { toGlobalId } from "../../src/schema/global-id";
import { ok, team, uuid } from "../support/fixtures";
import { type GqlResponse, type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { BOUNCING_DOMAIN, parseMail, type ReceivedMail, startSmtpServer, type TestSmtpServer } from "../support/smtp";

const PUBLIC_URL = "https://handover.example";
const MAIL_FROM = "Acme Support <support@handover.example>";

let smtp: TestSmtpServer;
let srv: TestServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  srv = await startTestServer({ SMTP_URL: smtp.url, PUBLIC_URL, MAIL_FROM });
});
afterAll(async () => {
  try {
    await srv?.close();
  } finally {
    await smtp?.close();
  }
});

const INVITE = `mutation($i: InviteMemberInput!) { inviteMember(input: $i) {
  invitation { id email role team { id name } invitedBy { id } expiresAt createdAt } userErrors { code field message } } }`;
const ACCEPT = `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) {
  token viewer { role user { id email name } workspace { id } } userErrors { code field message } } }`;
const REVOKE = `mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { deletedId userErrors { code field } } }`;
const LIST = `{ invitations { id email role team { id } invitedBy { id } } }`;
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token viewer { role workspace { id } } userErrors { code } } }`;

interface Invitation {
  id: string;
  email: string;
  role: string;
  team: { id: string; name: string } | null;
  invitedBy: { id: string };
  expiresAt: string;
  createdAt: string;
}
interface UserError {
  code: string;
  field: string[] | null;
  message: string;
}
interface InvitePayload {
  invitation: Invitation | null;
  userErrors: UserError[];
}
interface AcceptPayload {
  token: string | null;
  viewer: { role: string; user: { id: string; email: string; name: string }; workspace: { id: string } } | null;
  userErrors: UserError[];
}

let counter = 0;
const newEmail = (label = "invitee") => `${label}-${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function invite(token: string, input: Record<string, unknown>): Promise<InvitePayload> {
  return (await ok<{ inviteMember: InvitePayload }>(srv, INVITE, { i: input }, token)).inviteMember;
}

function mailTo(email: string): ReceivedMail {
  const mail = smtp.messages.filter((m) => m.to.includes(email)).pop();
  if (!mail) throw new Error(`no email to ${email}`);
  return mail;
}

/** Every invitation token the emails carried, to check the log never does. */
const tokensSeen = new Set<string>();

/** The token of the accept link in an email's text. */
function tokenIn(raw: string): string {
  const match = /^https:\/\/handover\.example\/invitations\/accept\?token=(\S+)$/m.exec(parseMail(raw).text);
  if (!match) throw new Error(`no invitation link in:\n${raw}`);
  const token = decodeURIComponent(match[1]);
  tokensSeen.add(token);
  return token;
}

/** Invites and returns the invitation with the token its email carries. */
async function invited(admin: SignedUp, input: Record<string, unknown>): Promise<{ invitation: Invitation; token: string }> {
  const payload = await invite(admin.token, input);
  if (!payload.invitation) throw new Error(`inviteMember failed: ${JSON.stringify(payload.userErrors)}`);
  return { invitation: payload.invitation, token: tokenIn(mailTo(payload.invitation.email).raw) };
}

function accept(input: Record<string, unknown>, bearer?: string): Promise<GqlResponse<{ acceptInvitation: AcceptPayload }>> {
  return srv.gql<{ acceptInvitation: AcceptPayload }>(ACCEPT, { i: input }, bearer);
}

async function accepted(input: Record<string, unknown>, bearer?: string): Promise<AcceptPayload> {
  const res = await accept(input, bearer);
  if (res.errors) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data!.acceptInvitation;
}

async function createTeam(workspaceId: string, name: string): Promise<string> {
  const id = randomUUID();
  await srv.server.db.query(`INSERT INTO teams (id, workspace_id, name, all_topics) VALUES ($1, $2, $3, true)`, [
    id,
    uuid(workspaceId),
    name,
  ]);
  return toGlobalId("Team", id);
}

const INVALID = { token: null, viewer: null, userErrors: [expect.objectContaining({ code: "INVITATION_INVALID" })] };

describe("inviting", () => {
  it("emails a single-use link through SMTP, with the workspace, the inviter and the role", async () => {
    const admin = await srv.signUp({ name: "Ada Admin", workspaceName: "Acme Support" });
    const email = newEmail("New.Person");
    const payload = await invite(admin.token, { email: email.toUpperCase(), role: "EDITOR" });
    expect(payload.userErrors).toEqual([]);
    const invitation = payload.invitation!;
    expect(invitation).toMatchObject({ email: email.toLowerCase(), role: "EDITOR", team: null, invitedBy: { id: admin.userId } });
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(30 * 24 * 3600 * 1000);

    const mail = mailTo(email.toLowerCase());
    expect(mail.user).toBe("mailer");
    expect(mail.from).toBe("support@handover.example");
    const parsed = parseMail(mail.raw);
    expect(parsed.headers.get("from")).toBe(MAIL_FROM);
    expect(parsed.headers.get("to")).toBe(email.toLowerCase());
    expect(parsed.headers.get("subject")).toBe("Ada Admin invited you to Acme Support on Handover");
    // The text part is wrapped short: read it as one line.
    expect(parsed.text.replace(/\s+/g, " ")).toContain(
      `Ada Admin (${admin.email}) invited you to join the workspace "Acme Support" on Handover as an editor.`,
    );
    const token = tokenIn(mail.raw);
    expect(token).toMatch(/^hov_[A-Za-z0-9_-]{43}$/);
    expect(parsed.html).toContain(`href="${PUBLIC_URL}/invitations/accept?token=${token}"`);

    const { invitations } = await ok<{ invitations: Array<{ id: string }> }>(srv, LIST, {}, admin.token);
    expect(invitations.map((i) => i.id)).toEqual([invitation.id]);
  });

  it("writes the link so that it can be copied out of the raw message: whole on its own line, never quoted-printable", async () => {
    const check = async (inviter: { name: string; workspaceName: string }, transferEncoding: string, bodyType: string) => {
      const admin = await srv.signUp(inviter);
      const email = newEmail();
      await invite(admin.token, { email, role: "EDITOR" });
      const mail = mailTo(email);
      // What someone copies from the .eml or the message source: the raw line, no decoding.
      const lines = mail.raw.split("\r\n");
      const links = lines.filter((line) => line.includes("/invitations/accept"));
      expect(links).toEqual([expect.stringMatching(/^https:\/\/handover\.example\/invitations\/accept\?token=hov_[\w-]{43}$/)]);
      expect(links[0]).toBe(`${PUBLIC_URL}/invitations/accept?token=${tokenIn(mail.raw)}`);
      const [text, html] = mail.raw.split(/\r\n--[^\r\n]+\r\n/).slice(1);
      expect(text).toMatch(new RegExp(`^Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ${transferEncoding}\r\n\r\n`));
      // The HTML part is base64: the text part's link is the only one a reader of the source finds.
      expect(html).toMatch(/^Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n/);
      // The prose is wrapped short; only the link's line is long.
      expect(text.split("\r\n").filter((line) => line.length > 76)).toEqual(links);
      expect(mail.bodyType).toBe(bodyType);
      const parsed = parseMail(mail.raw);
      expect(parsed.text.replace(/\s+/g, " ")).toContain(`${inviter.name} (${admin.email}) invited you to join the workspace "${inviter.workspaceName}"`);
      expect(parsed.html).toContain(`href="${links[0]}"`);
    };
    await check({ name: "Ada Admin", workspaceName: "Acme Support" }, "7bit", "7bit");
    // Not ASCII: 8bit, announced to the mail server (BODY=8BITMIME), still unencoded.
    await check({ name: "Zoë Ångström", workspaceName: "Café Crème — Support" }, "8bit", "8bitmime");
  });

  it("stores the token only as its hash", async () => {
    const { admin } = await team(srv);
    const { invitation, token } = await invited(admin, { email: newEmail(), role: "AGENT" });
    const [{ n }] = await srv.server.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM invitations WHERE token_hash = $1`, [
      hashToken(token),
    ]);
    expect(n).toBe(1);
    const tables = await srv.server.db.query<Array<{ name: string }>>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.map((t) => t.name)).toContain("invitations");
    const secret = token.slice("hov_".length);
    const hex = Buffer.from(token, "utf8").toString("hex");
    for (const { name } of tables) {
      const [{ found }] = await srv.server.db.query<Array<{ found: number }>>(
        `SELECT count(*)::int AS found FROM "${name}" t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0`,
        [secret, hex],
      );
      expect({ table: name, found }).toEqual({ table: name, found: 0 });
    }
    expect(invitation.id).toBeTruthy();
  });

  it("refuses a member (ALREADY_MEMBER) and an address with a pending invitation (ALREADY_INVITED)", async () => {
    const { admin, editor } = await team(srv);
    const before = smtp.messages.length;
    expect(await invite(admin.token, { email: editor.email.toUpperCase(), role: "AGENT" })).toEqual({
      invitation: null,
      userErrors: [expect.objectContaining({ code: "ALREADY_MEMBER", field: ["email"] })],
    });
    expect((await invite(admin.token, { email: admin.email, role: "EDITOR" })).userErrors[0].code).toBe("ALREADY_MEMBER");

    const email = newEmail();
    const first = await invited(admin, { email, role: "EDITOR" });
    const again = await invite(admin.token, { email: email.toUpperCase(), role: "AGENT" });
    expect(again).toEqual({ invitation: null, userErrors: [expect.objectContaining({ code: "ALREADY_INVITED", field: ["email"] })] });
    expect(smtp.messages.length).toBe(before + 1);

    // Once it is no longer pending (revoked, expired), the address can be invited again.
    await ok(srv, REVOKE, { i: { id: first.invitation.id } }, admin.token);
    const second = await invited(admin, { email, role: "AGENT" });
    await srv.server.db.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      uuid(second.invitation.id),
    ]);
    const third = await invite(admin.token, { email, role: "ADMINISTRATOR" });
    expect(third.userErrors).toEqual([]);
    expect(third.invitation?.role).toBe("ADMINISTRATOR");
  });

  it("makes one invitation of concurrent ones for an address", async () => {
    const { admin } = await team(srv);
    const email = newEmail();
    const results = await Promise.all(Array.from({ length: 4 }, () => invite(admin.token, { email, role: "EDITOR" })));
    expect(results.filter((r) => r.invitation !== null)).toHaveLength(1);
    expect(results.filter((r) => r.userErrors[0]?.code === "ALREADY_INVITED")).toHaveLength(3);
    const [{ n }] = await srv.server.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM invitations WHERE email = $1`, [email]);
    expect(n).toBe(1);
    expect(smtp.messages.filter((m) => m.to.includes(email))).toHaveLength(1);
  });

  it("gives agents a team of the workspace; other roles none (TEAM_NOT_FOR_ROLE)", async () => {
    const { admin } = await team(srv);
    const support = await createTeam(admin.workspaceId, "Support");
    const other = await srv.signUp();
    const foreign = await createTeam(other.workspaceId, "Foreign");

    const forEditor = await invite(admin.token, { email: newEmail(), role: "EDITOR", teamId: support });
    expect(forEditor).toEqual({
      invitation: null,
      userErrors: [expect.objectContaining({ code: "TEAM_NOT_FOR_ROLE", field: ["teamId"] })],
    });
    const forAdmin = await invite(admin.token, { email: newEmail(), role: "ADMINISTRATOR", teamId: support });
    expect(forAdmin.userErrors[0].code).toBe("TEAM_NOT_FOR_ROLE");
    for (const teamId of [foreign, toGlobalId("Team", randomUUID())]) {
      const res = await invite(admin.token, { email: newEmail(), role: "AGENT", teamId });
      expect(res).toEqual({ invitation: null, userErrors: [expect.objectContaining({ code: "NOT_FOUND", field: ["teamId"] })] });
    }
    const bad = await srv.gql(INVITE, { i: { email: newEmail(), role: "AGENT", teamId: admin.workspaceId } }, admin.token);
    expect(bad.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "teamId", fieldPath: ["teamId"] });
    const notEmail = await srv.gql(INVITE, { i: { email: "not an email", role: "AGENT" } }, admin.token);
    expect(notEmail.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "email", fieldPath: ["email"] });

    const { invitation, token } = await invited(admin, { email: newEmail(), role: "AGENT", teamId: support });
    expect(invitation.team).toEqual({ id: support, name: "Support" });
    expect(parseMail(mailTo(invitation.email).raw).text).toContain("as an agent in the team Support.");

    const joined = await accepted({ token, name: "Tom Agent", password: "agent password" });
    expect(joined.viewer?.role).toBe("AGENT");
    const me = await ok<{ viewer: { role: string; team: { id: string } | null } }>(
      srv,
      `{ viewer { role team { id } } }`,
      {},
      joined.token!,
    );
    expect(me.viewer).toEqual({ role: "AGENT", team: { id: support } });
    const [membership] = await srv.server.db.query<Array<{ role: string; team_id: string }>>(
      `SELECT role, team_id FROM memberships WHERE user_id = $1`,
      [uuid(joined.viewer!.user.id)],
    );
    expect(membership).toEqual({ role: "AGENT", team_id: uuid(support) });
  });

  it("lists pending invitations newest first; revoking takes one out", async () => {
    const { admin } = await team(srv);
    const a = await invited(admin, { email: newEmail("a"), role: "EDITOR" });
    const b = await invited(admin, { email: newEmail("b"), role: "AGENT" });
    const c = await invited(admin, { email: newEmail("c"), role: "ADMINISTRATOR" });
    const list = async () => (await ok<{ invitations: Array<{ id: string }> }>(srv, LIST, {}, admin.token)).invitations.map((i) => i.id);
    expect(await list()).toEqual([c.invitation.id, b.invitation.id, a.invitation.id]);

    const revoked = await ok<{ revokeInvitation: { deletedId: string } }>(srv, REVOKE, { i: { id: b.invitation.id } }, admin.token);
    expect(revoked.revokeInvitation).toEqual({ deletedId: b.invitation.id, userErrors: [] });
    expect(await list()).toEqual([c.invitation.id, a.invitation.id]);
    const twice = await ok<{ revokeInvitation: unknown }>(srv, REVOKE, { i: { id: b.invitation.id } }, admin.token);
    expect(twice.revokeInvitation).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND", field: ["id"] }] });
  });

  it("keeps no invitation when its email cannot be sent, and says so", async () => {
    const { admin } = await team(srv);
    const email = `nobody-${randomUUID().slice(0, 8)}@${BOUNCING_DOMAIN}`;
    const res = await srv.gql<{ inviteMember: InvitePayload }>(INVITE, { i: { email, role: "EDITOR" } }, admin.token);
    expect(res.data).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(res.errors?.[0].message).toMatch(/^The invitation email could not be sent, so no invitation was made\. .*request id/);
    expect(res.errors?.[0].message).not.toMatch(/550|mailbox|127\.0\.0\.1/);
    const [{ n }] = await srv.server.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM invitations WHERE email = $1`, [email]);
    expect(n).toBe(0);
    // Nothing is left pending: trying again meets the same failure, not ALREADY_INVITED.
    const again = await srv.gql(INVITE, { i: { email, role: "EDITOR" } }, admin.token);
    expect(again.errors?.[0].extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(srv.logs.filter((line) => line.includes("/invitations/accept"))).toEqual([]);
  });
});

describe("accepting", () => {
  it("creates a new user with the invited role, logs them in, and works only once", async () => {
    const { admin } = await team(srv);
    const email = newEmail();
    const { invitation, token } = await invited(admin, { email, role: "EDITOR" });

    const joined = await accepted({ token, name: "  Nia New  ", password: "new password" });
    expect(joined.userErrors).toEqual([]);
    expect(joined.token).toMatch(/^hov_/);
    expect(joined.viewer).toMatchObject({ role: "EDITOR", user: { email, name: "Nia New" }, workspace: { id: admin.workspaceId } });
    const me = await ok<{ viewer: { role: string; workspace: { id: string } } }>(
      srv,
      `{ viewer { role workspace { id } } }`,
      {},
      joined.token!,
    );
    expect(me.viewer).toEqual({ role: "EDITOR", workspace: { id: admin.workspaceId } });

    const login = await ok<{ logIn: { viewer: { role: string; workspace: { id: string } } } }>(
      srv,
      LOG_IN,
      { i: { email, password: "new password" } },
      "",
    );
    expect(login.logIn.viewer).toEqual({ role: "EDITOR", workspace: { id: admin.workspaceId } });

    expect((await accepted({ token, name: "Again", password: "new password" })).userErrors).toEqual([
      expect.objectContaining({ code: "INVITATION_INVALID", field: ["token"] }),
    ]);
    expect(await accepted({ token }, joined.token!)).toEqual(INVALID);
    const { invitations } = await ok<{ invitations: Array<{ id: string }> }>(srv, LIST, {}, admin.token);
    expect(invitations.map((i) => i.id)).not.toContain(invitation.id);
    const [row] = await srv.server.db.query<Array<{ accepted: boolean; by: string }>>(
      `SELECT accepted_at IS NOT NULL AS accepted, accepted_by_id AS by FROM invitations WHERE id = $1`,
      [uuid(invitation.id)],
    );
    expect(row).toEqual({ accepted: true, by: uuid(joined.viewer!.user.id) });
  });

  it("answers INVITATION_INVALID alike for expired, revoked and unknown tokens", async () => {
    const { admin } = await team(srv);
    const expired = await invited(admin, { email: newEmail(), role: "EDITOR" });
    await srv.server.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      uuid(expired.invitation.id),
    ]);
    const revoked = await invited(admin, { email: newEmail(), role: "EDITOR" });
    await ok(srv, REVOKE, { i: { id: revoked.invitation.id } }, admin.token);
    const answers = [];
    for (const token of [expired.token, revoked.token, "hov_unknown", ""]) {
      answers.push(await accepted({ token, name: "X", password: "long enough" }));
    }
    for (const answer of answers) expect(answer).toEqual(INVALID);
    expect(new Set(answers.map((a) => a.userErrors[0].message)).size).toBe(1);
    // The expired one is no longer pending: not listed, not revocable.
    const revoke = await ok<{ revokeInvitation: { userErrors: UserError[] } }>(
      srv,
      REVOKE,
      { i: { id: expired.invitation.id } },
      admin.token,
    );
    expect(revoke.revokeInvitation.userErrors).toEqual([{ code: "NOT_FOUND", field: ["id"] }]);
    const { invitations } = await ok<{ invitations: unknown[] }>(srv, LIST, {}, admin.token);
    expect(invitations).toEqual([]);
    const [{ n }] = await srv.server.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1`, [
      uuid(admin.workspaceId),
    ]);
    expect(n).toBe(3);
  });

  it("needs a name and a password of 8 characters or more from a new user", async () => {
    const { admin } = await team(srv);
    const email = newEmail();
    const { token } = await invited(admin, { email, role: "AGENT" });
    const field = async (input: Record<string, unknown>) => {
      const res = await accept({ token, ...input });
      return res.errors?.[0].extensions;
    };
    expect(await field({})).toEqual({ code: "BAD_USER_INPUT", field: "name", fieldPath: ["name"] });
    expect(await field({ name: "   ", password: "long enough" })).toEqual({ code: "BAD_USER_INPUT", field: "name", fieldPath: ["name"] });
    expect(await field({ name: "Nell" })).toEqual({ code: "BAD_USER_INPUT", field: "password", fieldPath: ["password"] });
    expect(await field({ name: "Nell", password: "short" })).toEqual({ code: "BAD_USER_INPUT", field: "password", fieldPath: ["password"] });
    expect(await field({ name: "Nell", password: "x".repeat(201) })).toEqual({ code: "BAD_USER_INPUT", field: "password", fieldPath: ["password"] });
    const [{ n }] = await srv.server.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]);
    expect(n).toBe(0);
    expect((await accepted({ token, name: "Nell", password: "long enough" })).viewer?.role).toBe("AGENT");
  });

  it("lets an existing user join with their password", async () => {
    const { admin } = await team(srv);
    const existing = await srv.signUp({ name: "Erin Existing", password: "erin's password", workspaceName: "Erin's own" });
    const { token } = await invited(admin, { email: existing.email.toUpperCase(), role: "AGENT" });

    const noPassword = await accept({ token });
    expect(noPassword.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "password", fieldPath: ["password"] });
    expect(await accepted({ token, password: "wrong password" })).toEqual({
      token: null,
      viewer: null,
      userErrors: [expect.objectContaining({ code: "INVALID_CREDENTIALS", field: ["password"] })],
    });

    const joined = await accepted({ token, name: "Ignored Name", password: "erin's password" });
    expect(joined.viewer).toMatchObject({
      role: "AGENT",
      user: { id: existing.userId, name: "Erin Existing" },
      workspace: { id: admin.workspaceId },
    });
    const workspaces = await ok<{ viewer: { workspaces: Array<{ id: string }> } }>(
      srv,
      `{ viewer { workspaces { id } } }`,
      {},
      joined.token!,
    );
    expect(workspaces.viewer.workspaces.map((w) => w.id).sort()).toEqual([admin.workspaceId, existing.workspaceId].sort());
  });

  it("lets a logged-in user join as themselves, and refuses another email (EMAIL_MISMATCH)", async () => {
    const { admin } = await team(srv);
    const existing = await srv.signUp({ workspaceName: "Own" });
    const someoneElse = await srv.signUp({ workspaceName: "Else" });
    const { invitation, token } = await invited(admin, { email: existing.email, role: "ADMINISTRATOR" });

    expect(await accepted({ token }, someoneElse.token)).toEqual({
      token: null,
      viewer: null,
      userErrors: [expect.objectContaining({ code: "EMAIL_MISMATCH" })],
    });
    expect(await accepted({ token, password: someoneElse.password }, someoneElse.token)).toMatchObject({
      userErrors: [{ code: "EMAIL_MISMATCH" }],
    });
    const { invitations } = await ok<{ invitations: Array<{ id: string }> }>(srv, LIST, {}, admin.token);
    expect(invitations.map((i) => i.id)).toEqual([invitation.id]);

    const joined = await accepted({ token }, existing.token);
    expect(joined.viewer).toMatchObject({ role: "ADMINISTRATOR", user: { id: existing.userId }, workspace: { id: admin.workspaceId } });
    // The new session acts in the invitation's workspace; the old token still acts in the user's own.
    const now = await ok<{ viewer: { workspace: { id: string } } }>(srv, `{ viewer { workspace { id } } }`, {}, joined.token!);
    expect(now.viewer.workspace.id).toBe(admin.workspaceId);
    const before = await ok<{ viewer: { workspace: { id: string } } }>(srv, `{ viewer { workspace { id } } }`, {}, existing.token);
    expect(before.viewer.workspace.id).toBe(existing.workspaceId);
  });

  it("lets exactly one of concurrent accepts of a token succeed", async () => {
    const { admin } = await team(srv);
    const email = newEmail();
    const { token } = await invited(admin, { email, role: "EDITOR" });
    const answers = await Promise.all(Array.from({ length: 4 }, () => accepted({ token, name: "Racer", password: "race password" })));
    expect(answers.filter((a) => a.token !== null)).toHaveLength(1);
    expect(answers.filter((a) => a.token === null)).toEqual([INVALID, INVALID, INVALID]);
    const [{ users, members }] = await srv.server.db.query<Array<{ users: number; members: number }>>(
      `SELECT (SELECT count(*)::int FROM users WHERE email = $1) AS users,
              (SELECT count(*)::int FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1) AS members`,
      [email],
    );
    expect({ users, members }).toEqual({ users: 1, members: 1 });
  });
});

describe("reading an invitation by its link", () => {
  const PREVIEW = `query($t: String!) { invitation(token: $t) { workspaceName inviterName role teamName email hasAccount expiresAt } }`;
  type Preview = { invitation: Record<string, unknown> | null };
  const preview = (token: string, bearer?: string) => srv.gql<Preview>(PREVIEW, { t: token }, bearer);

  it("shows a new user the workspace, the inviter, the role and team, the email and the expiry, without logging in", async () => {
    const admin = await srv.signUp({ name: "Ida Inviter", workspaceName: "Preview Works" });
    const teamId = await createTeam(admin.workspaceId, "Night shift");
    const email = newEmail();
    const { invitation, token } = await invited(admin, { email, role: "AGENT", teamId });
    const res = await preview(token);
    expect(res.errors).toBeUndefined();
    expect(res.data?.invitation).toEqual({
      workspaceName: "Preview Works",
      inviterName: "Ida Inviter",
      role: "AGENT",
      teamName: "Night shift",
      email,
      hasAccount: false,
      expiresAt: invitation.expiresAt,
    });
    // Reading it changes nothing: it is still pending, and a logged-in caller, anyone, reads the same.
    const someone = await srv.signUp();
    expect((await preview(token, someone.token)).data).toEqual(res.data);
    expect((await accepted({ token, name: "Pia", password: "pia password" })).viewer?.role).toBe("AGENT");
  });

  it("says whether the invited email has an account", async () => {
    const admin = await srv.signUp();
    const existing = await srv.signUp({ workspaceName: "Elsewhere" });
    const { token } = await invited(admin, { email: existing.email, role: "EDITOR" });
    expect((await preview(token)).data?.invitation).toMatchObject({ email: existing.email, hasAccount: true, teamName: null });
  });

  it("answers NOT_FOUND alike for unknown, used, revoked and expired links", async () => {
    const admin = await srv.signUp();
    const used = await invited(admin, { email: newEmail(), role: "EDITOR" });
    await accepted({ token: used.token, name: "Used", password: "used password" });
    const revoked = await invited(admin, { email: newEmail(), role: "EDITOR" });
    await ok(srv, REVOKE, { i: { id: revoked.invitation.id } }, admin.token);
    const expired = await invited(admin, { email: newEmail(), role: "EDITOR" });
    await srv.server.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [uuid(expired.invitation.id)]);
    const answers = [];
    for (const token of [used.token, revoked.token, expired.token, "hov_unknown", "", "x".repeat(5000)]) answers.push(await preview(token));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ invitation: null });
      expect(res.errors).toEqual([
        {
          message: "This invitation link does not work: it has expired, been used or been revoked. Ask for a new one.",
          path: ["invitation"],
          locations: expect.any(Array),
          extensions: expect.objectContaining({ code: "NOT_FOUND" }),
        },
      ]);
    }
  });
});

describe("who may", () => {
  it("editors and agents are FORBIDDEN to invite, list and revoke; anonymous clients UNAUTHENTICATED", async () => {
    const { admin, editor, agent } = await team(srv);
    const { invitation } = await invited(admin, { email: newEmail(), role: "AGENT" });
    const operations: Array<[string, Record<string, unknown>]> = [
      [INVITE, { i: { email: newEmail(), role: "AGENT" } }],
      [LIST, {}],
      [REVOKE, { i: { id: invitation.id } }],
    ];
    for (const [query, variables] of operations) {
      for (const token of [editor.token, agent.token]) {
        expect((await srv.gql(query, variables, token)).errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
      }
      for (const token of [undefined, "hov_not-a-real-token"]) {
        expect((await srv.gql(query, variables, token)).errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
      }
    }
    const { invitations } = await ok<{ invitations: Array<{ id: string }> }>(srv, LIST, {}, admin.token);
    expect(invitations.map((i) => i.id)).toEqual([invitation.id]);
  });

  it("another workspace's invitation is NOT_FOUND; node finds pending ones for administrators only", async () => {
    const alice = await team(srv);
    const mallory = await srv.signUp({ workspaceName: "Mallory's" });
    const theirs = await invited(mallory, { email: newEmail(), role: "EDITOR" });
    const ours = await invited(alice.admin, { email: newEmail(), role: "EDITOR" });

    const revoke = await ok<{ revokeInvitation: unknown }>(srv, REVOKE, { i: { id: theirs.invitation.id } }, alice.admin.token);
    expect(revoke.revokeInvitation).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND", field: ["id"] }] });
    const NODE = `query($id: ID!) { node(id: $id) { id ... on Invitation { email role invitedBy { id } } } }`;
    const foreign = await srv.gql<{ node: unknown }>(NODE, { id: theirs.invitation.id }, alice.admin.token);
    expect(foreign.data?.node).toBeNull();
    expect(foreign.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const own = await ok<{ node: unknown }>(srv, NODE, { id: ours.invitation.id }, alice.admin.token);
    expect(own.node).toEqual({
      id: ours.invitation.id,
      email: ours.invitation.email,
      role: "EDITOR",
      invitedBy: { id: alice.admin.userId },
    });
    for (const token of [alice.editor.token, alice.agent.token]) {
      const res = await srv.gql<{ node: unknown }>(NODE, { id: ours.invitation.id }, token);
      expect(res.data?.node).toBeNull();
      expect(res.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    }
    // Mallory's invitation is untouched.
    const { invitations } = await ok<{ invitations: Array<{ id: string }> }>(srv, LIST, {}, mallory.token);
    expect(invitations.map((i) => i.id)).toEqual([theirs.invitation.id]);
  });
});

describe("without SMTP_URL", () => {
  it("writes each email as an .eml file under DATA_DIR/mail and logs only its path", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-mail-"));
    const local = await startTestServer({ DATA_DIR: dataDir, PUBLIC_URL });
    try {
      const admin = await local.signUp({ name: "Grace", workspaceName: "Files" });
      const email = newEmail();
      const res = await local.gql<{ inviteMember: InvitePayload }>(INVITE, { i: { email, role: "EDITOR" } }, admin.token);
      expect(res.data?.inviteMember.userErrors).toEqual([]);

      const mailDir = path.join(dataDir, "mail");
      const files = readdirSync(mailDir);
      expect(files).toEqual([expect.stringMatching(/\.eml$/)]);
      const file = path.join(mailDir, files[0]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const raw = readFileSync(file, "utf8");
      expect(raw.split("\r\n\r\n")[0]).not.toMatch(/[^\r]\n/);
      const parsed = parseMail(raw);
      expect(parsed.headers.get("from")).toBe("Handover <no-reply@localhost>");
      expect(parsed.headers.get("to")).toBe(email);
      expect(parsed.headers.get("subject")).toBe("Grace invited you to Files on Handover");
      expect(parsed.headers.get("mime-version")).toBe("1.0");
      expect(parsed.headers.get("message-id")).toMatch(/^<.+@.+>$/);
      expect(parsed.headers.get("date")).toBeTruthy();
      const token = tokenIn(raw);

      const joined = await local.gql<{ acceptInvitation: AcceptPayload }>(ACCEPT, { i: { token, name: "Fay", password: "file password" } });
      expect(joined.data?.acceptInvitation.viewer?.role).toBe("EDITOR");

      expect(local.logs.filter((line) => line.includes(file))).toHaveLength(1);
      expect(local.logs.filter((line) => line.includes(token.slice(4)) || line.includes("invitations/accept"))).toEqual([]);
    } finally {
      await local.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the invitation page", () => {
  it("is served with a strict Content-Security-Policy, kept out of caches, and loads nothing from elsewhere", async () => {
    const res = await fetch(`${srv.url}/invitations/accept?token=hov_anything`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle=/);
    expect(html.match(/https?:\/\/[^\s"'<>]+/g) ?? []).toEqual([]);
    const assets = [...html.matchAll(/(?:src|href)="(\/invitations\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const file = await fetch(`${srv.url}${asset}`);
      expect(file.status).toBe(200);
      expect(file.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
    expect((await fetch(`${srv.url}/invitations/assets/accept.js`)).status).toBe(404);
  });
});

describe("the log", () => {
  it("never carries an invitation link or token", () => {
    expect(tokensSeen.size).toBeGreaterThan(10);
    const leaks = srv.logs.filter((line) => line.includes("invitations/accept") || [...tokensSeen].some((t) => line.includes(t.slice(4))));
    expect(leaks).toEqual([]);
  });
});
