import type { DataSource } from "typeorm";
import type { EventRow } from "../db/rows";
import { inWorkspaceScope } from "../db/sql-scope";
import { currentHorizon, readEventsAfter } from "../services/event-log";
import type { FlowStartRow, FlowStartService } from "../services/flow-start.service";
import type { FeedSource } from "./feed";

/** The ticket event log as a feed. Each read is its own unit of work in the workspace's scope. */
export function eventSource(db: DataSource): FeedSource<EventRow> {
  return {
    read: (workspaceId, after, limit) =>
      inWorkspaceScope("feed:events", workspaceId, async () => {
        if (limit === 0) return { rows: [], horizon: await currentHorizon(db) };
        const { events, horizon } = await readEventsAfter(db, workspaceId, { after, limit });
        return { rows: events, horizon };
      }),
  };
}

/** The flow starts outbox as a feed. */
export function flowStartSource(db: DataSource, flowStarts: FlowStartService): FeedSource<FlowStartRow> {
  return {
    read: (workspaceId, after, limit) =>
      inWorkspaceScope("feed:flowStarts", workspaceId, async () => {
        if (limit === 0) return { rows: [], horizon: await currentHorizon(db) };
        return { rows: await flowStarts.read(workspaceId, after, limit), horizon: "0.0" };
      }),
  };
}
