import type { Client } from "pg";

/**
 * Notifications and ticket statistics for the demo.
 *
 * Notifications are written by the product itself in the transactions of the story, played
 * through the API, and the story clock moves their times with the rest (clock.ts). Here, as a team
 * that works its notifications would have it, the members who watch everything (`seenBy`: the
 * administrator and the editor) have seen all but their three newest; the agents keep theirs.
 *
 * Ticket statistics are NOT BUILT YET (api/contract.graphql, "Additions": `ticketStatistics`). When
 * they are, kept per day in the workspace's time zone at write time: rebuild the story's rows from
 * the moved tickets and events, and add the bulk volume's rows from its batch tables (bulk.ts).
 */
export async function seedStatisticsAndNotifications(db: Client, workspaceId: string, seenBy: string[]): Promise<void> {
  await db.query(
    `UPDATE notifications n SET seen_at = n.updated_at + interval '20 minutes'
      WHERE n.workspace_id = $1 AND n.user_id = ANY($2) AND n.seen_at IS NULL
        AND n.id NOT IN (SELECT x.id FROM notifications x WHERE x.workspace_id = $1 AND x.user_id = n.user_id
                          ORDER BY x.tx_id DESC, x.seq DESC LIMIT 3)`,
    [workspaceId, seenBy],
  );
}
