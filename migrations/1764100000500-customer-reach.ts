import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reaching customers beyond one mail (SPEC §4): a generated development link secret shared by every process,
 * customers' webhook endpoints and their deliveries (tracked like notices), and the providers that sent each notice.
 */
export class CustomerReach1764100000500 implements MigrationInterface {
  name = 'CustomerReach1764100000500';

  async up(q: QueryRunner): Promise<void> {
    // Only for a deployment without LINK_SECRET (development): every process of it signs links alike.
    await q.query(
      `CREATE TABLE app_secrets (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await q.query(`
      CREATE TABLE customer_webhooks (
        customer_id bigint PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
        url text NOT NULL CHECK (url ~ '^https?://'),
        secret text NOT NULL CHECK (secret ~ '^whsec_'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id bigserial PRIMARY KEY,
        event_pk bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        customer_id bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('suspended', 'updated', 'restored', 'license-granted', 'license-denied')),
        url text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN
          ('pending', 'sending', 'sent', 'retrying', 'failed', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        last_code integer,
        last_reply text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        UNIQUE (event_pk, customer_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_work_idx ON webhook_deliveries (event_pk, id) WHERE status IN ('pending', 'retrying', 'sending')`,
    );
    await q.query(`CREATE INDEX webhook_deliveries_customer_idx ON webhook_deliveries (customer_id, id DESC)`);
    await q.query(`ALTER TABLE notices ADD COLUMN provider text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notices DROP COLUMN provider`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE customer_webhooks`);
    await q.query(`DROP TABLE app_secrets`);
  }
}
