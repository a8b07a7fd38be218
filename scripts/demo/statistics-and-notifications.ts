import type { Client } from "pg";
import type { DataSource } from "typeorm";
import { rebuildStatistics } from "../../src/services/statistics/record";

/**
 * Notifications and ticket statistics for the demo.
 *
 * Notifications are written by the product itself in the transactions of the story, played
 * through the API, and the story clock moves their times with the rest (clock.ts). Here, as a team
 * that works its notifications would have it, the members who watch everything (`seenBy`: the
 * administrator and the editor) have seen all but their three newest; the agents keep theirs.
 *
 * Ticket statistics are kept by the writes they count, at the time of each write; the story clock
 * then moves the story back in time, and the bulk volume is written straight to the tables. So
 * they are recounted here from the event log (the same definition as at write time), which puts
 * each figure on the day the story and the bulk volume say it happened.
 */
export async function seedStatisticsAndNotifications(
  db: Client,
  dataSource: DataSource,
  workspaceId: string,
  seenBy: string[],
): Promise<void> {
  await rebuildStatistics(dataSource, workspaceId);
  await db.query(
    `UPDATE notifications n SET seen_at = n.updated_at + interval '20 minutes'
      WHERE n.workspace_id = $1 AND n.user_id = ANY($2) AND n.seen_at IS NULL
        AND n.id NOT IN (SELECT x.id FROM notifications x WHERE x.workspace_id = $1 AND x.user_id = n.user_id
                          ORDER BY x.tx_id DESC, x.seq DESC LIMIT 3)`,
    [workspaceId, seenBy],
  );
}
