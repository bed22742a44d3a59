import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `event_customers.added` may be NULL: a customer told `suspended` had every one of its affected subscriptions newly
 * suspended, so its `added` was a second copy of `affected`. Matching now writes NULL there and readers take
 * `affected` in its place (ADDED_SQL in SuspendedSetRepository): at 1M customers the copy was 21 of the 161 MB of WAL
 * of the event's affected-customer rows. Rows written before keep their copy.
 */
export class SuspendedAdded1764100001200 implements MigrationInterface {
  name = 'SuspendedAdded1764100001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_customers ALTER COLUMN added DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE event_customers SET added = affected WHERE added IS NULL`);
    await q.query(`ALTER TABLE event_customers ALTER COLUMN added SET NOT NULL`);
  }
}
