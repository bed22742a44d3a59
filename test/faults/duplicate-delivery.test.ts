// The same event delivered three times, two of them at the same moment: stored once, one fan-out, one mail per contact.
import type { Queue } from 'bullmq';
import { api, startTestApp, TestApp } from '../support/app';
import { eventsQueue } from '../support/events';
import { bulkEvent, seedBulk, waitForCompleted } from '../support/faults';
import { withPg } from '../support/registry-fixture';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';

const CONTACTS = 200;

describe('faults: one event delivered three times', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let queue: Queue;
  let support: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('faults-dup', { env: { SMTP_URL: sink.url, RECONCILE_INTERVAL_MS: '200' } });
    support = (await t.userWithToken('support')).token;
    queue = eventsQueue(t.env.prefix);
    await seedBulk(t.env.db.url, CONTACTS);
  });
  afterAll(async () => {
    await queue.close();
    await t.close();
    await sink.close();
  });

  it('fans out once', async () => {
    const event = bulkEvent('dup-1');
    // Two copies at the same moment (HTTP and the queue, no jobId so BullMQ cannot drop one), a third a little later.
    const [http] = await Promise.all([
      api(t.url, 'POST', '/api/v1/events', { token: support, body: event }),
      queue.add('event', event),
    ]);
    expect(http.status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    const third = await api(t.url, 'POST', '/api/v1/events', { token: support, body: event });
    expect(third.status).toBe(202);
    expect(third.body.duplicate).toBe(true);

    const done = await waitForCompleted(t.env.db.url, 'dup-1');
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const stored = await withPg(
      t.env.db.url,
      async (c) => (await c.query(`SELECT status, conflict FROM events WHERE event_id = 'dup-1'`)).rows,
    );
    expect(stored).toEqual([{ status: 'completed', conflict: false }]);
    // Give a stray second fan-out time to show itself before counting the mails.
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.messages.length).toBe(CONTACTS);
    expect(new Set(sink.messages.map((m) => m.envelope.to[0])).size).toBe(CONTACTS);
  });
});
