import type { EntityManager } from "typeorm";
import { hashPassword } from "../../auth/password";
import { generateToken, hashToken } from "../../auth/tokens";
import type { Config } from "../../config";
import type { AuthedContext, RequestContext } from "../../context";
import { columnsOf } from "../../db/columns";
import { returningRows } from "../../db/returning";
import { bindSqlScope, unscoped } from "../../db/sql-scope";
import { TenantStore } from "../../db/tenant";
import { uniqueViolation } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { Invitation, Role, TokenKind } from "../../entities";
import { BadInputError, DependencyFailedError, ForbiddenError } from "../../errors";
import { type IdentityService, MAX_WORKSPACES_PER_USER, normalizeEmail, type Session } from "../identity/identity.service";
import { invitationEmail } from "./invitation-email";
import { KeyedLock } from "../keyed-lock";
import type { Mailer } from "./mailer";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

/** Pending invitations a workspace may have at once. */
export const MAX_PENDING_INVITATIONS = 1000;

/** How long an invitation link works. */
export const INVITATION_VALID_DAYS = 30;
/** The shortest password a new account may have (as signUp's). */
const MIN_PASSWORD_LENGTH = 8;

/** Who accepts an invitation: a user who exists, or one to create. */
type Joining = { userId: string } | { newUser: { id: string; name: string; passwordHash: string } };

/** An invitation as the API shows it: never its token hash. */
export type InvitationRow = Omit<Invitation, "tokenHash">;

export interface InviteInput {
  email: string;
  role: Role;
  teamId: string | null;
}

/** What an invitation link shows its holder before they accept it. */
export interface InvitationPreview {
  workspaceName: string;
  inviterName: string;
  role: Role;
  teamName: string | null;
  email: string;
  /** The invited email has an account: accepting asks for its password, not a new name and password. */
  hasAccount: boolean;
  expiresAt: Date;
}

export interface AcceptInput {
  token: string;
  name?: string | null;
  password?: string | null;
}

/** Never the token hash (`select: false` in the entity). */
const COLUMNS = columnsOf(Invitation, null);

/** Pending: not accepted, not revoked, not expired. Only pending invitations exist for the API. */
const PENDING = `accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`;

/** What an unknown, used, revoked or expired link gets, whichever it is. */
export const INVITATION_INVALID_MESSAGE =
  "This invitation link does not work: it has expired, been used or been revoked. Ask for a new one.";

const invalid = (): Result<Session> => fail(UserErrorCode.INVITATION_INVALID, INVITATION_INVALID_MESSAGE, ["token"]);

/**
 * Invitations: an administrator invites an email address with a role (and a team for agents);
 * the address receives a single-use link; whoever opens it joins as that address, a new user
 * or an existing one, and is logged in.
 */
export class InvitationService {
  private readonly sending = new KeyedLock();

  constructor(
    private readonly config: Config,
    private readonly mailer: Mailer,
    private readonly identity: IdentityService,
  ) {}

  private store(ctx: AuthedContext, em: EntityManager = ctx.work.em): TenantStore {
    return new TenantStore(em, ctx.actor.workspaceId);
  }

  /** Pending invitations, newest first. */
  list(ctx: AuthedContext): Promise<InvitationRow[]> {
    return this.store(ctx).query<InvitationRow>(
      `SELECT ${COLUMNS} FROM invitations WHERE workspace_id = $1 AND ${PENDING} ORDER BY created_at DESC, id DESC`,
    );
  }

  async find(ctx: AuthedContext, id: string): Promise<InvitationRow | undefined> {
    const [invitation] = await this.store(ctx).query<InvitationRow>(
      `SELECT ${COLUMNS} FROM invitations WHERE workspace_id = $1 AND id = $2 AND ${PENDING}`,
      [id],
    );
    return invitation;
  }

