import type { MigrationInterface, QueryRunner } from "typeorm";

/** Ticket statistics per day in the workspace's time zone, kept by the writes they count. */
export class TicketStatistics1764900000000 implements MigrationInterface {
  name = "TicketStatistics1764900000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ticket_statistic_deltas (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        day date NOT NULL,
        grain smallint NOT NULL,
        topic_id uuid,
        member_id uuid,
        figure text NOT NULL CONSTRAINT ticket_statistic_deltas_figure_check
          CHECK (figure IN ('OPENED', 'CLOSED', 'ASSIGNED', 'REPLIED', 'FIRST_REPLY', 'RESOLUTION')),
        bucket smallint NOT NULL DEFAULT 0,
        n integer NOT NULL,
        seconds double precision NOT NULL DEFAULT 0
      )`);
    await db.query(`CREATE INDEX ticket_statistic_deltas_key_idx ON ticket_statistic_deltas (workspace_id, grain, day)`);
    await db.query(`
      CREATE TABLE ticket_statistics (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        span text NOT NULL CONSTRAINT ticket_statistics_span_check CHECK (span IN ('DAY', 'MONTH')),
        day date NOT NULL,
        grain smallint NOT NULL,
        topic_id uuid,
        member_id uuid,
        opened integer NOT NULL DEFAULT 0,
        closed integer NOT NULL DEFAULT 0,
        assigned integer NOT NULL DEFAULT 0,
        replies integer NOT NULL DEFAULT 0,
        first_reply_seconds double precision NOT NULL DEFAULT 0,
        first_reply_buckets integer[] NOT NULL DEFAULT '{}',
        resolution_seconds double precision NOT NULL DEFAULT 0,
        resolution_buckets integer[] NOT NULL DEFAULT '{}'
      )`);
    // One row per key; a missing topic or member is the nil uuid here (PostgreSQL 13 has no NULLS NOT DISTINCT).
    await db.query(
      `CREATE UNIQUE INDEX ticket_statistics_key ON ticket_statistics (workspace_id, span, grain, day,
         coalesce(topic_id, '00000000-0000-0000-0000-000000000000'), coalesce(member_id, '00000000-0000-0000-0000-000000000000'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ticket_statistics`);
    await db.query(`DROP TABLE ticket_statistic_deltas`);
  }
}
