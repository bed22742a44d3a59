// The senders' work index names `is_open`, not `status` (migration 800): `is_open` must say what the domain calls
// open for every status, and a claim (pending → sending) must be a HOT update, writing no index entries.
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DELIVERY_STATUSES, FINAL_DELIVERY_STATUSES, WEBHOOK_DELIVERY_STATUSES } from '../../src/domain/notice.types';
import { DeliveryWorkRepository, NOTICE_WORK } from '../../src/notices/dispatch/delivery-work.repository';
import { createTestDatabase, TestDatabase } from '../support/database';

/** Columns a claim or a retry writes: no index may name them, or those updates cannot be HOT. */
const CLAIM_WRITES = ['status', 'attempts', 'lease_until', 'updated_at', 'next_attempt_at', 'last_code', 'last_reply'];

describe('open work rows', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase('open-work');
    // One connection, so that the claim's statistics can be flushed from the session that made them.
    ds = new DataSource({ ...dataSourceOptions(db.url), logging: false, extra: { max: 1 } });
    await ds.initialize();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    // Rows without their event and customers: the foreign keys are not what is tested here.
    await pg.query(`SET session_replication_role = replica`);
  });
  afterAll(async () => {
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('is open exactly for the statuses that are not final, in both work tables', async () => {
    await pg.query(
      `INSERT INTO notices (event_pk, kind, email, status) SELECT 900, 'suspended', 'x' || s || '@a.example', s
         FROM unnest($1::text[]) s`,
      [DELIVERY_STATUSES],
    );
    await pg.query(
      `INSERT INTO webhook_deliveries (event_pk, customer_id, kind, url, status)
       SELECT 900, row_number() OVER (), 'suspended', 'https://hooks.example/x', s FROM unnest($1::text[]) s`,
      [WEBHOOK_DELIVERY_STATUSES],
    );
    for (const table of ['notices', 'webhook_deliveries']) {
      const { rows } = await pg.query(`SELECT status, is_open FROM ${table} WHERE event_pk = 900 ORDER BY status`);
      expect(rows.length).toBeGreaterThanOrEqual(6);
      for (const r of rows)
        expect([r.status, r.is_open]).toEqual([r.status, !FINAL_DELIVERY_STATUSES.includes(r.status)]);
    }
    // A status change moves it: a retry stays open, a final status closes the row.
    await pg.query(`UPDATE notices SET status = 'sent' WHERE event_pk = 900 AND status = 'pending'`);
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM notices WHERE event_pk = 900 AND is_open`);
    expect(rows[0].n).toBe(2); // sending and retrying
  });

  it('has no index on a column that a claim writes', async () => {
    const { rows } = await pg.query(
      `SELECT c.relname AS table_name, i.indexrelid::regclass::text AS index, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE c.relname IN ('notices', 'webhook_deliveries')`,
    );
    expect(rows.map((r) => r.index)).toEqual(
      expect.arrayContaining(['notices_work_idx', 'webhook_deliveries_work_idx']),
    );
    for (const r of rows) {
      const columns = r.def.slice(r.def.indexOf('(')); // after "CREATE INDEX name ON table USING btree"
      for (const c of CLAIM_WRITES) expect([r.index, new RegExp(`\\b${c}\\b`).test(columns)]).toEqual([r.index, false]);
    }
  });

  it('claims rows of an event with HOT updates, and finds them again once their lease ran out', async () => {
    await pg.query(
      `INSERT INTO notices (event_pk, kind, customer_id, email) SELECT 901, 'suspended', g, 'c' || g || '@a.example'
         FROM generate_series(1, 200) g`,
    );
    const hot = async () => {
      await ds.query(`SELECT pg_stat_force_next_flush()`);
      const { rows } = await pg.query(
        `SELECT n_tup_hot_upd::int AS n FROM pg_stat_user_tables WHERE relname = 'notices'`,
      );
      return rows[0].n as number;
    };
    const work = new DeliveryWorkRepository(ds);
    const before = await hot();
    const claimed = await work.claim(NOTICE_WORK, { eventPk: '901', limit: 10, leaseSeconds: 0 });
    expect(claimed.map((c) => c.email)).toEqual(Array.from({ length: 10 }, (_, i) => `c${i + 1}@a.example`));
    expect((await hot()) - before).toBe(10);
    // A lease of 0 s has run out: the same rows are claimable again, through the same index.
    const again = await work.claim(NOTICE_WORK, { eventPk: '901', limit: 10, leaseSeconds: 60 });
    expect(again.map((c) => [c.id, c.attempts])).toEqual(claimed.map((c) => [c.id, 2]));
    await work.record(
      NOTICE_WORK,
      again.map((c) => ({ id: c.id, attempt: c.attempts, status: 'sent', code: 250, reply: '250 ok' })),
    );
    const { rows } = await pg.query(
      `SELECT count(*) FILTER (WHERE is_open)::int AS open, count(*) FILTER (WHERE status = 'sent')::int AS sent
         FROM notices WHERE event_pk = 901`,
    );
    expect(rows[0]).toEqual({ open: 190, sent: 10 });
  });

  it('analyzes a work table whose statistics went stale while it was sent, so a claim from the start walks the work index', async () => {
    await pg.query(
      `INSERT INTO notices (event_pk, kind, customer_id, email) SELECT 902, 'suspended', g, 'c' || g || '@a.example'
         FROM generate_series(1, 20000) g`,
    );
    await pg.query(`ANALYZE notices`);
    const work = new DeliveryWorkRepository(ds);
    expect(await work.refreshStaleStatistics()).toEqual([]);
    // Nineteen in twenty sent, the lowest ids first as a dispatch sends them.
    await pg.query(`UPDATE notices SET status = 'sent' WHERE event_pk = 902 AND customer_id <= 19000`);
    await pg.query(`SELECT pg_stat_force_next_flush()`);
    await pg.query(`SELECT 1`);
    const plan = async () => {
      const { rows } = await pg.query(
        `EXPLAIN SELECT n.id FROM notices n WHERE n.event_pk = 902 AND n.is_open AND NOT n.is_test AND n.id > 0
          ORDER BY n.id LIMIT 100`,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    // What the claim looked like before: the primary key, through every sent row.
    expect(await plan()).toContain('notices_pkey');
    // Another process analyzing the table (its lock held here): this one leaves it to them.
    await pg.query(`SELECT pg_advisory_lock(hashtextextended(current_schema() || '.analyze.notices', 0))`);
    expect(await work.refreshStaleStatistics()).toEqual([]);
    await pg.query(`SELECT pg_advisory_unlock_all()`);
    expect(await work.refreshStaleStatistics()).toEqual(['notices']);
    expect(await plan()).toContain('notices_work_idx');
    // Fresh now: the next pass does not analyze it again.
    expect(await work.refreshStaleStatistics()).toEqual([]);
  });
});
