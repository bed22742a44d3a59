// Events of one case published at once to two worker processes are applied one at a time, in arrival order.
import { Queue } from 'bullmq';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, eventsQueue, waitForEvent } from '../support/events';
import { insertCustomers, insertGroup, insertProducts, withPg } from '../support/registry-fixture';
import { spawnService, ServiceProcess, waitFor } from '../support/service-process';

const CASES = ['ord-a', 'ord-b', 'ord-c', 'ord-d'];
const STEPS = [
  // The first step reads region_groups at intake; the test holds that table locked for a while.
  { type: 'suspension.issued', scope: { products: ['*'], regions: ['group:ORDGRP'] } },
  { type: 'suspension.updated', scope: { products: ['api'], regions: ['*'] } },
  { type: 'license.granted', scope: { products: ['api'], regions: ['FR'] }, conditions: ['none'] },
  { type: 'license.denied', scope: { products: ['api'], regions: ['DE'] } },
  { type: 'suspension.lifted' },
];

describe('per-case ordering across two worker processes', () => {
  let t: TestApp;
  let support: string;
  let queue: Queue;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    t = await startTestApp('ordering', { role: 'api' });
    support = (await t.userWithToken('support')).token;
    queue = eventsQueue(t.env.prefix);
    await insertProducts(t.env.db.url, [
      ['api', 'API', 'hosted-api'],
      ['code', 'Code', 'software'],
    ]);
    await insertGroup(t.env.db.url, 'ORDGRP', ['DE', 'FR', 'JP']);
    await insertCustomers(
      t.env.db.url,
      Array.from({ length: 60 }, (_, i) => ({
        ref: `O${i}`,
        name: `O${i}`,
        tier: 'developer' as const,
        country: ['DE', 'FR', 'JP'][i % 3],
        subs: ['api', 'code'],
        contacts: [{ email: `o${i}@x.example` }],
      })),
    );
    for (let i = 0; i < 2; i++) workers.push(spawnService({ ...t.env.env, APP_ROLE: 'worker', LOG_LEVEL: 'warn' }));
    // Both workers are up when each has applied its reconcile pass (the queue's global concurrency is set).
    await waitFor('workers ready', async () => (await queue.getGlobalConcurrency()) === 1, 30_000);
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await queue.close();
    await t.close();
  });

  it('applies every step of every case in the order published, rejecting none, even when the first is slow to store', async () => {
    const jobs = STEPS.flatMap((step, i) =>
      CASES.map((caseId) => ({
        name: 'event',
        data: { ...BASE_EVENT, ...step, caseId, eventId: `${caseId}-${i}` },
        opts: { jobId: `${caseId}-${i}` },
      })),
    );
    // A slow read of region_groups delays the intake of every first step; later steps must still wait their turn.
    await withPg(t.env.db.url, async (c) => {
      await c.query('BEGIN');
      await c.query('LOCK TABLE region_groups IN ACCESS EXCLUSIVE MODE');
      await queue.addBulk(jobs);
      await new Promise((r) => setTimeout(r, 1500));
      await c.query('COMMIT');
    });
    for (const caseId of CASES) await waitForEvent(t.url, support, `${caseId}-${STEPS.length - 1}`, 60_000);
    for (const caseId of CASES) {
      const c = await api(t.url, 'GET', `/api/v1/cases/${caseId}`, { token: support });
      expect(c.body.timeline.map((e: any) => `${e.eventId} ${e.status}`)).toEqual(
        STEPS.map((_, i) => `${caseId}-${i} awaiting_review`),
      );
      expect(c.body.status).toBe('closed');
    }
    // Had any event overtaken an earlier one of its case, the lifecycle would have rejected it.
    const appliedBy = await withPg(t.env.db.url, (c) =>
      c.query(`SELECT count(*)::int AS n FROM events WHERE status = 'rejected'`),
    );
    expect(appliedBy.rows[0].n).toBe(0);
  });
});
