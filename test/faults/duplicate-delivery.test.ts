// The same event delivered three times, two of them at the same moment: stored once, one fan-out, one mail per contact.
import { api } from '../support/app';
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent } from '../support/faults';

const CONTACTS = 200;

describe('faults: one event delivered three times', () => {
  const h = useFaultHarness('faults-dup', {
    customers: CONTACTS,
    inProcess: true,
    env: { RECONCILE_INTERVAL_MS: '200' },
  });
  let support: string;
  beforeAll(async () => {
    support = (await h.app.userWithToken('support')).token;
  });

  it('fans out once', async () => {
    const event = bulkEvent('dup-1');
    // Two copies at the same moment (HTTP and the queue, no jobId so BullMQ cannot drop one), a third a little later.
    const [http] = await Promise.all([
      api(h.app.url, 'POST', '/api/v1/events', { token: support, body: event }),
      h.publish(event),
    ]);
    expect(http.status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    const third = await api(h.app.url, 'POST', '/api/v1/events', { token: support, body: event });
    expect(third.status).toBe(202);
    expect(third.body.duplicate).toBe(true);

    const done = await h.waitForCompleted('dup-1');
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const stored = await h.rows(`SELECT status, conflict FROM events WHERE event_id = 'dup-1'`);
    expect(stored).toEqual([{ status: 'completed', conflict: false }]);
    // Give a stray second fan-out time to show itself before counting the mails.
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.sink.messages.length).toBe(CONTACTS);
    expect(new Set(h.sink.messages.map((m) => m.envelope.to[0])).size).toBe(CONTACTS);
  });
});
