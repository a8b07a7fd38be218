import type { DataSource, EntityManager } from "typeorm";
import { generatePassword, hashPassword } from "../../auth/password";
import { PasswordGate } from "../../auth/password-gate";
import { generateToken, hashToken } from "../../auth/tokens";
import type { Config } from "../../config";
import type { AuthedContext, RequestContext } from "../../context";
import { bindSqlScope, unscoped } from "../../db/sql-scope";
import { inTransaction } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { ApiToken, Membership, Role, TokenKind, User, Workspace } from "../../entities";
import type { SessionChanges } from "./session-events";
import { SYSTEM_TOPIC_NAME } from "../tickets/topic.service";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

export interface Session {
  token: string;
  userId: string;
  workspaceId: string;
  role: Role;
  teamId: string | null;
}

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  workspaceName: string;
}

export interface LogInInput {
  email: string;
  password: string;
  workspaceId?: string | null;
}

/** Workspaces one user may belong to. */
export const MAX_WORKSPACES_PER_USER = 100;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const UNIQUE_VIOLATION = "23505";

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

/**
 * A session's answer reads the session's workspace, not the caller's (a token of another
 * workspace may have been sent along): bind the request to it.
 */
function answerFor(result: Result<Session>): Result<Session> {
  if (result.ok) bindSqlScope(result.value.workspaceId);
  return result;
}

/** Sign-up, logIn and logOut, and the first administrator of a brand-new database. */
export class IdentityService {
  /** Where every password is checked, and failures counted toward one lockout (acceptInvitation's too). */
  readonly passwords: PasswordGate;

  constructor(
    private readonly config: Config,
    private readonly sessions: SessionChanges,
  ) {
    this.passwords = new PasswordGate(config);
  }

  /**
   * Creates a user, a workspace and its administrator membership, and logs in. An existing user
   * who gives their password gets one more workspace; anyone else gets EMAIL_TAKEN.
   */
  async signUp(ctx: RequestContext, input: SignUpInput): Promise<Result<Session>> {
    if (this.config.signupDisabled) {
      return fail(UserErrorCode.SIGNUP_DISABLED, "Signing up is turned off on this server; ask an administrator for an invitation.");
    }
    const email = normalizeEmail(input.email);
    return answerFor(
      await unscoped(async () => {
        // Read, and its password checked, before the transaction begins: no connection waits on scrypt.
        const existing = await ctx.work.beforeTransaction((em) => this.findUserWithHash(em, email));
        // A password check like logIn's, counted toward the same lockout: signing up again is no
        // way to guess an account's password.
        if (
          existing &&
          !(await this.passwords.check({ email, address: ctx.clientAddress, password: input.password }, existing.passwordHash))
        ) {
          return fail(UserErrorCode.EMAIL_TAKEN, "An account with this email already exists.", ["email"]);
        }
        const passwordHash = existing ? undefined : await hashPassword(input.password);
        try {
          return await refusable(ctx.work, async (em): Promise<Result<Session>> => {
            const userId = existing?.id ?? uuidv7();
            if (!existing && passwordHash) {
              await em.insert(User, { id: userId, email, name: input.name.trim(), passwordHash });
            } else if (!(await this.mayJoinAnother(em, userId))) {
              return fail(UserErrorCode.LIMIT_REACHED, `A user belongs to at most ${MAX_WORKSPACES_PER_USER} workspaces.`, ["email"]);
            }
            const workspaceId = await this.createWorkspace(em, input.workspaceName.trim(), userId);
            const token = await this.issueToken(em, { userId, workspaceId, kind: TokenKind.SESSION, name: null });
            await em.update(Membership, { workspaceId, userId }, { lastLoginAt: new Date() });
            return ok({ token, userId, workspaceId, role: Role.ADMINISTRATOR, teamId: null });
          });
        } catch (error) {
          if (isUniqueViolation(error)) {
            return fail(UserErrorCode.EMAIL_TAKEN, "An account with this email already exists.", ["email"]);
          }
          throw error;
        }
      }),
    );
  }

