// Who is told first (SPEC §4) is the order of the notice ids. The contacts' notices are produced and numbered in a
// statement PostgreSQL may run with parallel workers, then written in that order: the ids must follow the rule
// exactly whether the plan was serial or parallel (checked here with the plan PostgreSQL reports it ran).
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { NoticePlanningRepository } from '../../src/notices/planning/notice-planning.repository';
import { createTestDatabase, TestDatabase } from '../support/database';

/** Settings under which PostgreSQL plans even a small join with parallel workers. */
const PARALLEL_EVEN_WHEN_SMALL = [
  `SET LOCAL parallel_setup_cost = 0`,
  `SET LOCAL parallel_tuple_cost = 0`,
  `SET LOCAL min_parallel_table_scan_size = 0`,
  `SET LOCAL min_parallel_index_scan_size = 0`,
  `SET LOCAL max_parallel_workers_per_gather = 2`,
];

interface Planned {
  customerId: number;
  enterprise: boolean;
  affected: number;
  removed: number;
  contactId: number;
  email: string;
}

describe('notice send order', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let pg: Client;
  let planning: NoticePlanningRepository;
  const expected: Planned[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('send-order');
    ds = new DataSource({ ...dataSourceOptions(db.url), logging: false });
    await ds.initialize();
    planning = new NoticePlanningRepository(ds);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    // Customers and contacts whose order keys collide often: few affected/removed lengths, both tiers, several
    // contacts per customer, some contacts opted out and some customers inactive (neither may get a notice).
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    await pg.query(`INSERT INTO cases (case_id, status, title) VALUES ('case-1', 'open', 't')`);
    await pg.query(
      `INSERT INTO events (id, event_id, case_id, type, payload, status, source)
       VALUES (1, 'e-1', 'case-1', 'suspension.updated', '{}', 'received', 'queue')`,
    );
    for (let i = 1; i <= 400; i++) {
      const enterprise = rnd(3) === 0;
      const active = rnd(10) !== 0;
      await pg.query(
        `INSERT INTO customers (id, ref, name, tier, country, active, am_email)
         VALUES ($1, $2, $3, $4, 'DE', $5, $6)`,
        [
          i,
          `C-${i}`,
          `Customer ${i}`,
          enterprise ? 'enterprise' : 'developer',
          active,
          enterprise ? 'am@v.example' : null,
        ],
      );
      const contacts: { id: number; email: string; notices: boolean }[] = [];
      for (let k = 0; k < 1 + rnd(3); k++) {
        const email = `${rnd(1000)}.c${k}@${i}.example`;
        const notices = rnd(6) !== 0;
        const { rows } = await pg.query(
          `INSERT INTO contacts (customer_id, email, name, locale, notices) VALUES ($1, $2, 'n', 'en', $3) RETURNING id`,
          [i, email, notices],
        );
        contacts.push({ id: Number(rows[0].id), email, notices });
      }
      if (rnd(4) === 0) continue; // not affected by the event
      const affected = rnd(3);
      const removed = rnd(2);
      const subs = (n: number) =>
        JSON.stringify(Array.from({ length: n }, (_, j) => ({ product: `p${j}`, country: 'DE' })));
      await pg.query(
        `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected, removed)
         VALUES (1, $1, $2, 'updated', $3, $4)`,
        [i, `C-${i}`, subs(affected), subs(removed)],
      );
      if (!active) continue;
      for (const c of contacts.filter((x) => x.notices))
        expected.push({ customerId: i, enterprise, affected, removed, contactId: c.id, email: c.email });
    }
    // An account manager whose told customers have nobody to tell (contacts opted out, or the customer inactive) gets
    // no digest.
    for (const [id, active, notices] of [
      [401, true, false],
      [402, false, true],
    ] as const) {
      await pg.query(
        `INSERT INTO customers (id, ref, name, tier, country, active, am_email, am_name)
         VALUES ($1, $2, 'c', 'enterprise', 'DE', $3, 'quiet@v.example', 'Quiet')`,
        [id, `C-${id}`, active],
      );
      await pg.query(
        `INSERT INTO contacts (customer_id, email, name, locale, notices) VALUES ($1, $2, 'n', 'en', $3)`,
        [id, `x@${id}.example`, notices],
      );
      await pg.query(
        `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected)
         VALUES (1, $1, $2, 'updated', '[{"product":"p0","country":"DE"}]')`,
        [id, `C-${id}`],
      );
    }
    expected.sort(
      (a, b) =>
        Number(b.enterprise) - Number(a.enterprise) ||
        b.affected - a.affected ||
        b.removed - a.removed ||
        a.customerId - b.customerId ||
        a.contactId - b.contactId,
    );
  });
  afterAll(async () => {
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  /** Plans the event in a transaction that is rolled back, returning the contacts' notices by id and the plans run. */
  async function plan(parallel: boolean): Promise<{ order: string[]; plans: string[] }> {
    const runner = ds.createQueryRunner();
    await runner.connect();
    const plans: string[] = [];
    const conn = (runner as unknown as { databaseConnection: Client }).databaseConnection;
    const onNotice = (n: { message?: string }) => plans.push(n.message ?? '');
    conn.on('notice', onNotice);
    try {
      await runner.startTransaction();
      const m = runner.manager;
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`LOAD 'auto_explain'`);
      await m.query(`SET LOCAL auto_explain.log_min_duration = 0`);
      await m.query(`SET LOCAL auto_explain.log_analyze = on`);
      await m.query(`SET LOCAL client_min_messages = log`);
      if (parallel) for (const sql of PARALLEL_EVEN_WHEN_SMALL) await m.query(sql);
      const counts = await planning.insertNoticesForEvent(m, '1');
      await m.query(`SET LOCAL client_min_messages = notice`);
      const rows: { customer_id: string; email: string }[] = await m.query(
        `SELECT customer_id, email FROM notices WHERE event_pk = 1 AND kind <> 'am-digest' ORDER BY id`,
      );
      const digests: { email: string }[] = await m.query(
        `SELECT email FROM notices WHERE event_pk = 1 AND kind = 'am-digest' ORDER BY id`,
      );
      expect(digests.map((d) => d.email)).toEqual(['am@v.example']);
      expect(counts.notices).toBe(rows.length + 1); // one digest: one account manager with someone to tell
      return { order: rows.map((r) => `${r.customer_id} ${r.email}`), plans };
    } finally {
      conn.off('notice', onNotice);
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  const want = () => expected.map((e) => `${e.customerId} ${e.email}`);

  it('numbers the contacts by tier, suspended and removed counts, customer and contact', async () => {
    expect(expected.length).toBeGreaterThan(250);
    const { order } = await plan(false);
    expect(order).toEqual(want());
  });

  it('keeps exactly that order when the numbering runs with parallel workers', async () => {
    // PostgreSQL launches fewer workers than planned (none) when its worker slots are taken by other sessions: try
    // again a few times, so that the order is checked with workers that really ran.
    for (let attempt = 1; ; attempt++) {
      const { order, plans } = await plan(true);
      expect(order).toEqual(want());
      const numbering = plans.find((p) => /row_number|WindowAgg/.test(p) && /Gather Merge/.test(p));
      expect(numbering).toBeDefined();
      if (/Workers Launched: [12]/.test(numbering!)) return;
      if (attempt === 5) throw new Error(`no parallel worker was launched in 5 tries:\n${numbering}`);
    }
  });

  it('writes the first notices without a plan, then the rest in a second transaction, in order after them', async () => {
    // A cut inside a customer's contacts: its first contact among the first notices, the others in the rest.
    const first = expected.findIndex((e, i) => i >= 40 && expected[i - 1].customerId === e.customerId);
    expect(first).toBeGreaterThan(0);
    const variants = [
      { pk: 2, cancelled: false, meanwhile: false },
      { pk: 3, cancelled: false, meanwhile: true },
      { pk: 4, cancelled: true, meanwhile: false },
    ] as const;
    for (const v of variants) {
      await pg.query(
        `INSERT INTO events (id, event_id, case_id, type, payload, status, source)
         VALUES ($1, $2, 'case-1', 'suspension.updated', '{}', 'received', 'queue')`,
        [v.pk, `e-${v.pk}`],
      );
      await pg.query(
        `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected, removed)
         SELECT $1, customer_id, ref, kind, affected, removed FROM event_customers WHERE event_pk = 1`,
        [v.pk],
      );
      const counts = await ds.transaction((m) =>
        planning.insertNoticesForEvent(m, String(v.pk), { firstNotices: first }),
      );
      expect(counts).toMatchObject({ notices: first + 1, planning: true });
      const contactRows = async () =>
        (
          await pg.query(
            `SELECT customer_id, email, status FROM notices
              WHERE event_pk = $1 AND kind <> 'am-digest' AND NOT is_test ORDER BY id`,
            [v.pk],
          )
        ).rows;
      expect((await contactRows()).map((r) => `${r.customer_id} ${r.email}`)).toEqual(want().slice(0, first));
      expect((await pg.query(`SELECT to_regclass($1) AS t`, [`notice_plan_${v.pk}`])).rows[0].t).toBeNull();
      let told = want();
      if (v.meanwhile) {
        // Between the two: a test send to a contact of the rest (not a notice of the event's own), and a contact
        // added to the first customer, who is told in the rest, first since that customer comes first.
        const later = expected[first + 3];
        await pg.query(
          `INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale, is_test)
           VALUES ($1, 'updated', $2, 'developer', $3, 'n', 'en', true)`,
          [v.pk, later.customerId, later.email],
        );
        const { rows } = await pg.query(
          `INSERT INTO contacts (customer_id, email, name, locale, notices)
           VALUES ($1, 'new.${v.pk}@added.example', 'n', 'en', true) RETURNING email`,
          [expected[0].customerId],
        );
        told = [...want().slice(0, first), `${expected[0].customerId} ${rows[0].email}`, ...want().slice(first)];
      }
      const written = await ds.transaction((m) =>
        planning.writePlannedRest(m, String(v.pk), { cancelled: v.cancelled }),
      );
      expect(written).toBe(told.length - first);
      const rows = await contactRows();
      expect(rows.map((r) => `${r.customer_id} ${r.email}`)).toEqual(told);
      expect(rows.slice(0, first).every((r) => r.status === 'pending')).toBe(true);
      expect(rows.slice(first).every((r) => r.status === (v.cancelled ? 'cancelled' : 'pending'))).toBe(true);
      const { rows: digests } = await pg.query(`SELECT email FROM notices WHERE event_pk = $1 AND kind = 'am-digest'`, [
        v.pk,
      ]);
      expect(digests.map((d) => d.email)).toEqual(['am@v.example']);
      const { rows: tables } = await pg.query(`SELECT relname FROM pg_class WHERE relname LIKE 'notice_plan_%'`);
      expect(tables).toEqual([]);
      if (v.meanwhile) await pg.query(`DELETE FROM contacts WHERE email LIKE 'new.%@added.example'`);
    }
  });

  it('waits for the rest when the first customers have nobody to tell, and not when nobody has', async () => {
    // Customer 401 (enterprise, active, its only contact opted out) comes first: with room for one notice, it is the
    // first customer and nothing is written yet. With a developer after it the rest has someone; alone, nobody.
    const developer = expected.find((e) => !e.enterprise)!.customerId;
    for (const [pk, customers] of [
      [6, [401, developer]],
      [7, [401]],
    ] as const) {
      await pg.query(
        `INSERT INTO events (id, event_id, case_id, type, payload, status, source)
         VALUES ($1, $2, 'case-1', 'suspension.issued', '{}', 'received', 'queue')`,
        [pk, `e-${pk}`],
      );
      await pg.query(
        `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected)
         SELECT $1, id, ref, 'suspended', '[{"product":"p0","country":"DE"}]' FROM customers WHERE id = ANY($2::bigint[])`,
        [pk, customers],
      );
      const counts = await ds.transaction((m) => planning.insertNoticesForEvent(m, String(pk), { firstNotices: 1 }));
      expect(counts).toMatchObject({ notices: 0, planning: customers.length > 1 });
      if (counts.planning) await ds.transaction((m) => planning.writePlannedRest(m, String(pk), { cancelled: false }));
      const { rows } = await pg.query(`SELECT email FROM notices WHERE event_pk = $1 ORDER BY id`, [pk]);
      const told = expected.filter((e) => customers.includes(e.customerId as never)).map((e) => e.email);
      expect(rows.map((r) => r.email)).toEqual(told);
    }
  });

  it('writes every notice at once when the plan holds no more than the first ones', async () => {
    await pg.query(
      `INSERT INTO events (id, event_id, case_id, type, payload, status, source)
       VALUES (5, 'e-5', 'case-1', 'suspension.updated', '{}', 'received', 'queue')`,
    );
    await pg.query(
      `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected, removed)
       SELECT 5, customer_id, ref, kind, affected, removed FROM event_customers WHERE event_pk = 1`,
    );
    const counts = await ds.transaction((m) =>
      planning.insertNoticesForEvent(m, '5', { firstNotices: expected.length }),
    );
    expect(counts).toMatchObject({ notices: expected.length + 1, planning: false });
    const { rows } = await pg.query(
      `SELECT customer_id, email FROM notices WHERE event_pk = 5 AND kind <> 'am-digest' ORDER BY id`,
    );
    expect(rows.map((r) => `${r.customer_id} ${r.email}`)).toEqual(want());
    expect((await pg.query(`SELECT to_regclass('notice_plan_5') AS t`)).rows[0].t).toBeNull();
  });
});
