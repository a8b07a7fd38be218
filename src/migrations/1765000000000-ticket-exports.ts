import type { MigrationInterface, QueryRunner } from "typeorm";

/** Ticket exports: CSV files of a filter's tickets, written in the background, each seen by its requester only. */
export class TicketExports1765000000000 implements MigrationInterface {
  name = "TicketExports1765000000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ticket_exports (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        filter jsonb NOT NULL,
        status text NOT NULL DEFAULT 'PENDING'
          CONSTRAINT ticket_exports_status_check CHECK (status IN ('PENDING', 'RUNNING', 'DONE', 'FAILED', 'EXPIRED')),
        total_count integer NOT NULL DEFAULT 0,
        row_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz,
        finished_at timestamptz,
        expires_at timestamptz,
        error text
      )`);
    // A member's list, newest first.
    await db.query(`CREATE INDEX ticket_exports_member_idx ON ticket_exports (workspace_id, user_id, created_at DESC, id DESC)`);
    // The exports still to finish (the per-member limit, the sweep of interrupted ones).
    await db.query(`CREATE INDEX ticket_exports_active_idx ON ticket_exports (status) WHERE status IN ('PENDING', 'RUNNING', 'DONE')`);
    await db.query(`
      CREATE TABLE ticket_export_downloads (
        nonce text PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        export_id uuid NOT NULL REFERENCES ticket_exports (id) ON DELETE CASCADE,
        used_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ticket_export_downloads_export_idx ON ticket_export_downloads (export_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ticket_export_downloads`);
    await db.query(`DROP TABLE ticket_exports`);
  }
}