  /**
   * Logs in to the given workspace, else the user's only one, else the one they used last.
   * A wrong email and a wrong password get the same answer after the same work. Too many
   * failures for the email or from the client's address: RATE_LIMITED, without checking anything.
   */
  async logIn(ctx: RequestContext, input: LogInInput): Promise<Result<Session>> {
    const email = normalizeEmail(input.email);
    return answerFor(
      await unscoped(async () => {
        const user = await ctx.work.beforeTransaction((em) => this.findUserWithHash(em, email));
        const valid = await this.passwords.check({ email, address: ctx.clientAddress, password: input.password }, user?.passwordHash);
        if (!user || !valid) return fail(UserErrorCode.INVALID_CREDENTIALS, "Wrong email or password.");
        const memberships = await ctx.work.em.getRepository(Membership).find({
          where: { userId: user.id },
          order: { lastLoginAt: { direction: "DESC", nulls: "LAST" }, createdAt: "DESC" },
        });
        const membership = input.workspaceId ? memberships.find((m) => m.workspaceId === input.workspaceId) : memberships[0];
        if (!membership) {
          return input.workspaceId
            ? fail(UserErrorCode.NOT_A_MEMBER, "You are not a member of this workspace.", ["workspaceId"])
            : fail(UserErrorCode.NOT_A_MEMBER, "You are not a member of any workspace.");
        }
        const token = await ctx.work.transaction(async (em) => {
          await em.update(Membership, { id: membership.id, workspaceId: membership.workspaceId }, { lastLoginAt: new Date() });
          return this.issueToken(em, { userId: user.id, workspaceId: membership.workspaceId, kind: TokenKind.SESSION, name: null });
        });
        return ok({ token, userId: user.id, workspaceId: membership.workspaceId, role: membership.role, teamId: membership.teamId });
      }),
    );
  }

  /** Revokes the token the request came with. */
  async logOut(ctx: AuthedContext): Promise<boolean> {
    const { actor } = ctx;
    await ctx.work.em
      .getRepository(ApiToken)
      .update({ id: actor.tokenId, workspaceId: actor.workspaceId, userId: actor.userId }, { revokedAt: new Date() });
    this.sessions.changed(actor.workspaceId);
    return true;
  }

  /**
   * On a database with no user at all, creates the first workspace and its administrator.
   * Returns the generated password when none was configured, for the terminal only.
   */
  async bootstrap(db: DataSource): Promise<{ email: string; generatedPassword: string | undefined } | undefined> {
    const users = await db.getRepository(User).count();
    if (users > 0) return undefined;
    const email = normalizeEmail(this.config.adminEmail ?? "admin@example.com");
    const generatedPassword = this.config.adminPassword ? undefined : generatePassword();
    const passwordHash = await hashPassword(this.config.adminPassword ?? (generatedPassword as string));
    await inTransaction(db, async (em) => {
      const userId = uuidv7();
      await em.insert(User, { id: userId, email, name: "Administrator", passwordHash });
      await this.createWorkspace(em, this.config.workspaceName, userId);
    });
    return { email, generatedPassword };
  }

  /**
   * Whether a user may join one more workspace (MAX_WORKSPACES_PER_USER). Locks the user's row, so
   * that concurrent sign-ups and invitations of one user keep the limit exact.
   */
  async mayJoinAnother(em: EntityManager, userId: string): Promise<boolean> {
    await em.query(`SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE`, [userId]);
    const [{ n }] = await unscoped(() =>
      em.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM memberships WHERE user_id = $1`, [userId]),
    );
    return n < MAX_WORKSPACES_PER_USER;
  }

  /** A workspace with its first administrator, its system topic and its system group. */
  private async createWorkspace(em: EntityManager, name: string, adminUserId: string): Promise<string> {
    const workspaceId = uuidv7();
    await em.insert(Workspace, { id: workspaceId, name });
    await em.insert(Membership, { id: uuidv7(), workspaceId, userId: adminUserId, role: Role.ADMINISTRATOR });
    await em.query(`INSERT INTO topics (id, workspace_id, name, is_system) VALUES ($2, $1, $3, true)`, [
      workspaceId,
      uuidv7(),
      SYSTEM_TOPIC_NAME,
    ]);
    await em.query(`INSERT INTO contact_groups (id, workspace_id, name, is_system) VALUES ($2, $1, 'Open Tickets', true)`, [
      workspaceId,
      uuidv7(),
    ]);
    return workspaceId;
  }

  async issueToken(
    em: EntityManager,
    opts: { userId: string; workspaceId: string; kind: TokenKind; name: string | null },
  ): Promise<string> {
    const token = generateToken();
    await em.insert(ApiToken, { id: uuidv7(), ...opts, tokenHash: hashToken(token) });
    return token;
  }

  private findUserWithHash(em: EntityManager, email: string): Promise<(User & { passwordHash: string }) | null> {
    return em
      .getRepository(User)
      .createQueryBuilder("u")
      .addSelect("u.passwordHash")
      .where("u.email = :email", { email })
      .getOne();
  }
}
