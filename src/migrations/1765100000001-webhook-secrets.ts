import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Every rotated-out webhook secret keeps signing for its own overlap: a second rotation within the
 * first's no longer cuts the first secret short. The one previous secret becomes a list.
 */
export class WebhookSecrets1765100000001 implements MigrationInterface {
  name = "WebhookSecrets1765100000001";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE webhooks ADD COLUMN previous_secrets jsonb NOT NULL DEFAULT '[]'`);
    await db.query(
      `UPDATE webhooks SET previous_secrets = jsonb_build_array(jsonb_build_object('secret', previous_secret, 'until', previous_secret_until))
        WHERE previous_secret IS NOT NULL AND previous_secret_until > now()`,
    );
    await db.query(`ALTER TABLE webhooks DROP COLUMN previous_secret, DROP COLUMN previous_secret_until`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE webhooks ADD COLUMN previous_secret text, ADD COLUMN previous_secret_until timestamptz`);
    await db.query(
      `UPDATE webhooks SET previous_secret = previous_secrets -> 0 ->> 'secret', previous_secret_until = (previous_secrets -> 0 ->> 'until')::timestamptz
        WHERE jsonb_array_length(previous_secrets) > 0`,
    );
    await db.query(`ALTER TABLE webhooks DROP COLUMN previous_secrets`);
  }
}
