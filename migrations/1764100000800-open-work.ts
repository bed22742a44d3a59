import { MigrationInterface, QueryRunner } from 'typeorm';

const OPEN_STATUSES = `('pending', 'sending', 'retrying')`;

/**
 * The senders' work index no longer names `status`. While it did (`WHERE status IN …`), no update of a notice could
 * be HOT: each claim (pending → sending) and each outcome wrote a new row version and new entries in every index of
 * the table. Now the index's predicate is `is_open`, a stored column derived from the status, which a claim and a
 * retry leave as it was, so those updates stay in the row's page when it has room (the fill factor leaves it) and
 * touch no index; only the step to a final status (sent, failed, cancelled…) still writes index entries.
 *
 * Notices also lose their index on customer_id alone: written in random order at planning (rows go in send order),
 * it was one of the two costliest indexes of an event's insert, and its one reader (a customer's latest notices)
 * finds them through event_customers and the contact key instead. No customer row is ever deleted, so the
 * `ON DELETE SET NULL` foreign key does not need it either.
 */
export class OpenWork1764100000800 implements MigrationInterface {
  name = 'OpenWork1764100000800';

  async up(q: QueryRunner): Promise<void> {
    for (const t of ['notices', 'webhook_deliveries']) {
      await q.query(
        `ALTER TABLE ${t} ADD COLUMN is_open boolean GENERATED ALWAYS AS (status IN ${OPEN_STATUSES}) STORED`,
      );
      await q.query(`DROP INDEX ${t}_work_idx`);
      await q.query(`CREATE INDEX ${t}_work_idx ON ${t} (event_pk, id) WHERE is_open`);
      // Room in each page for the claim's new row versions (pages filled later only; the table is not rewritten).
      await q.query(`ALTER TABLE ${t} SET (fillfactor = 70)`);
    }
    await q.query(`DROP INDEX notices_customer_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX notices_customer_idx ON notices (customer_id)`);
    for (const t of ['notices', 'webhook_deliveries']) {
      await q.query(`ALTER TABLE ${t} RESET (fillfactor)`);
      await q.query(`DROP INDEX ${t}_work_idx`);
      await q.query(`CREATE INDEX ${t}_work_idx ON ${t} (event_pk, id) WHERE status IN ${OPEN_STATUSES}`);
      await q.query(`ALTER TABLE ${t} DROP COLUMN is_open`);
    }
  }
}
