import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Told, not just sent (SPEC §4): bounces and complaints after a notice was sent, the suppression list, and every
 * report as it came in (recorded once per provider event, so a provider's retry changes nothing).
 */
export class Feedback1764100000600 implements MigrationInterface {
  name = 'Feedback1764100000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notices DROP CONSTRAINT notices_status_check`);
    await q.query(`
      ALTER TABLE notices ADD CONSTRAINT notices_status_check CHECK (status IN
        ('pending', 'sending', 'sent', 'retrying', 'failed', 'cancelled', 'bounced', 'complained', 'suppressed'))`);
    await q.query(`
      ALTER TABLE notices
        ADD COLUMN feedback_at timestamptz,
        ADD COLUMN feedback_reason text,
        ADD COLUMN soft_bounces integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE suppressions (
        email text PRIMARY KEY CHECK (email = lower(email) AND email <> ''),
        reason text NOT NULL,
        -- ses, postmark, sendgrid, mailgun, api (a report posted by support) or manual (added on the list)
        source text NOT NULL,
        notice_id bigint REFERENCES notices(id) ON DELETE SET NULL,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX suppressions_created_idx ON suppressions (created_at DESC)`);
    await q.query(`
      CREATE TABLE feedback_reports (
        id bigserial PRIMARY KEY,
        provider text NOT NULL,
        provider_event_id text NOT NULL,
        email text NOT NULL,
        type text NOT NULL CHECK (type IN ('hard', 'soft', 'complaint')),
        message_id text,
        reason text,
        occurred_at timestamptz,
        notice_id bigint REFERENCES notices(id) ON DELETE SET NULL,
        -- applied: the notice changed; recorded: nothing to change (already final, soft bounce); unknown: no such notice
        outcome text NOT NULL CHECK (outcome IN ('applied', 'recorded', 'unknown')),
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (provider, provider_event_id)
      )`);
    await q.query(`CREATE INDEX feedback_reports_email_idx ON feedback_reports (lower(email), id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE feedback_reports`);
    await q.query(`DROP TABLE suppressions`);
    await q.query(`ALTER TABLE notices DROP COLUMN soft_bounces, DROP COLUMN feedback_reason, DROP COLUMN feedback_at`);
    await q.query(`ALTER TABLE notices DROP CONSTRAINT notices_status_check`);
    await q.query(`
      ALTER TABLE notices ADD CONSTRAINT notices_status_check CHECK (status IN
        ('pending', 'sending', 'sent', 'retrying', 'failed', 'cancelled'))`);
  }
}
