import type { MigrationInterface, QueryRunner } from "typeorm";

/** Messages carry attachments: the channel's media references, as a JSON array. */
export class MessageAttachments1764600000000 implements MigrationInterface {
  name = "MessageAttachments1764600000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages DROP COLUMN attachments`);
  }
}
