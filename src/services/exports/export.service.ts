import type { AuthedContext } from "../../context";
import { columnsOf } from "../../db/columns";
import { uuidv7 } from "../../db/uuid";
import { ExportStatus, TicketExport } from "../../entities";
import type { InboxFilter } from "../tickets/inbox.service";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";
import type { ExportRunner } from "./export-runner";

/**
 * The filter as stored (jsonb): a lone UTF-16 surrogate, which JSON can escape but PostgreSQL
 * refuses, becomes U+FFFD, as the tickets query's search receives it (its text is sent as UTF-8).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
function wellFormedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? v.replace(LONE_SURROGATE, "\uFFFD") : v));
}

/** An export as read: every column of its row. */
export type ExportRow = TicketExport;

export const EXPORT_COLUMNS = columnsOf(TicketExport, "x");

/** The states an export no longer leaves by itself (EXPIRED follows DONE, later). */
export const FINISHED: ReadonlySet<ExportStatus> = new Set([ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED]);

/** How far it has got, 0..1: rows written over the tickets counted at start (1 once DONE). */
export function progressOf(row: Pick<ExportRow, "status" | "rowCount" | "totalCount">): number {
  if (row.status === ExportStatus.DONE || row.status === ExportStatus.EXPIRED) return 1;
  if (row.totalCount <= 0) return 0;
  return Math.min(1, row.rowCount / row.totalCount);
}

/**
 * Ticket exports as their requester asks for and sees them: starting one, their list, one of
 * them, their download. The work itself runs in the background (ExportRunner).
 */
export class ExportService {
  constructor(
    readonly runner: ExportRunner,
    private readonly maxActivePerMember: number,
    /** The server's address as clients reach it (PUBLIC_URL), which download links start with. */
    readonly publicUrl: string,
  ) {}

  /**
   * Starts an export of the tickets of `filter` as the viewer sees them; it runs once this
   * transaction commits. A member has at most `maxActivePerMember` exports pending or running
   * (TOO_MANY_EXPORTS), counted under a lock on their membership so that calls at once count right.
   */
  async start(ctx: AuthedContext, filter: InboxFilter): Promise<Result<ExportRow>> {
    const { workspaceId, userId } = ctx.actor;
    return refusable(ctx.work, async (em) => {
      await em.query(`SELECT id FROM memberships WHERE workspace_id = $1 AND user_id = $2 FOR NO KEY UPDATE`, [workspaceId, userId]);
      const [{ n }] = await em.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM ticket_exports
          WHERE workspace_id = $1 AND user_id = $2 AND status IN ('${ExportStatus.PENDING}', '${ExportStatus.RUNNING}')`,
        [workspaceId, userId],
      );
      if (n >= this.maxActivePerMember) {
        return fail<ExportRow>(
          UserErrorCode.TOO_MANY_EXPORTS,
          `You have ${n} exports still running: at most ${this.maxActivePerMember} at once. Wait for one to finish.`,
        );
      }
      const [row] = await em.query<ExportRow[]>(
        `INSERT INTO ticket_exports AS x (id, workspace_id, user_id, filter) VALUES ($2, $1, $3, $4) RETURNING ${EXPORT_COLUMNS}`,
        [workspaceId, uuidv7(), userId, wellFormedJson(filter)],
      );
      ctx.work.afterCommit(() => this.runner.start(row.id, workspaceId));
      return ok(row);
    });
  }

  /** The viewer's own exports, newest first. */
  list(ctx: AuthedContext, first: number): Promise<ExportRow[]> {
    return ctx.work.query<ExportRow[]>(
      `SELECT ${EXPORT_COLUMNS} FROM ticket_exports x
        WHERE x.workspace_id = $1 AND x.user_id = $2 ORDER BY x.created_at DESC, x.id DESC LIMIT $3`,
      [ctx.actor.workspaceId, ctx.actor.userId, first],
    );
  }

  /** One of the viewer's own exports; anyone else's does not exist for them. */
  async find(ctx: AuthedContext, id: string): Promise<ExportRow | undefined> {
    const [row] = await ctx.work.query<ExportRow[]>(
      `SELECT ${EXPORT_COLUMNS} FROM ticket_exports x WHERE x.workspace_id = $1 AND x.user_id = $2 AND x.id = $3`,
      [ctx.actor.workspaceId, ctx.actor.userId, id],
    );
    return row;
  }

  /** The path of a DONE export's download, with a fresh single-use token; null otherwise. */
  downloadPath(row: ExportRow): string | null {
    if (row.status !== ExportStatus.DONE || !row.expiresAt || row.expiresAt.getTime() <= Date.now()) return null;
    return `/exports/${row.id}/download?token=${this.runner.links.sign(row.id, row.expiresAt)}`;
  }
}
