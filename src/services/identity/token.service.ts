import { type DataSource, IsNull } from "typeorm";
import { MEMBER_TOPICS_SQL } from "../team/visibility";
import { ActorCache } from "../../auth/actor-cache";
import { hashToken } from "../../auth/tokens";
import type { Config } from "../../config";
import type { Actor, AuthedContext } from "../../context";
import { unscoped } from "../../db/sql-scope";
import { TenantStore } from "../../db/tenant";
import { ApiToken, Role, TokenKind } from "../../entities";
import type { IdentityService } from "./identity.service";
import type { SessionChanges } from "./session-events";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

/** API tokens that work at once, per member: enough for every integration, few enough to list and rate-limit. */
export const MAX_API_TOKENS = 25;

/** How often lastUsedAt is written: at most once a minute per token, not on every request. */
const TOUCH_INTERVAL_SECONDS = 60;

interface TokenRow {
  id: string;
  kind: TokenKind;
  workspace_id: string;
  user_id: string;
  membership_id: string;
  role: Role;
  team_id: string | null;
  topic_ids: string[] | null;
  can_assign: boolean;
  can_reply_to_others: boolean;
}

export interface ApiTokenView {
  token: ApiToken;
  role: Role;
}

/** Bearer tokens: authentication of every request, and the API tokens members manage. */
/** Why a token no longer works, as a WebSocket's 4403 close reason tells it. */
export type TokenRefusal = "UNAUTHENTICATED" | "MEMBER_REMOVED";

export class TokenService {
  private readonly actors: ActorCache;

  constructor(
    private readonly db: DataSource,
    private readonly config: Config,
    private readonly identity: IdentityService,
    private readonly sessions: SessionChanges,
  ) {
    this.actors = new ActorCache(config.authCacheMs);
  }

  /**
   * Resolves a bearer token to the member it acts for, with the topics of their team, in one
   * statement: a revoked token, an idle session or a removed membership finds nothing. Also
   * records when it was last used. The answer is remembered for AUTH_CACHE_MS, or until a
   * change to the workspace's tokens, members or teams is announced (see ActorCache).
   */
  async authenticate(token: string): Promise<Actor | undefined> {
    if (token.length < 8 || token.length > 200) return undefined;
    const hash = hashToken(token);
    const key = hash.toString("base64");
    const remembered = this.actors.get(key);
    if (remembered) return remembered;
    const generation = this.actors.begin();
    const [actor] = await this.actorsOf("token_hash = $3", hash);
    if (actor) this.actors.set(key, actor, generation);
    return actor;
  }

  /** Tokens, members or teams of a workspace changed (undefined: any): who tokens act for is read again. */
  forgetActors(workspaceId: string | undefined): void {
    this.actors.forget(workspaceId);
  }

  /**
   * The members that tokens, by id, act for now: what live connections are checked against when
   * tokens, memberships or teams change. A token missing from the answer no longer works.
   */
  async currentActors(tokenIds: readonly string[]): Promise<Map<string, Actor>> {
    const actors = tokenIds.length === 0 ? [] : await this.actorsOf("id = ANY($3::uuid[])", [...tokenIds]);
    return new Map(actors.map((actor) => [actor.tokenId, actor]));
  }

  /**
   * Why tokens that do not work were refused, by token id: MEMBER_REMOVED when the token's user is
   * no longer a member of its workspace, else UNAUTHENTICATED (revoked, logged out or idle too
   * long). Read only for refused connections, so it costs nothing while tokens work.
   */
  async refusals(tokenIds: readonly string[]): Promise<Map<string, TokenRefusal>> {
    const removed = await this.removedMembers("t.id = ANY($1::uuid[])", [...tokenIds]);
    return new Map(tokenIds.map((id) => [id, removed.has(id) ? "MEMBER_REMOVED" : "UNAUTHENTICATED"]));
  }

  /** Why a bearer token that does not work was refused (an unknown token is UNAUTHENTICATED). */
  async refusal(token: string): Promise<TokenRefusal> {
    const removed = await this.removedMembers("t.token_hash = $1", hashToken(token));
    return removed.size > 0 ? "MEMBER_REMOVED" : "UNAUTHENTICATED";
  }

  /** Ids of the tokens matching the condition whose user is no longer a member of the token's workspace. */
  private async removedMembers(tokenCondition: string, value: unknown): Promise<Set<string>> {
    const rows = await unscoped(() =>
      this.db.query<Array<{ id: string }>>(
        `SELECT t.id FROM api_tokens t
          WHERE ${tokenCondition}
            AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = t.workspace_id AND m.user_id = t.user_id)`,
        [value],
      ),
    );
    return new Set(rows.map((row) => row.id));
  }

