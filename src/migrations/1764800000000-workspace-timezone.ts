import type { MigrationInterface, QueryRunner } from "typeorm";

/** A workspace's time zone (an IANA name): the days of its ticket statistics. */
export class WorkspaceTimezone1764800000000 implements MigrationInterface {
  name = "WorkspaceTimezone1764800000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE workspaces ADD COLUMN timezone text NOT NULL DEFAULT 'UTC'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE workspaces DROP COLUMN timezone`);
  }
}
