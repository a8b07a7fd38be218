import type { MigrationInterface, QueryRunner } from "typeorm";

/** Webhooks: endpoints that receive their workspace's events in commit order, and the log of each attempt. */
export class Webhooks1765100000000 implements MigrationInterface {
  name = "Webhooks1765100000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[] NOT NULL,
        topic_ids uuid[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_until timestamptz,
        position_tx bigint NOT NULL,
        position_kind smallint NOT NULL DEFAULT 0,
        position_seq bigint NOT NULL DEFAULT 0,
        last_delivered_cursor text,
        last_delivered_at timestamptz,
        attempt integer NOT NULL DEFAULT 0,
        failing_since timestamptz,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id, created_at, id)`);
    // What the dispatchers look for: enabled endpoints, by when they may be tried.
    await db.query(`CREATE INDEX webhooks_due_idx ON webhooks (next_attempt_at) WHERE enabled`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        message_id text NOT NULL,
        cursor text NOT NULL,
        attempt integer NOT NULL CONSTRAINT webhook_deliveries_attempt_check CHECK (attempt >= 1),
        status_code integer,
        duration_ms integer,
        response text,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        next_attempt_at timestamptz
      )`);
    // An endpoint's log, newest first (ids are time-ordered uuids).
    await db.query(`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (workspace_id, webhook_id, id DESC)`);
    // The retention sweep.
    await db.query(`CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhooks`);
  }
}