  /**
   * Creates an invitation and emails its link. The token is random, shown only in the email, and
   * stored as a hash. When the email cannot be sent the invitation is not kept, and the caller
   * gets an INTERNAL_SERVER_ERROR saying so.
   */
  async invite(ctx: AuthedContext, input: InviteInput): Promise<Result<InvitationRow>> {
    const { userId, workspaceId } = ctx.actor;
    const email = normalizeEmail(input.email);
    if (input.teamId && input.role !== Role.AGENT) {
      return fail(UserErrorCode.TEAM_NOT_FOR_ROLE, "Only agents belong to teams: leave teamId out for this role.", ["teamId"]);
    }
    // Invitations of one address wait for each other in this process until written or given up,
    // so that concurrent ones send one email; across processes the checks below, made again under
    // a lock before writing, still make one invitation.
    ctx.work.afterTransaction(await this.sending.acquire(`${workspaceId}:${email}`));
    // The checks, then the email, before the transaction: no connection or lock waits for the
    // mail server. When it refuses, nothing is written.
    const checked = await ctx.work.beforeTransaction((em) => this.invitable(new TenantStore(em, workspaceId), userId, email, input, false));
    if (!checked.ok) return checked;
    const token = generateToken();
    const id = uuidv7();
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + INVITATION_VALID_DAYS * 24 * 3600 * 1000);
    const message = invitationEmail({
      to: email,
      link: `${this.config.publicUrl}/invitations/accept?token=${encodeURIComponent(token)}`,
      workspaceName: checked.value.workspaceName,
      inviter: { name: checked.value.inviterName, email: checked.value.inviterEmail },
      role: input.role,
      teamName: checked.value.teamName,
      expiresAt,
    });
    try {
      await this.mailer.send(message);
    } catch (error) {
      throw new DependencyFailedError("The invitation email could not be sent, so no invitation was made. Try again later.", error);
    }
    // Then written, once the checks hold again under the locks. Should they fail now (a race),
    // the link just sent never works (INVITATION_INVALID).
    return refusable(ctx.work, async (em) => {
      const store = this.store(ctx, em);
      // One invitation at a time per workspace, so that two concurrent ones can neither both find
      // the address without a pending invitation nor both pass the limit.
      await store.query(`SELECT pg_advisory_xact_lock(hashtextextended('invitations:' || $1::text, 0))`);
      // Still an administrator: FOR SHARE waits for a removal or a change of role in progress, whose
      // revocation of this member's invitations then sees this one; after them, the row says so.
      const [inviter] = await store.query<{ role: Role }>(
        `SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2 FOR SHARE`,
        [userId],
      );
      if (inviter?.role !== Role.ADMINISTRATOR) throw new ForbiddenError("You are no longer an administrator of this workspace.");
      const again = await this.invitable(store, userId, email, input, true);
      if (!again.ok) return again;
      const [invitation] = await store.query<InvitationRow>(
        `INSERT INTO invitations (id, workspace_id, email, role, team_id, token_hash, invited_by_id, created_at, expires_at)
         VALUES ($2, $1, $3, $4, $5, $6, $7, $8, $9)
         RETURNING ${COLUMNS}`,
        [id, email, input.role, input.teamId, hashToken(token), userId, createdAt, expiresAt],
      );
      return ok(invitation);
    });
  }

  /**
   * Whether `email` may be invited now: the team exists (read FOR KEY SHARE when `lock`: deleteTeam,
   * which locks it FOR UPDATE, then sees the invitation), the address is no member and has no
   * pending invitation, and the workspace is under its limit. With the names the email shows.
   */
  private async invitable(
    store: TenantStore,
    inviterId: string,
    email: string,
    input: InviteInput,
    lock: boolean,
  ): Promise<Result<{ teamName: string | null; workspaceName: string; inviterName: string; inviterEmail: string }>> {
    let teamName: string | null = null;
    if (input.teamId) {
      const [team] = await store.query<{ name: string }>(
        `SELECT name FROM teams WHERE workspace_id = $1 AND id = $2${lock ? " FOR KEY SHARE" : ""}`,
        [input.teamId],
      );
      if (!team) return fail(UserErrorCode.NOT_FOUND, "No such team.", ["teamId"]);
      teamName = team.name;
    }
    const member = await store.query(
      `SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND u.email = $2`,
      [email],
    );
    if (member.length > 0) return fail(UserErrorCode.ALREADY_MEMBER, `${email} is already a member of this workspace.`, ["email"]);
    const [{ n }] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM invitations WHERE workspace_id = $1 AND ${PENDING}`);
    if (n >= MAX_PENDING_INVITATIONS) {
      return fail(
        UserErrorCode.LIMIT_REACHED,
        `A workspace has at most ${MAX_PENDING_INVITATIONS} pending invitations; revoke some or wait for them to be accepted.`,
      );
    }
    const pending = await store.query(`SELECT 1 FROM invitations WHERE workspace_id = $1 AND email = $2 AND ${PENDING}`, [email]);
    if (pending.length > 0) {
      return fail(UserErrorCode.ALREADY_INVITED, `${email} already has a pending invitation; revoke it to send a new one.`, ["email"]);
    }
    const [names] = await store.query<{ workspace_name: string; inviter_name: string; inviter_email: string }>(
      `SELECT w.name AS workspace_name, u.name AS inviter_name, u.email AS inviter_email
         FROM workspaces w, users u WHERE w.id = $1 AND u.id = $2`,
      [inviterId],
    );
    return ok({ teamName, workspaceName: names.workspace_name, inviterName: names.inviter_name, inviterEmail: names.inviter_email });
  }

  /** Revokes a pending invitation; any other id is NOT_FOUND. */
  async revoke(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const rows = returningRows<{ id: string }>(
      await this.store(ctx).query(
        `UPDATE invitations SET revoked_at = now() WHERE workspace_id = $1 AND id = $2 AND ${PENDING} RETURNING id`,
        [id],
      ),
    );
    return rows.length === 1 ? ok(id) : fail(UserErrorCode.NOT_FOUND, "No such pending invitation.", ["id"]);
  }

  /**
   * What the link of a pending invitation shows before it is accepted, to whoever holds it (no
   * login: the token is the credential, as for accept). It tells no more than the email carrying
   * the link, and whether the invited email has an account, which accepting would tell anyway.
   * An unknown, used, revoked or expired token finds nothing, whichever it is.
   */
  async preview(ctx: RequestContext, token: string): Promise<InvitationPreview | undefined> {
    // Found by its token, before its workspace is known: a lookup across workspaces.
    const [preview] = await unscoped(() =>
      ctx.work.em.query<InvitationPreview[]>(
        `SELECT w.name AS "workspaceName", u.name AS "inviterName", i.role, t.name AS "teamName", i.email,
                EXISTS (SELECT 1 FROM users a WHERE a.email = i.email) AS "hasAccount", i.expires_at AS "expiresAt"
           FROM invitations i
           JOIN workspaces w ON w.id = i.workspace_id
           JOIN users u ON u.id = i.invited_by_id
           LEFT JOIN teams t ON t.workspace_id = i.workspace_id AND t.id = i.team_id
          WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`,
        [hashToken(token)],
      ),
    );
    return preview;
  }

  /**
   * Joins the invitation's workspace with its role and team, and logs in there. The joining user
   * is the one logged in (whose email must be the invited one: EMAIL_MISMATCH), else the existing
   * user of that email with their password, else a new user with the given name and password.
   * An expired, revoked, used or unknown token is INVITATION_INVALID, whichever it is; of two
   * concurrent accepts of one token, exactly one succeeds.
   */
  async accept(ctx: RequestContext, input: AcceptInput): Promise<Result<Session>> {
    const tokenHash = hashToken(input.token);
    // Before the transaction: the invitation and who joins, their password checked or a new one
    // hashed (scrypt, 32 MiB), so that no connection waits on it. Found by its token, before its
    // workspace is known: a lookup across workspaces.
    const found = await unscoped(() =>
      ctx.work.beforeTransaction(async (em) => {
        const [invitation] = await em.query<InvitationRow[]>(`SELECT ${COLUMNS} FROM invitations WHERE token_hash = $1 AND ${PENDING}`, [
          tokenHash,
        ]);
        if (!invitation) return undefined;
        const [existing] = await em.query<Array<{ id: string; password_hash: string }>>(
          `SELECT id, password_hash FROM users WHERE email = $1`,
          [invitation.email],
        );
        const [me] = ctx.actor ? await em.query<Array<{ email: string }>>(`SELECT email FROM users WHERE id = $1`, [ctx.actor.userId]) : [];
        return { invitation, existing, myEmail: me?.email };
      }),
    );
    if (!found) return invalid();
    const joining = await this.joiningUser(ctx, found, input);
    if (!joining.ok) return joining;
    let result: Result<Session>;
    try {
      result = await unscoped(() => refusable(ctx.work, (em) => this.acceptIn(em, tokenHash, found.invitation.id, joining.value)));
    } catch (error) {
      if (uniqueViolation(error) === "memberships_workspace_user_key") {
        return fail(UserErrorCode.ALREADY_MEMBER, "You are already a member of this workspace.");
      }
      throw error;
    }
    // The rest of the request (the payload's viewer) reads the workspace just joined.
    if (result.ok) bindSqlScope(result.value.workspaceId);
    return result;
  }

  private async acceptIn(em: EntityManager, tokenHash: Buffer, invitationId: string, joining: Joining): Promise<Result<Session>> {
    // FOR UPDATE: a concurrent accept of the same token waits here, then finds it used.
    const [invitation] = await em.query<InvitationRow[]>(
      `SELECT ${COLUMNS} FROM invitations WHERE token_hash = $1 AND id = $2 AND ${PENDING} FOR UPDATE`,
      [tokenHash, invitationId],
    );
    if (!invitation) return invalid();
    let userId: string;
    if ("userId" in joining) {
      userId = joining.userId;
    } else {
      const created = await em.query<Array<{ id: string }>>(
        `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
        [joining.newUser.id, invitation.email, joining.newUser.name, joining.newUser.passwordHash],
      );
      if (created.length === 0) {
        return fail(UserErrorCode.EMAIL_TAKEN, "An account with this email was created meanwhile: accept again with its password.", [
          "password",
        ]);
      }
      userId = joining.newUser.id;
    }
    const { workspaceId } = invitation;
    const member = await em.query(`SELECT 1 FROM memberships WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId]);
    if (member.length > 0) return fail(UserErrorCode.ALREADY_MEMBER, "You are already a member of this workspace.");
    if (!(await this.identity.mayJoinAnother(em, userId))) {
      return fail(UserErrorCode.LIMIT_REACHED, `A user belongs to at most ${MAX_WORKSPACES_PER_USER} workspaces.`);
    }
    await em.query(`INSERT INTO memberships (id, workspace_id, user_id, role, team_id, last_login_at) VALUES ($2, $1, $3, $4, $5, now())`, [
      workspaceId,
      uuidv7(),
      userId,
      invitation.role,
      invitation.teamId,
    ]);
    await em.query(`UPDATE invitations SET accepted_at = now(), accepted_by_id = $3 WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      invitation.id,
      userId,
    ]);
    const token = await this.identity.issueToken(em, { userId, workspaceId, kind: TokenKind.SESSION, name: null });
    return ok({ token, userId, workspaceId, role: invitation.role, teamId: invitation.teamId });
  }

  /**
   * Who joins: the logged-in user (whose email must be the invited one), the existing user of the
   * email by their password, or a new user with the given name and password. Runs before the
   * transaction: a password is checked, or hashed, without holding a connection.
   */
  private async joiningUser(
    ctx: RequestContext,
    found: { invitation: InvitationRow; existing: { id: string; password_hash: string } | undefined; myEmail: string | undefined },
    input: AcceptInput,
  ): Promise<Result<Joining>> {
    const { email } = found.invitation;
    if (ctx.actor) {
      if (found.myEmail !== email) {
        return fail(UserErrorCode.EMAIL_MISMATCH, "This invitation is for another email address than the one you are logged in with.");
      }
      return ok({ userId: ctx.actor.userId });
    }
    if (found.existing) {
      if (!input.password) throw new BadInputError("password", "You already have an account: give its password, or log in first.");
      // Counted with logIn's failures: an invitation link is no way around its lockout.
      const claim = { email, address: ctx.clientAddress, password: input.password };
      if (!(await this.identity.passwords.check(claim, found.existing.password_hash))) {
        return fail(UserErrorCode.INVALID_CREDENTIALS, "Wrong password.", ["password"]);
      }
      return ok({ userId: found.existing.id });
    }
    const name = input.name?.trim();
    if (!name) throw new BadInputError("name", "A new account needs a name and a password.");
    if (!input.password || input.password.length < MIN_PASSWORD_LENGTH) {
      throw new BadInputError("password", `A new account needs a password of at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    return ok({ newUser: { id: uuidv7(), name, passwordHash: await hashPassword(input.password) } });
  }
}
