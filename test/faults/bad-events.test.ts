// Malformed events on the queue, beyond test/integration/events-rejections: each field wrong in turn, a 1 MB summary,
// `__proto__` and `constructor` as real JSON keys. Each is rejected with its reason, nothing is sent, the worker goes on.
import { api } from '../support/app';
import { waitForEvent } from '../support/events';
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent } from '../support/faults';

const good = (eventId: string) => bulkEvent(eventId, `case-${eventId}`);

const WRONG: [field: string, value: unknown, reason: RegExp][] = [
  ['eventId', 42, /^eventId: /],
  ['caseId', 'a b', /^caseId: /],
  ['type', 'suspension.maybe', /^type: /],
  ['occurredAt', '2026-11-26 09:00', /^occurredAt: /],
  ['effectiveAt', 'tomorrow', /^effectiveAt: /],
  ['title', '', /^title: /],
  ['summary', 'x'.repeat(1024 * 1024), /^summary: .*at most 5/],
  ['authority', { name: 'BIS' }, /^authority: /],
  ['scope', 'everything', /^scope: /],
  ['conditions', 'none', /^conditions: /],
  ['dispatch', 'later', /^dispatch: /],
];

describe('faults: malformed events', () => {
  const h = useFaultHarness('faults-bad-events', {
    customers: 3,
    inProcess: true,
    env: { RECONCILE_INTERVAL_MS: '200' },
  });
  let support: string;
  beforeAll(async () => {
    support = (await h.app.userWithToken('support')).token;
  });

  it.each(WRONG)('rejects %s with a reason, sends nothing, and takes the next event', async (field, value, reason) => {
    const eventId = `bad-${field}`;
    await h.publish({ ...good(eventId), [field]: value });
    await h.publish(good(`after-${field}`));
    expect((await h.waitForCompleted(`after-${field}`)).byStatus).toEqual({ sent: 3 });
    const rows = await h.rows(
      `SELECT status, reasons, length(raw) AS raw FROM events WHERE status = 'rejected' AND (event_id = $1 OR raw LIKE $2)`,
      [eventId, `%"caseId":"case-${eventId}"%`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].reasons).toContainEqual(expect.stringMatching(reason));
    expect(rows[0].raw ?? 0).toBeLessThanOrEqual(70 * 1024); // a 1 MB payload is stored capped
    expect(h.sink.messages.filter((m) => m.header('x-event-id') === eventId)).toEqual([]);
  });

  it('rejects __proto__ and constructor keys sent as JSON text, without touching any prototype', async () => {
    const text = JSON.stringify(good('proto-1')).replace(
      /^\{/,
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},',
    );
    await h.publish(text);
    await h.publish(good('after-proto'));
    await h.waitForCompleted('after-proto');
    const ev = await waitForEvent(h.app.url, support, 'proto-1');
    expect(ev.status).toBe('rejected');
    expect(ev.reasons).toEqual(expect.arrayContaining(['__proto__: unknown field', 'constructor: unknown field']));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const res = await api(h.app.url, 'POST', '/api/v1/events', {
      token: support,
      body: text.replace('proto-1', 'proto-2'),
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual(expect.arrayContaining(['__proto__: unknown field']));
  });
});
