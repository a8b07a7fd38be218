import type { DataSource } from "typeorm";
import type { EventRow } from "../db/rows";
import { inWorkspaceScope, runInSqlScope, unscoped } from "../db/sql-scope";
import { currentHorizon, type ParsedCursor, readEventsAfter } from "../services/tickets/event-log";
import { type FlowStartRow, readFlowStarts } from "../services/integrations/flow-start.service";
import type { FeedSource } from "./feed";
import { type NotificationRow, readNotificationsAfter } from "../services/notifications/notification.service";

/**
 * Which of these workspaces have rows of a feed table after their cursor, below the horizon. It
 * spans workspaces by nature (the sweep of every feed of this process) and returns only their
 * ids; the rows themselves are read in each workspace's own scope.
 */
function changedIn(db: DataSource, table: "ticket_events" | "flow_starts" | "notifications", label: string) {
  return (tails: ReadonlyArray<{ workspaceId: string; after: ParsedCursor }>): Promise<Set<string>> =>
    runInSqlScope(label, () =>
      unscoped(async () => {
        const rows = await db.query<Array<{ workspaceId: string }>>(
          `SELECT t.w::text AS "workspaceId"
             FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS t(w, tx, seq)
            WHERE EXISTS (SELECT 1 FROM ${table} x
                           WHERE x.workspace_id = t.w AND (x.tx_id, x.seq) > (t.tx, t.seq)
                             AND x.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint)`,
          [tails.map((t) => t.workspaceId), tails.map((t) => t.after.txId), tails.map((t) => t.after.seq)],
        );
        return new Set(rows.map((r) => r.workspaceId));
      }),
    );
}

/** The ticket event log as a feed. Each read is its own unit of work in the workspace's scope. */
export function eventSource(db: DataSource): FeedSource<EventRow> {
  return {
    read: (workspaceId, after, limit) =>
      inWorkspaceScope("feed:events", workspaceId, async () => {
        if (limit === 0) return { rows: [], horizon: await currentHorizon(db) };
        const { events, horizon } = await readEventsAfter(db, workspaceId, { after, limit });
        return { rows: events, horizon };
      }),
    changed: changedIn(db, "ticket_events", "feed:events:sweep"),
  };
}

/** The flow starts outbox as a feed. */
export function flowStartSource(db: DataSource): FeedSource<FlowStartRow> {
  return {
    read: (workspaceId, after, limit) =>
      inWorkspaceScope("feed:flowStarts", workspaceId, async () => {
        if (limit === 0) return { rows: [], horizon: await currentHorizon(db) };
        return { rows: await readFlowStarts(db, workspaceId, after, limit), horizon: "0.0" };
      }),
    changed: changedIn(db, "flow_starts", "feed:flowStarts:sweep"),
  };
}

/** Notifications as a feed: every member's of the workspace; each subscriber takes their own. */
export function notificationSource(db: DataSource): FeedSource<NotificationRow> {
  return {
    read: (workspaceId, after, limit) =>
      inWorkspaceScope("feed:notifications", workspaceId, async () => {
        if (limit === 0) return { rows: [], horizon: await currentHorizon(db) };
        return { rows: await readNotificationsAfter(db, workspaceId, after, limit), horizon: "0.0" };
      }),
    changed: changedIn(db, "notifications", "feed:notifications:sweep"),
  };
}
