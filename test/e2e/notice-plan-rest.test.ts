// An event's first notices are committed and sent while the rest are written in a second transaction
// (PLAN_FIRST_NOTICES): every contact is still told exactly once, in the planned order, and the event completes only
// once the rest are written and sent, also when the worker that applied it died before writing them.
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { QueueName, type ApplyCaseJob } from '../../src/domain/queue.types';
import { CaseLifecycleService } from '../../src/events/case-lifecycle.service';
import { CASE_LOCK } from '../../src/events/cases.repository';
import { NoticePlanningRepository } from '../../src/notices/planning/notice-planning.repository';
import { EventsRepository } from '../../src/events/events.repository';
import { TransactionService } from '../../src/common/transaction.service';
import { validateEvent } from '../../src/events/event-validator';
import { api, startTestApp, type TestApp } from '../support/app';
import { BASE_EVENT, postEventAndWait } from '../support/events';
import { insertCustomers, insertProducts, type FixtureCustomer } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const PRODUCTS = ['p1', 'p2', 'p3'];
const CUSTOMERS = 60;
/** Two contacts on every fifth customer. */
const CONTACTS = CUSTOMERS + CUSTOMERS / 5;

describe('the rest of an event’s notices written after its first ones went out', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let pg: Client;
  let support: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('notice-plan-rest', {
      env: { SMTP_URL: sink.url, PLAN_FIRST_NOTICES: '5', MAIL_RATE_PER_SECOND: '100', RECONCILE_INTERVAL_MS: '200' },
    });
    await insertProducts(
      t.env.db.url,
      PRODUCTS.map((p) => [p, `Product ${p}`, 'hosted-api'] as [string, string, string]),
    );
    const customers: FixtureCustomer[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const enterprise = i % 3 === 0;
      customers.push({
        ref: `R-${String(500 - i).padStart(3, '0')}`,
        name: `Customer ${i}`,
        tier: enterprise ? 'enterprise' : 'developer',
        country: 'DE',
        am: enterprise ? { email: `am${i % 2}@vendor.example`, name: `AM ${i % 2}` } : undefined,
        subs: PRODUCTS.slice(0, 1 + (i % PRODUCTS.length)),
        contacts:
          i % 5 === 0 ? [{ email: `a${i}@r.example` }, { email: `b${i}@r.example` }] : [{ email: `a${i}@r.example` }],
      });
    }
    await insertCustomers(t.env.db.url, customers);
    // In France: five enterprise customers without an account manager whose contacts all opted out, then one
    // developer with a contact. They come first in send order and fill the first notices (five) with nobody.
    await insertCustomers(t.env.db.url, [
      ...Array.from({ length: 5 }, (_, i) => ({
        ref: `Q-${i}`,
        name: `Quiet ${i}`,
        tier: 'enterprise' as const,
        country: 'FR',
        subs: ['p1', 'p2'],
        contacts: [{ email: `quiet${i}@q.example`, notices: false }],
      })),
      {
        ref: 'Q-dev',
        name: 'Told',
        tier: 'developer',
        country: 'FR',
        subs: ['p1'],
        contacts: [{ email: 'told@q.example' }],
      },
    ]);
    pg = new Client({ connectionString: t.env.db.url });
    await pg.connect();
    support = (await t.userWithToken('support')).token;
  });
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await sink?.close();
  });

  /** The event's contact notices by id: enterprise before developers, more subscriptions first, then customer ref. */
  async function planned(eventId: string) {
    const { rows } = await pg.query(
      `SELECT n.kind, n.tier, n.email, n.status, jsonb_array_length(ec.affected) AS subs, c.id AS customer
         FROM notices n JOIN events e ON e.id = n.event_pk
         LEFT JOIN customers c ON c.id = n.customer_id
         LEFT JOIN event_customers ec ON ec.event_pk = n.event_pk AND ec.customer_id = n.customer_id
        WHERE e.event_id = $1 ORDER BY n.id`,
      [eventId],
    );
    return rows;
  }

  function expectPlannedOrder(rows: { kind: string; tier: string; subs: number; customer: string }[]) {
    const rank = (r: { kind: string; tier: string }) => (r.kind === 'am-digest' ? 0 : r.tier === 'enterprise' ? 1 : 2);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      const inOrder =
        rank(a) < rank(b) ||
        (rank(a) === rank(b) &&
          (rank(a) === 0 || a.subs > b.subs || (a.subs === b.subs && +a.customer <= +b.customer)));
      if (!inOrder) throw new Error(`notice ${i} is out of the planned order: ${JSON.stringify([a, b])}`);
    }
  }

  it('tells every contact once, in the planned order, and completes after the rest', async () => {
    // The rest really is written by a second call, after the apply committed the first five.
    const rest = jest.spyOn(t.app.get(NoticePlanningRepository), 'writePlannedRest');
    await postEventAndWait(t.url, support, {
      ...BASE_EVENT,
      eventId: 'rest-1',
      caseId: 'rest-case',
      type: 'suspension.issued',
      dispatch: 'auto',
      scope: { products: ['*'], regions: ['DE'] },
    });
    expect(rest).toHaveBeenCalledTimes(1);
    await expect(rest.mock.results[0].value).resolves.toBe(CONTACTS - 5);
    rest.mockRestore();
    const rows = await planned('rest-1');
    expect(rows.filter((r) => r.kind === 'am-digest')).toHaveLength(2);
    expect(rows.filter((r) => r.kind !== 'am-digest')).toHaveLength(CONTACTS);
    expectPlannedOrder(rows);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const mails = sink.messages.filter((m) => m.header('x-event-id') === 'rest-1');
    const recipients = mails.map((m) => m.envelope.to.join(','));
    expect(recipients).toHaveLength(CONTACTS + 2);
    expect(new Set(recipients).size).toBe(CONTACTS + 2);
    const [{ planning }] = (await pg.query(`SELECT planning FROM events WHERE event_id = 'rest-1'`)).rows;
    expect(planning).toBe(false);
    const { rows: plans } = await pg.query(`SELECT relname FROM pg_class WHERE relname LIKE 'notice_plan_%'`);
    expect(plans).toEqual([]);
  });

  /**
   * Commits what a worker has committed when it dies between the two transactions: the event applied and
   * dispatching, its digests and first five contact notices written, the rest left in its plan. With `hold`, the
   * test's own session holds the case's apply lock, so nobody can write the rest until it lets go.
   */
  async function appliedHalf(
    eventId: string,
    caseId: string,
    products: string[],
    hold: Client | null,
    status: 'dispatching' | 'awaiting_review' = 'dispatching',
  ) {
    const lifecycle = t.app.get(CaseLifecycleService);
    const events = t.app.get(EventsRepository);
    const checked = validateEvent(
      {
        ...BASE_EVENT,
        eventId,
        caseId,
        type: 'suspension.issued',
        dispatch: 'auto',
        scope: { products, regions: ['DE'] },
      },
      'review',
    );
    if (!checked.ok) throw new Error(checked.reasons.join('; '));
    const event = checked.event;
    if (hold) await hold.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [CASE_LOCK.apply, caseId]);
    await t.app.get(TransactionService).run(async (m) => {
      const eventPk = (await events.insert(m, {
        eventId,
        caseId,
        type: event.type,
        status: 'received',
        dispatch: 'auto',
        payload: event,
        raw: null,
        contentHash: null,
        conflict: false,
        reasons: [],
        source: 'http',
      })) as string;
      const counts = await lifecycle.computeEffect(m, event, eventPk, { firstNotices: 5 });
      expect(counts.planning).toBe(true);
      await events.markApplied(m, eventPk, status, counts.customers, true);
    });
  }

  /** Runs `work` with a session of the test's own, for `appliedHalf` to hold a case's lock in; ending it lets go. */
  async function withLockSession(work: (hold: Client) => Promise<void>): Promise<void> {
    const hold = new Client({ connectionString: t.env.db.url });
    await hold.connect();
    try {
      await work(hold);
    } finally {
      await hold.end();
    }
  }

  const mailsOf = (eventId: string) =>
    sink.messages.filter((m) => m.header('x-event-id') === eventId).map((m) => m.envelope.to.join(','));
  const eventRow = async (eventId: string) =>
    (await pg.query(`SELECT status, planning FROM events WHERE event_id = $1`, [eventId])).rows[0];

  it('sends the rest when the first notices had nobody to tell, and only then completes', async () => {
    // Nothing is written with the first notices, yet someone is to be told: the event is sent, not completed at once.
    const ev = await postEventAndWait(t.url, support, {
      ...BASE_EVENT,
      eventId: 'rest-quiet',
      caseId: 'rest-case-quiet',
      type: 'suspension.issued',
      dispatch: 'auto',
      scope: { products: ['*'], regions: ['FR'] },
    });
    expect(ev.counts).toMatchObject({ sent: 1 });
    expect(mailsOf('rest-quiet')).toEqual(['told@q.example']);
  });

  it('sends the first notices, waits for the rest without completing, then sends them', async () => {
    await withLockSession(async (hold) => {
      await appliedHalf('rest-3', 'rest-case-3', ['p1'], hold);
      // The reconciler starts the senders for the first seven (two digests, five contacts); the rest cannot be
      // written while the lock is held.
      await waitFor('the first notices', async () => mailsOf('rest-3').length === 7 || undefined, 20_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(mailsOf('rest-3')).toHaveLength(7);
      expect(await eventRow('rest-3')).toEqual({ status: 'dispatching', planning: true });
      // A reconcile pass every 200 ms while the lock is held: one job waits for it, not one per pass.
      const applyQueue = t.app.get<Queue<ApplyCaseJob>>(getQueueToken(QueueName.CaseApply));
      const jobs = await applyQueue.getJobs(['active', 'waiting', 'prioritized', 'delayed']);
      expect(jobs.filter((j) => j.data.caseId === 'rest-case-3')).toHaveLength(1);
    }); // ending the session lets go of the lock
    await waitFor(
      'rest-3 completed',
      async () => (await eventRow('rest-3')).status === 'completed' || undefined,
      30_000,
    );
    expect(await eventRow('rest-3')).toEqual({ status: 'completed', planning: false });
    const recipients = mailsOf('rest-3');
    expect(recipients).toHaveLength(CONTACTS + 2);
    expect(new Set(recipients).size).toBe(CONTACTS + 2);
  });

  it('writes the rest cancelled when support cancelled the event in between, and sends none of them', async () => {
    await withLockSession(async (hold) => {
      await appliedHalf('rest-4', 'rest-case-4', ['p1'], hold);
      await waitFor('the first notices', async () => mailsOf('rest-4').length === 7 || undefined, 20_000);
      // Cancel does not wait for the rest of the notices.
      const res = await api(t.url, 'POST', '/api/v1/events/rest-4/cancel', { token: support });
      expect(res.status).toBe(200);
    }); // ending the session lets go of the lock
    await waitFor('rest-4 written', async () => (await eventRow('rest-4')).planning === false || undefined, 30_000);
    const { rows } = await pg.query(
      `SELECT n.status, count(*)::int AS n FROM notices n JOIN events e ON e.id = n.event_pk
        WHERE e.event_id = 'rest-4' GROUP BY n.status ORDER BY n.status`,
    );
    expect(rows).toEqual([
      { status: 'cancelled', n: CONTACTS - 5 },
      { status: 'sent', n: 7 },
    ]);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsOf('rest-4')).toHaveLength(7);
    expect((await eventRow('rest-4')).status).toBe('cancelled');
  });

  it('refuses to approve an event whose notices are still being written, and approves it once they are', async () => {
    await withLockSession(async (hold) => {
      await appliedHalf('rest-5', 'rest-case-5', ['p1'], hold, 'awaiting_review');
      const approve = await api(t.url, 'POST', '/api/v1/events/rest-5/approve', { token: support });
      expect(approve.status).toBe(409);
      expect(JSON.stringify(approve.body)).toContain('still being written');
      expect(mailsOf('rest-5')).toHaveLength(0);
    }); // ending the session lets go of the lock
    await waitFor('rest-5 written', async () => (await eventRow('rest-5')).planning === false || undefined, 30_000);
    expect((await api(t.url, 'POST', '/api/v1/events/rest-5/approve', { token: support })).status).toBe(200);
    await waitFor(
      'rest-5 completed',
      async () => (await eventRow('rest-5')).status === 'completed' || undefined,
      30_000,
    );
    expect(new Set(mailsOf('rest-5')).size).toBe(CONTACTS + 2);
    expect(mailsOf('rest-5')).toHaveLength(CONTACTS + 2);
  });

  it('writes the rest when the worker that applied the event died before it could', async () => {
    await appliedHalf('rest-2', 'rest-case-2', ['p1'], null);
    const done = await waitFor(
      'rest-2 completed',
      async () =>
        (await pg.query(`SELECT status, planning FROM events WHERE event_id = 'rest-2'`)).rows[0]?.status ===
          'completed' || undefined,
      30_000,
    );
    expect(done).toBe(true);
    const rows = await planned('rest-2');
    expect(rows.filter((r) => r.kind !== 'am-digest')).toHaveLength(CONTACTS);
    expectPlannedOrder(rows);
    const recipients = sink.messages
      .filter((m) => m.header('x-event-id') === 'rest-2')
      .map((m) => m.envelope.to.join(','));
    expect(recipients).toHaveLength(CONTACTS + 2);
    expect(new Set(recipients).size).toBe(CONTACTS + 2);
  });
});
