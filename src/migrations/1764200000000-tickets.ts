import type { MigrationInterface, QueryRunner } from "typeorm";

/** Topics, contacts and their URNs, flows, tickets, the event log, messages and ticket counts. */
export class Tickets1764200000000 implements MigrationInterface {
  name = "Tickets1764200000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await db.query(`
      CREATE TABLE topics (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        is_system boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // Deleted topics stay, so the event log can still name them.
    await db.query(`CREATE UNIQUE INDEX topics_name_key ON topics (workspace_id, lower(name)) WHERE deleted_at IS NULL`);
    await db.query(`CREATE UNIQUE INDEX topics_system_key ON topics (workspace_id) WHERE is_system`);

    await db.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text,
        language text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX contacts_workspace_idx ON contacts (workspace_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX contacts_name_trgm ON contacts USING gin (name gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE contact_urns (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        urn text NOT NULL,
        priority integer NOT NULL DEFAULT 0
      )`);
    await db.query(`CREATE UNIQUE INDEX contact_urns_urn_key ON contact_urns (workspace_id, urn)`);
    await db.query(`CREATE INDEX contact_urns_contact_idx ON contact_urns (contact_id, priority)`);
    await db.query(`CREATE INDEX contact_urns_urn_trgm ON contact_urns USING gin (urn gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE flows (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        external_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX flows_external_id_key ON flows (workspace_id, external_id)`);

    await db.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        ticket_id uuid,
        direction text NOT NULL CHECK (direction IN ('INCOMING', 'OUTGOING')),
        urn text NOT NULL,
        text text NOT NULL,
        status text NOT NULL CHECK (status IN ('RECEIVED', 'QUEUED', 'SENT', 'DELIVERED', 'FAILED')),
        external_id text,
        author_id uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX messages_external_id_key ON messages (workspace_id, external_id) WHERE external_id IS NOT NULL`);
    await db.query(`CREATE INDEX messages_contact_idx ON messages (contact_id, created_at, id)`);
    await db.query(`CREATE INDEX messages_ticket_idx ON messages (ticket_id, created_at, id) WHERE ticket_id IS NOT NULL`);
    await db.query(`CREATE INDEX messages_text_trgm ON messages USING gin (text gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        topic_id uuid NOT NULL REFERENCES topics (id),
        assignee_id uuid REFERENCES users (id),
        status text NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
        opened_by_id uuid REFERENCES users (id),
        opened_in_id uuid REFERENCES flows (id),
        opened_at timestamptz NOT NULL DEFAULT now(),
        replied_at timestamptz,
        closed_at timestamptz,
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        last_message_id uuid REFERENCES messages (id),
        idempotency_key text,
        open_warnings jsonb NOT NULL DEFAULT '[]',
        changed_tx bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)
      )`);
    await db.query(
      `ALTER TABLE messages ADD CONSTRAINT messages_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets (id) ON DELETE SET NULL`,
    );
    // One open ticket per contact, enforced by the database.
    await db.query(`CREATE UNIQUE INDEX tickets_one_open_key ON tickets (workspace_id, contact_id) WHERE status = 'OPEN'`);
    await db.query(
      `CREATE UNIQUE INDEX tickets_idempotency_key ON tickets (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await db.query(`CREATE INDEX tickets_contact_idx ON tickets (contact_id, opened_at DESC, id DESC)`);
    // The inbox folders: equality columns first, then the order (open first, newest activity first).
    await db.query(`CREATE INDEX tickets_inbox_idx ON tickets (workspace_id, status DESC, last_activity_at DESC, id DESC)`);
    await db.query(`CREATE INDEX tickets_inbox_topic_idx ON tickets (workspace_id, topic_id, status DESC, last_activity_at DESC, id DESC)`);
    await db.query(
      `CREATE INDEX tickets_inbox_assignee_idx ON tickets (workspace_id, assignee_id, status DESC, last_activity_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX tickets_inbox_assignee_topic_idx ON tickets (workspace_id, assignee_id, topic_id, status DESC, last_activity_at DESC, id DESC)`,
    );

    // The event log. Its cursor is (tx_id, seq): tx_id is at least the writer's transaction id
    // (the server raises it to the newest id assigned when the event is written), and readers only
    // take positions below every transaction still running, so cursor order is commit order.
    await db.query(`CREATE SEQUENCE ticket_events_seq`);
    await db.query(`
      CREATE TABLE ticket_events (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        tx_id bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
        seq bigint NOT NULL DEFAULT nextval('ticket_events_seq'),
        ticket_id uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        ticket_version integer NOT NULL,
        type text NOT NULL CHECK (type IN ('OPENED', 'ASSIGNED', 'NOTE_ADDED', 'TOPIC_CHANGED', 'CLOSED', 'REOPENED', 'MESSAGE_RECEIVED', 'MESSAGE_SENT')),
        actor_id uuid REFERENCES users (id),
        topic_id uuid NOT NULL REFERENCES topics (id),
        previous_topic_id uuid REFERENCES topics (id),
        assignee_id uuid REFERENCES users (id),
        previous_assignee_id uuid REFERENCES users (id),
        note text,
        message_id uuid REFERENCES messages (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX ticket_events_version_key ON ticket_events (ticket_id, ticket_version)`);
    await db.query(`CREATE INDEX ticket_events_cursor_idx ON ticket_events (workspace_id, tx_id, seq)`);

    // Ticket counts as insert-only deltas, squashed in the background: concurrent writers never
    // wait on one another's counter row.
    await db.query(`
      CREATE TABLE ticket_count_deltas (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        status text NOT NULL,
        topic_id uuid NOT NULL,
        assignee_id uuid,
        delta integer NOT NULL
      )`);
    await db.query(`CREATE INDEX ticket_count_deltas_key_idx ON ticket_count_deltas (workspace_id, status, topic_id, assignee_id)`);

    // Every workspace has the system topic "General".
    await db.query(`INSERT INTO topics (id, workspace_id, name, is_system) SELECT gen_random_uuid(), id, 'General', true FROM workspaces`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["ticket_count_deltas", "ticket_events", "tickets", "messages", "flows", "contact_urns", "contacts", "topics"]) {
      await db.query(`DROP TABLE ${table} CASCADE`);
    }
    await db.query(`DROP SEQUENCE ticket_events_seq`);
  }
}
