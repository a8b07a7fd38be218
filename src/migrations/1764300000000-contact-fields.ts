import type { MigrationInterface, QueryRunner } from "typeorm";

/** Contact field definitions and values, the contact notepad, and contact groups (Open Tickets). */
export class ContactFields1764300000000 implements MigrationInterface {
  name = "ContactFields1764300000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE contact_fields (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        key text NOT NULL,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('TEXT', 'NUMBER', 'DATETIME')),
        featured boolean NOT NULL DEFAULT false,
        priority integer NOT NULL DEFAULT 0,
        agent_access text NOT NULL DEFAULT 'VIEW' CHECK (agent_access IN ('NONE', 'VIEW', 'EDIT')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX contact_fields_key_key ON contact_fields (workspace_id, key)`);
    await db.query(`CREATE UNIQUE INDEX contact_fields_name_key ON contact_fields (workspace_id, lower(name))`);

    await db.query(`
      CREATE TABLE contact_field_values (
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        field_id uuid NOT NULL REFERENCES contact_fields (id) ON DELETE CASCADE,
        value text NOT NULL,
        PRIMARY KEY (contact_id, field_id)
      )`);
    await db.query(`CREATE INDEX contact_field_values_field_idx ON contact_field_values (field_id)`);
    await db.query(`CREATE INDEX contact_field_values_trgm ON contact_field_values USING gin (value gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE contact_notes (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        text text NOT NULL,
        author_id uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX contact_notes_contact_idx ON contact_notes (contact_id, created_at DESC, id DESC)`);

    await db.query(`
      CREATE TABLE contact_groups (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        is_system boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX contact_groups_system_key ON contact_groups (workspace_id) WHERE is_system`);
    await db.query(
      `INSERT INTO contact_groups (id, workspace_id, name, is_system) SELECT gen_random_uuid(), id, 'Open Tickets', true FROM workspaces`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["contact_groups", "contact_notes", "contact_field_values", "contact_fields"])
      await db.query(`DROP TABLE ${table}`);
  }
}