  private async actorsOf(tokenCondition: string, value: unknown): Promise<Actor[]> {
    const rows = await unscoped(() =>
      this.db.query<TokenRow[]>(
        `WITH t AS (
           SELECT id, kind, workspace_id, user_id, last_used_at
             FROM api_tokens
            WHERE ${tokenCondition} AND revoked_at IS NULL
              AND (kind = 'API' OR coalesce(last_used_at, created_at) > now() - make_interval(days => $1))
         ), touched AS (
           UPDATE api_tokens SET last_used_at = now()
             FROM t
            WHERE api_tokens.id = t.id
              AND (t.last_used_at IS NULL OR t.last_used_at < now() - make_interval(secs => $2))
           RETURNING api_tokens.id
         )
         SELECT t.id, t.kind, t.workspace_id, t.user_id, m.id AS membership_id, m.role, m.team_id,
                m.role <> 'AGENT' OR m.can_assign AS can_assign, m.role <> 'AGENT' OR m.can_reply_to_others AS can_reply_to_others,
                ${MEMBER_TOPICS_SQL} AS topic_ids
           FROM t JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id
           LEFT JOIN teams tm ON tm.id = m.team_id`,
        [this.config.sessionIdleDays, TOUCH_INTERVAL_SECONDS, value],
      ),
    );
    return rows.map((row) => ({
      tokenId: row.id,
      tokenKind: row.kind,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      membershipId: row.membership_id,
      role: row.role,
      teamId: row.team_id,
      topicIds: row.topic_ids,
      canAssign: row.can_assign,
      canReplyToOthers: row.can_reply_to_others,
    }));
  }

  async create(ctx: AuthedContext, name: string): Promise<Result<{ token: string; apiToken: ApiTokenView }>> {
    const { actor } = ctx;
    return refusable(ctx.work, async (em) => {
      // The membership row keeps the limit exact when one member creates tokens concurrently.
      await em.query(`SELECT id FROM memberships WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE`, [
        actor.workspaceId,
        actor.membershipId,
      ]);
      const [{ n }] = await em.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM api_tokens WHERE workspace_id = $1 AND user_id = $2 AND kind = 'API' AND revoked_at IS NULL`,
        [actor.workspaceId, actor.userId],
      );
      if (n >= MAX_API_TOKENS) {
        return fail<{ token: string; apiToken: ApiTokenView }>(
          UserErrorCode.LIMIT_REACHED,
          `A member has at most ${MAX_API_TOKENS} API tokens; revoke one first.`,
        );
      }
      const token = await this.identity.issueToken(em, {
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        kind: TokenKind.API,
        name: name.trim(),
      });
      const stored = await new TenantStore(em, actor.workspaceId).findOne(ApiToken, { tokenHash: hashToken(token) });
      if (!stored) throw new Error("the token just created was not found");
      return ok({ token, apiToken: { token: stored, role: actor.role } });
    });
  }

  /** Revokes one of the caller's own API tokens; anyone else's is NOT_FOUND. */
  async revoke(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const { actor } = ctx;
    const changed = await new TenantStore(ctx.work.em, actor.workspaceId).update(
      ApiToken,
      { id, userId: actor.userId, kind: TokenKind.API, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    if (changed !== 1) return fail(UserErrorCode.NOT_FOUND, "No such API token.", ["id"]);
    this.sessions.changed(actor.workspaceId);
    return ok(id);
  }

  /** The caller's API tokens in this workspace that still work, newest first. */
  async list(ctx: AuthedContext): Promise<ApiTokenView[]> {
    const { actor } = ctx;
    const tokens = await new TenantStore(ctx.work.em, actor.workspaceId).find(
      ApiToken,
      { userId: actor.userId, kind: TokenKind.API, revokedAt: IsNull() },
      { order: { createdAt: "DESC" } },
    );
    return tokens.map((token) => ({ token, role: actor.role }));
  }

  async findOwn(ctx: AuthedContext, id: string): Promise<ApiTokenView | undefined> {
    const { actor } = ctx;
    const token = await new TenantStore(ctx.work.em, actor.workspaceId).findOne(ApiToken, {
      id,
      userId: actor.userId,
      kind: TokenKind.API,
      revokedAt: IsNull(),
    });
    return token ? { token, role: actor.role } : undefined;
  }
}
