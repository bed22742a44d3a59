import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events (in arrival order), cases with their suspended sets, the affected customers of each event
 * (what each notice must say) and the notices themselves, one per contact, tracked until delivered.
 */
export class Events1764100000200 implements MigrationInterface {
  name = 'Events1764100000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        id bigserial PRIMARY KEY,
        event_id text,
        case_id text,
        type text,
        status text NOT NULL CHECK (status IN
          ('received', 'rejected', 'awaiting_review', 'dispatching', 'paused', 'completed', 'cancelled')),
        dispatch text CHECK (dispatch IN ('auto', 'review')),
        payload jsonb,
        raw text,
        content_hash text,
        conflict boolean NOT NULL DEFAULT false,
        reasons text[] NOT NULL DEFAULT '{}',
        source text NOT NULL CHECK (source IN ('queue', 'http', 'reconcile')),
        title text,
        occurred_at timestamptz,
        effective_at timestamptz,
        received_at timestamptz NOT NULL DEFAULT now(),
        applied_at timestamptz,
        finished_at timestamptz,
        customers_affected integer NOT NULL DEFAULT 0
      )`);
    await q.query(
      `CREATE UNIQUE INDEX events_event_id_key ON events (event_id) WHERE NOT conflict AND event_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX events_case_idx ON events (case_id, id)`);
    await q.query(`CREATE INDEX events_status_idx ON events (status, id)`);

    await q.query(`
      CREATE TABLE cases (
        case_id text PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('open', 'closed')),
        title text,
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        last_event bigint REFERENCES events(id),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE case_suspensions (
        case_id text NOT NULL REFERENCES cases(case_id),
        customer_id bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        product text NOT NULL,
        country char(2) NOT NULL,
        since_event bigint NOT NULL REFERENCES events(id),
        PRIMARY KEY (case_id, customer_id, product, country)
      )`);
    await q.query(`CREATE INDEX case_suspensions_customer_idx ON case_suspensions (customer_id)`);

    // One row per (event, customer) told: the notice kind and what its notices say.
    await q.query(`
      CREATE TABLE event_customers (
        event_pk bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        customer_id bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        -- the customer's ref, copied so that affected lists page in ref order without joining every customer
        ref text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('suspended', 'updated', 'restored', 'license-granted', 'license-denied')),
        affected jsonb NOT NULL DEFAULT '[]',
        added jsonb NOT NULL DEFAULT '[]',
        removed jsonb NOT NULL DEFAULT '[]',
        PRIMARY KEY (event_pk, customer_id)
      )`);
    await q.query(`CREATE INDEX event_customers_customer_idx ON event_customers (customer_id)`);
    await q.query(`CREATE INDEX event_customers_ref_idx ON event_customers (event_pk, ref COLLATE "C")`);

    await q.query(`
      CREATE TABLE notices (
        id bigserial PRIMARY KEY,
        event_pk bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN
          ('suspended', 'updated', 'restored', 'license-granted', 'license-denied', 'am-digest')),
        customer_id bigint REFERENCES customers(id) ON DELETE SET NULL,
        tier text,
        email text NOT NULL,
        name text NOT NULL DEFAULT '',
        locale text NOT NULL DEFAULT 'en',
        status text NOT NULL DEFAULT 'pending' CHECK (status IN
          ('pending', 'sending', 'sent', 'retrying', 'failed', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        last_code integer,
        last_reply text,
        is_test boolean NOT NULL DEFAULT false,
        -- a test digest is mailed to a support address but lists this account manager's accounts
        digest_for text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX notices_contact_key ON notices (event_pk, customer_id, email) WHERE customer_id IS NOT NULL AND NOT is_test`,
    );
    await q.query(
      `CREATE UNIQUE INDEX notices_digest_key ON notices (event_pk, email) WHERE kind = 'am-digest' AND NOT is_test`,
    );
    // Senders claim work of one event by state; the partial index stays small as notices finish.
    await q.query(
      `CREATE INDEX notices_work_idx ON notices (event_pk, id) WHERE status IN ('pending', 'retrying', 'sending')`,
    );
    await q.query(`CREATE INDEX notices_customer_idx ON notices (customer_id)`);
    // Every notice is updated two or three times while it is sent: vacuum early, or the work index fills with dead entries.
    await q.query(
      `ALTER TABLE notices SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['notices', 'event_customers', 'case_suspensions', 'cases', 'events']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
