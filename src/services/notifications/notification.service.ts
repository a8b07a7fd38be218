import type { DataSource, EntityManager } from "typeorm";
import type { AuthedContext, RequestContext } from "../../context";
import { MEMBER_TOPICS_SQL } from "../team/visibility";
import { columnsOf } from "../../db/columns";
import { Notification } from "../../entities";
import { feedWindowSql, type ParsedCursor, parseEventCursor } from "../tickets/event-log";
import { BadInputError } from "../../errors";
import { fail, ok, type Result, UserErrorCode } from "../user-error";

/** The position is read as the cursor "txId.seq". */
const NOT_READ = ["txId", "seq"] as const;

/** A notification as read: its cursor, and the topic its ticket is in now (for the visibility policy at read). */
export type NotificationRow = Omit<Notification, (typeof NOT_READ)[number]> & { cursor: string; ticketTopicId: string };

const COLUMNS = `${columnsOf(Notification, "n", { except: NOT_READ, extra: { cursor: "n.tx_id::text || '.' || n.seq::text" } })},
  t.topic_id AS "ticketTopicId"`;

/** A page of the viewer's notifications, newest first. */
export interface NotificationPage {
  rows: NotificationRow[];
  hasNextPage: boolean;
}

/**
 * The viewer's notifications (written with the changes that cause them, see notify.ts). At read,
 * as at write, a member sees only those about tickets in their topics now.
 */
export class NotificationService {
  /** Newest first (by feed position), `first` after a cursor of this list; only the unseen with `unseenOnly`. */
  async page(ctx: AuthedContext, first: number, after: string | undefined, unseenOnly: boolean): Promise<NotificationPage> {
    const cursor = after === undefined ? undefined : parseEventCursor(after);
    if (after !== undefined && !cursor) throw new BadInputError("after", "after is not a cursor this list gave out.");
    const rows = await ctx.work.query<NotificationRow[]>(
      `SELECT ${COLUMNS}
         FROM notifications n JOIN tickets t ON t.workspace_id = n.workspace_id AND t.id = n.ticket_id
        WHERE n.workspace_id = $1 AND n.user_id = $2
          AND ($3::uuid[] IS NULL OR t.topic_id = ANY($3))
          AND ($4::bigint IS NULL OR (n.tx_id, n.seq) < ($4::bigint, $5::bigint))
          AND (NOT $6 OR n.seen_at IS NULL)
        ORDER BY n.tx_id DESC, n.seq DESC
        LIMIT $7`,
      [ctx.actor.workspaceId, ctx.actor.userId, ctx.actor.topicIds, cursor?.txId ?? null, cursor?.seq ?? null, unseenOnly, first + 1],
    );
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /**
   * How many of a member's notifications are unseen (about tickets they see now). The member is
   * named, not taken from the request: a viewer in a payload (logIn, signUp) is not the caller.
   */
  async unseenCount(ctx: RequestContext, member: { workspaceId: string; userId: string }): Promise<number> {
    const [{ n }] = await ctx.work.query<Array<{ n: number }>>(
      `WITH scope AS (
         SELECT ${MEMBER_TOPICS_SQL} AS topic_ids
           FROM memberships m LEFT JOIN teams tm ON tm.id = m.team_id
          WHERE m.workspace_id = $1 AND m.user_id = $2
       )
       SELECT count(*)::int AS n
         FROM scope, notifications x JOIN tickets t ON t.workspace_id = x.workspace_id AND t.id = x.ticket_id
        WHERE x.workspace_id = $1 AND x.user_id = $2 AND x.seen_at IS NULL AND (scope.topic_ids IS NULL OR t.topic_id = ANY(scope.topic_ids))`,
      [member.workspaceId, member.userId],
    );
    return n;
  }

  /** One of the viewer's notifications, if they may see it. */
  async find(ctx: AuthedContext, id: string): Promise<NotificationRow | undefined> {
    const [row] = await ctx.work.query<NotificationRow[]>(
      `SELECT ${COLUMNS}
         FROM notifications n JOIN tickets t ON t.workspace_id = n.workspace_id AND t.id = n.ticket_id
        WHERE n.workspace_id = $1 AND n.user_id = $2 AND n.id = $3 AND ($4::uuid[] IS NULL OR t.topic_id = ANY($4))`,
      [ctx.actor.workspaceId, ctx.actor.userId, id, ctx.actor.topicIds],
    );
    return row;
  }

  /**
   * Marks the viewer's notifications seen: these ids (all or nothing: one that is not theirs is
   * NOT_FOUND and nothing is marked), or all of them. Answers the unseen count after; a refusal
   * carries the unseen count as it stays.
   */
  async markSeen(ctx: AuthedContext, which: { ids: string[] } | { all: true }): Promise<Result<number, number>> {
    const { workspaceId, userId } = ctx.actor;
    if ("ids" in which) {
      const mine = await ctx.work.query<Array<{ id: string }>>(
        `SELECT id FROM notifications WHERE workspace_id = $1 AND user_id = $2 AND id = ANY($3)`,
        [workspaceId, userId, which.ids],
      );
      const known = new Set(mine.map((r) => r.id));
      const missing = which.ids.findIndex((id) => !known.has(id));
      if (missing >= 0) {
        const unseen = await this.unseenCount(ctx, ctx.actor);
        return fail(UserErrorCode.NOT_FOUND, "No such notification of yours.", ["ids", String(missing)], unseen);
      }
    }
    await ctx.work.query(
      `UPDATE notifications SET seen_at = now()
        WHERE workspace_id = $1 AND user_id = $2 AND seen_at IS NULL AND ($3::uuid[] IS NULL OR id = ANY($3))`,
      [workspaceId, userId, "ids" in which ? which.ids : null],
    );
    return ok(await this.unseenCount(ctx, ctx.actor));
  }
}

/** A workspace's notifications after a cursor, oldest first, below the horizon: the subscription feed. */
export async function readNotificationsAfter(
  db: DataSource | EntityManager,
  workspaceId: string,
  after: ParsedCursor | undefined,
  limit: number,
): Promise<NotificationRow[]> {
  return db.query<NotificationRow[]>(
    `SELECT ${COLUMNS}
       FROM notifications n JOIN tickets t ON t.workspace_id = n.workspace_id AND t.id = n.ticket_id
      WHERE n.workspace_id = $1 AND ${feedWindowSql("n")}`,
    [workspaceId, after?.txId ?? null, after?.seq ?? null, limit],
  );
}
