import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What an agent may do besides seeing their topics: assign tickets to others, and reply in
 * tickets assigned to someone else. Both default to true, as every agent could before.
 */
export class AgentPermissions1764500000000 implements MigrationInterface {
  name = "AgentPermissions1764500000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE memberships ADD COLUMN can_assign boolean NOT NULL DEFAULT true`);
    await db.query(`ALTER TABLE memberships ADD COLUMN can_reply_to_others boolean NOT NULL DEFAULT true`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE memberships DROP COLUMN can_reply_to_others`);
    await db.query(`ALTER TABLE memberships DROP COLUMN can_assign`);
  }
}
