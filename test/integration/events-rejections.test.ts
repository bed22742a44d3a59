import { Queue } from 'bullmq';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, eventsQueue, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts, noticeLines } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';

describe('events: rejections with reasons, idempotency, and the worker going on', () => {
  let t: TestApp;
  let support: string;
  let queue: Queue;

  const valid = (eventId: string, extra: Record<string, unknown> = {}) => ({
    ...BASE_EVENT,
    eventId,
    caseId: 'rej-case',
    type: 'suspension.issued',
    scope: { products: ['api'], regions: ['DE'] },
    ...extra,
  });

  const rejected = async () =>
    (await api(t.url, 'GET', '/api/v1/events?status=rejected&pageSize=200', { token: support })).body.items as any[];

  beforeAll(async () => {
    t = await startTestApp('rejections');
    support = (await t.userWithToken('support')).token;
    queue = eventsQueue(t.env.prefix);
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    await insertCustomers(t.env.db.url, [
      { ref: 'R1', name: 'R1', tier: 'developer', country: 'DE', subs: ['api'], contacts: [{ email: 'r1@x.example' }] },
    ]);
  });
  afterAll(async () => {
    await queue.close();
    await t.close();
  });

  it('stores job data that is not an event object with its raw text, and keeps consuming', async () => {
    await queue.add('junk', 'this is { not json');
    await queue.add('junk', 42 as never);
    await queue.add('junk', ['an', 'array'] as never);
    await queue.add('event', valid('ok-1'));
    const ok = await waitForEvent(t.url, support, 'ok-1');
    expect(ok.status).toBe('awaiting_review');
    const rows = await rejected();
    const raws = rows.map((r) => r.raw);
    expect(raws).toEqual(expect.arrayContaining(['this is { not json', '42', '["an","array"]']));
    expect(rows.find((r) => r.raw === 'this is { not json').reasons[0]).toMatch(/not valid JSON/);
    expect(rows.find((r) => r.raw === '42').reasons).toEqual(['event: must be a JSON object, got a number']);
  });

  it('lists every field problem of a malformed event at once', async () => {
    await queue.add('event', {
      eventId: 'bad one!',
      caseId: '',
      type: 'suspension.exploded',
      occurredAt: 'yesterday',
      title: 'x'.repeat(201),
      scope: { products: 'all', regions: ['Germany', 'group:eu'], tiers: ['vip'] },
      dispatch: 'now',
      __proto__: { x: 1 },
      constructor: 'evil',
    });
    await queue.add('event', valid('ok-2', { caseId: 'rej-case-2' }));
    await waitForEvent(t.url, support, 'ok-2');
    const bad = (await rejected()).find((r) => (r.raw ?? '').includes('bad one!'));
    expect(bad.reasons).toEqual(
      expect.arrayContaining([
        'constructor: unknown field',
        'eventId: must be 1-128 characters of A-Z a-z 0-9 . _ : -',
        'caseId: must be 1-128 characters of A-Z a-z 0-9 . _ : -',
        expect.stringMatching(/^type: must be one of suspension.issued/),
        expect.stringMatching(/^occurredAt: must be an ISO 8601/),
        'title: is 201 characters long; at most 200',
        'summary: is required',
        'scope.products: must be an array of strings',
        expect.stringMatching(/^scope.regions\[0\]: "Germany" is not an ISO 3166-1/),
        expect.stringMatching(/^scope.regions\[1\]: "group:eu" is not a valid group code/),
        expect.stringMatching(/^scope.tiers\[0\]: unknown tier "vip"/),
        'dispatch: must be "auto" or "review"',
      ]),
    );
  });

  it('rejects unknown product, country, group and category codes', async () => {
    await queue.add(
      'event',
      valid('unknown-codes', {
        caseId: 'rej-case-3',
        scope: { products: ['nope', 'category:robots'], regions: ['ZZ', 'group:NOPE'], excludeProducts: ['api'] },
      }),
    );
    await queue.add(
      'event',
      valid('unknown-codes-2', {
        caseId: 'rej-case-3b',
        scope: { products: ['nope'], regions: ['ZZ', 'group:NOPE'] },
      }),
    );
    const a = await waitForEvent(t.url, support, 'unknown-codes');
    expect(a.status).toBe('rejected');
    expect(a.reasons).toEqual([expect.stringMatching(/^scope.products\[1\]: unknown category "robots"/)]);
    const b = await waitForEvent(t.url, support, 'unknown-codes-2');
    expect(b.reasons).toEqual([
      'scope: unknown product "nope"',
      'scope: unknown country "ZZ"',
      'scope: unknown region group "NOPE"',
    ]);
  });

  it('rejects what the lifecycle forbids: issued for an open case, others for unknown or closed cases', async () => {
    await queue.add('event', valid('life-1', { caseId: 'life' }));
    await queue.add('event', valid('life-2', { caseId: 'life' }));
    await queue.add('event', { ...valid('life-3', { caseId: 'never-opened' }), type: 'suspension.updated' });
    await queue.add('event', { ...valid('life-4', { caseId: 'life' }), type: 'suspension.lifted', scope: undefined });
    await queue.add('event', { ...valid('life-5', { caseId: 'life' }), type: 'license.denied' });
    expect((await waitForEvent(t.url, support, 'life-1')).status).toBe('awaiting_review');
    expect((await waitForEvent(t.url, support, 'life-2')).reasons).toEqual([
      'type: suspension.issued for case "life", which is already open (use suspension.updated)',
    ]);
    expect((await waitForEvent(t.url, support, 'life-3')).reasons).toEqual([
      'caseId: "never-opened" is not a known case; suspension.updated needs a case opened by suspension.issued',
    ]);
    expect((await waitForEvent(t.url, support, 'life-4')).status).toBe('awaiting_review');
    expect((await waitForEvent(t.url, support, 'life-5')).reasons).toEqual([
      'caseId: case "life" is closed; license.denied cannot apply to it',
    ]);
    expect(await noticeLines(t.env.db.url, 'life-2')).toEqual([]);
  });

  it('treats a repeated eventId with the same content as a no-op and with other content as a conflict', async () => {
    const first = valid('dup-1', { caseId: 'dup' });
    for (let i = 0; i < 3; i++) await queue.add('event', first);
    await queue.add('event', { ...first, title: 'Changed title' });
    await queue.add('event', valid('dup-after', { caseId: 'dup-after' }));
    await waitForEvent(t.url, support, 'dup-after');
    // Another case: its apply job runs beside dup-1's, so it may finish first.
    await waitForEvent(t.url, support, 'dup-1');
    const all = (await api(t.url, 'GET', '/api/v1/events?caseId=dup&pageSize=50', { token: support })).body.items;
    expect(all.map((e: any) => [e.status, e.conflict])).toEqual([
      ['rejected', true],
      ['awaiting_review', false],
    ]);
    expect(all[0].reasons[0]).toMatch(/already received with different content/);
    expect(await noticeLines(t.env.db.url, 'dup-1')).toEqual(['suspended R1 r1@x.example']);

    const again = await api(t.url, 'POST', '/api/v1/events', { token: support, body: first });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ eventId: 'dup-1', status: 'awaiting_review', duplicate: true });
    const conflict = await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: { ...first, summary: 'other' },
    });
    expect(conflict.status).toBe(409);
  });

  it('answers 400 with every reason over HTTP and stores the rejected event', async () => {
    const res = await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: { eventId: 'http-bad', caseId: 'h', type: 'suspension.issued', occurredAt: '2026-11-26T09:00:00Z' },
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      'title: is required',
      'summary: is required',
      'scope: is required for this type',
    ]);
    await waitFor('stored', async () => (await rejected()).some((r) => r.eventId === 'http-bad'));
    const ok = await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: valid('http-ok', { caseId: 'http-case' }),
    });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ eventId: 'http-ok', status: 'received' });
    expect((await waitForEvent(t.url, support, 'http-ok')).status).toBe('awaiting_review');
  });
});
