import type { MigrationInterface, QueryRunner } from "typeorm";

/** Notifications: what concerns each member, one unseen per (member, kind, ticket). */
export class Notifications1764700000000 implements MigrationInterface {
  name = "Notifications1764700000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE notifications_seq`);
    await db.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        tx_id bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
        seq bigint NOT NULL DEFAULT nextval('notifications_seq'),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind text NOT NULL CONSTRAINT notifications_kind_check CHECK (kind IN ('TICKET_OPENED', 'TICKET_ACTIVITY', 'MENTIONED')),
        ticket_id uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz
      )`);
    await db.query(`CREATE INDEX notifications_cursor_idx ON notifications (workspace_id, tx_id, seq)`);
    // One unseen per (member, kind, ticket): the key a second notification updates.
    await db.query(
      `CREATE UNIQUE INDEX notifications_unseen_key ON notifications (workspace_id, user_id, kind, ticket_id) WHERE seen_at IS NULL`,
    );
    // A member's list, newest first, and their unseen count.
    await db.query(`CREATE INDEX notifications_member_idx ON notifications (workspace_id, user_id, tx_id DESC, seq DESC)`);
    await db.query(`CREATE INDEX notifications_ticket_idx ON notifications (ticket_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notifications`);
    await db.query(`DROP SEQUENCE notifications_seq`);
  }
}
