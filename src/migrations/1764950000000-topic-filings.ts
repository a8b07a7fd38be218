import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The events that file a ticket under a topic (opening it there, moving it there), by topic: a
 * topic any ticket was ever filed under cannot be deleted, and this answers it without reading a
 * workspace's whole log.
 */
export class TopicFilings1764950000000 implements MigrationInterface {
  name = "TopicFilings1764950000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX ticket_events_filed_idx ON ticket_events (topic_id) WHERE type IN ('OPENED', 'TOPIC_CHANGED')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ticket_events_filed_idx`);
  }
}
