import type { MigrationInterface, QueryRunner } from "typeorm";

/** Teams, invitations, shortcuts, closed-ticket triggers and the flow starts they ask for. */
export class Team1764400000000 implements MigrationInterface {
  name = "Team1764400000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        all_topics boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX teams_name_key ON teams (workspace_id, lower(name))`);
    await db.query(`
      CREATE TABLE team_topics (
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        topic_id uuid NOT NULL REFERENCES topics (id),
        PRIMARY KEY (team_id, topic_id)
      )`);
    await db.query(`CREATE INDEX team_topics_topic_idx ON team_topics (topic_id)`);
    await db.query(`ALTER TABLE memberships ADD COLUMN team_id uuid REFERENCES teams (id)`);
    await db.query(`CREATE INDEX memberships_team_idx ON memberships (team_id) WHERE team_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        role text NOT NULL CHECK (role IN ('ADMINISTRATOR', 'EDITOR', 'AGENT')),
        team_id uuid REFERENCES teams (id),
        token_hash bytea NOT NULL,
        invited_by_id uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by_id uuid REFERENCES users (id),
        revoked_at timestamptz
      )`);
    await db.query(`CREATE UNIQUE INDEX invitations_token_key ON invitations (token_hash)`);
    await db.query(`CREATE INDEX invitations_workspace_email_idx ON invitations (workspace_id, email)`);
    await db.query(`CREATE INDEX invitations_team_idx ON invitations (team_id) WHERE team_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE shortcuts (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX shortcuts_name_key ON shortcuts (workspace_id, lower(name))`);
    await db.query(`CREATE INDEX shortcuts_search_trgm ON shortcuts USING gin ((name || ' ' || text) gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE triggers (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('TICKET_CLOSED')),
        flow_id uuid NOT NULL REFERENCES flows (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX triggers_type_key ON triggers (workspace_id, type)`);

    // Flow starts: an outbox written in the transaction of the close that asks for them, with a
    // cursor of the same kind as the event log's (see ticket_events).
    await db.query(`CREATE SEQUENCE flow_starts_seq`);
    await db.query(`
      CREATE TABLE flow_starts (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        tx_id bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
        seq bigint NOT NULL DEFAULT nextval('flow_starts_seq'),
        flow_id uuid NOT NULL REFERENCES flows (id),
        contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        ticket_id uuid REFERENCES tickets (id) ON DELETE SET NULL,
        trigger_id uuid REFERENCES triggers (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX flow_starts_cursor_idx ON flow_starts (workspace_id, tx_id, seq)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE flow_starts`);
    await db.query(`DROP SEQUENCE flow_starts_seq`);
    await db.query(`DROP TABLE triggers`);
    await db.query(`DROP TABLE shortcuts`);
    await db.query(`DROP TABLE invitations`);
    await db.query(`ALTER TABLE memberships DROP COLUMN team_id`);
    await db.query(`DROP TABLE team_topics`);
    await db.query(`DROP TABLE teams`);
  }
}
