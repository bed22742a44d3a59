// SIGTERM during a dispatch: sends in flight finish and are recorded, the rest is given back, the process exits 0.
import { Queue } from 'bullmq';
import { eventsQueue } from '../support/events';
import {
  bulkEvent,
  duplicates,
  kill,
  seedBulk,
  spawnWorker,
  tally,
  waitForCompleted,
  waitForOutput,
} from '../support/faults';
import { withPg } from '../support/registry-fixture';
import { waitFor, type ServiceProcess } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { createTestEnv, TestEnv } from '../support/test-env';
import { runAlone } from '../support/run-alone';

const CONTACTS = 2000;

describe('faults: SIGTERM during a dispatch', () => {
  runAlone();
  let env: TestEnv;
  let sink: SmtpSink;
  let queue: Queue;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    env = await createTestEnv('faults-sigterm', {
      SMTP_URL: sink.url,
      SEND_LEASE_SECONDS: '30',
      RECONCILE_INTERVAL_MS: '500',
      MAIL_RATE_PER_SECOND: '400',
      WORKER_CONCURRENCY: '8',
    });
    queue = eventsQueue(env.prefix);
  });
  afterAll(async () => {
    for (const w of workers) await kill(w);
    await queue.close();
    await sink.close();
    await env.cleanup();
  });

  it('finishes the sends in flight, leaves nothing in sending, exits 0, and the next worker sends the rest once', async () => {
    const first = spawnWorker(env.env);
    workers.push(first);
    await waitForOutput(first, /impact-notices started/);
    await seedBulk(env.db.url, CONTACTS);
    await queue.add('event', bulkEvent('term-1'), { jobId: 'term-1' });
    await waitFor('a quarter of the mails', async () => sink.messages.length >= CONTACTS / 4, 30_000);

    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const { code, signal } = await first.exited;
    const stopMs = Date.now() - signalled;
    expect({ code, signal }).toEqual({ code: 0, signal: null });

    const after = await tally(env.db.url, 'term-1');
    expect(after.byStatus.sending ?? 0).toBe(0);
    expect(after.byStatus.failed ?? 0).toBe(0);
    // Every mail the server took is recorded as sent, and nothing recorded as sent is missing at the server.
    const receivedBeforeRestart = sink.messages.length;
    expect(after.byStatus.sent).toBe(receivedBeforeRestart);
    expect(duplicates(sink.messages.map((m) => m.messageId)).size).toBe(0);

    const second = spawnWorker(env.env);
    workers.push(second);
    const done = await waitForCompleted(env.db.url, 'term-1');
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const ids = sink.messages.map((m) => m.messageId);
    expect(ids.length).toBe(CONTACTS);
    expect(new Set(ids).size).toBe(CONTACTS);
    const attempts = await withPg(
      env.db.url,
      async (c) => (await c.query(`SELECT max(attempts)::int AS m FROM notices`)).rows[0].m,
    );
    expect(attempts).toBe(1);
    process.stdout.write(
      `sigterm: ${receivedBeforeRestart} mails before exit 0 in ${stopMs} ms, no duplicate after restart\n`,
    );
  });
});
