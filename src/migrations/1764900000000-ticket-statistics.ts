import type { MigrationInterface, QueryRunner } from "typeorm";

/** Ticket statistics per day in the workspace's time zone, kept by the writes they count. */
export class TicketStatistics1764900000000 implements MigrationInterface {
  name = "TicketStatistics1764900000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ticket_statistics (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        day date NOT NULL,
        grain smallint NOT NULL,
        topic_id uuid,
        member_id uuid,
        figure text NOT NULL CONSTRAINT ticket_statistics_figure_check
          CHECK (figure IN ('OPENED', 'CLOSED', 'ASSIGNED', 'REPLIED', 'FIRST_REPLY', 'RESOLUTION')),
        bucket smallint NOT NULL DEFAULT 0,
        n integer NOT NULL,
        seconds double precision NOT NULL DEFAULT 0
      )`);
    await db.query(`CREATE INDEX ticket_statistics_key_idx ON ticket_statistics (workspace_id, grain, day)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ticket_statistics`);
  }
}
