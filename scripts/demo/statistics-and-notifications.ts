/**
 * Ticket statistics and notifications: NOT BUILT YET (api/contract.graphql, "Additions":
 * `ticketStatistics`, `notifications`, `markNotificationsSeen`). This is where the demo will seed
 * them; `seed-demo.ts` already calls it after the story and the bulk volume.
 *
 * When they exist, the DESIGN has them written in the transaction of the change that causes them,
 * so the story, played through the API, will produce them by itself. What this function will then
 * have to do:
 *
 * - Statistics are kept per day in the workspace's time zone at write time, i.e. on the day the
 *   seed ran. The story clock (clock.ts) moves the story's timestamps days back afterwards: rebuild
 *   the story's statistics rows from the moved tickets and events (or add their table to the
 *   clock's COLUMNS if they keep timestamps rather than day buckets).
 * - The bulk volume (bulk.ts) is plain SQL: add its statistics rows per day, topic and assignee
 *   from the same batch tables, as it adds its ticket count deltas.
 * - Notifications: the story's assignments and new tickets will leave unseen notifications for
 *   Bruno, Chloé and Amina. Mark most of Grace's and Eve's seen (markNotificationsSeen) so each
 *   login shows a believable handful, and move their timestamps with the clock.
 */
export async function seedStatisticsAndNotifications(): Promise<void> {
  // Nothing to seed until the product has them.
}
