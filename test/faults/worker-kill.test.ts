// A worker process SIGKILLed mid-dispatch and started again: every contact gets exactly one sent notice, nothing is left behind.
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

const CONTACTS = 3000;
const LEASE_SECONDS = 5;

describe('faults: a worker killed mid-dispatch', () => {
  runAlone();
  let env: TestEnv;
  let sink: SmtpSink;
  let queue: Queue;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    env = await createTestEnv('faults-kill', {
      SMTP_URL: sink.url,
      SEND_LEASE_SECONDS: String(LEASE_SECONDS),
      RECONCILE_INTERVAL_MS: '500',
      MAIL_RATE_PER_SECOND: '600',
      MAIL_RETRY_BASE_MS: '200',
      // Every pump of the event runs at once: none waits in the queue to take over after the kill.
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

  it('resends only what was in flight, and every contact ends with exactly one sent notice', async () => {
    const first = spawnWorker(env.env);
    workers.push(first);
    await waitForOutput(first, /impact-notices started/);
    await seedBulk(env.db.url, CONTACTS);
    await queue.add('event', bulkEvent('kill-1'), { jobId: 'kill-1' });

    await waitFor('a third of the mails', async () => sink.messages.length >= CONTACTS / 3, 30_000);
    await kill(first, 'SIGKILL');
    const receivedAtKill = sink.messages.length;
    const inFlight = (await tally(env.db.url, 'kill-1')).byStatus.sending ?? 0;
    const killedAt = Date.now();

    const second = spawnWorker(env.env);
    workers.push(second);
    // While the second worker recovers, no notice may sit in `sending` long after its lease ran out.
    let worstOverdue = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const overdue = await withPg(env.db.url, async (c) =>
          Number(
            (
              await c.query(
                `SELECT coalesce(extract(epoch FROM max(now() - lease_until)), 0) AS s FROM notices WHERE status = 'sending'`,
              )
            ).rows[0].s,
          ),
        );
        worstOverdue = Math.max(worstOverdue, overdue);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const done = await waitForCompleted(env.db.url, 'kill-1', 50_000).finally(() => (watching = false));
    await watch;
    const recoveredMs = Date.now() - killedAt;

    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const perContact = await withPg(
      env.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT count(DISTINCT email)::int AS contacts, count(*)::int AS sent FROM notices WHERE status = 'sent'`,
          )
        ).rows[0],
    );
    expect(perContact).toEqual({ contacts: CONTACTS, sent: CONTACTS });

    const ids = sink.messages.map((m) => m.messageId);
    const dup = duplicates(ids);
    const extra = [...dup.values()].reduce((s, n) => s + n - 1, 0);
    expect(new Set(ids).size).toBe(CONTACTS);
    expect(extra).toBeLessThanOrEqual(inFlight);
    // Taken over within about a lease (the reconciler adds pumps for leases overdue a tick), not a job lock later.
    expect(worstOverdue).toBeLessThan(3 * LEASE_SECONDS);
    process.stdout.write(
      `worker-kill: ${receivedAtKill} mails before SIGKILL, ${inFlight} notices in flight, ${extra} received twice, ` +
        `recovered in ${recoveredMs} ms, worst lease overdue ${worstOverdue.toFixed(1)} s\n`,
    );
  });
});
