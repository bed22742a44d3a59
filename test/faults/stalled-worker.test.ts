// A worker frozen (SIGSTOP) longer than its job locks and leases: the other worker takes over its claims, and the
// frozen one, when it wakes while the dispatch still runs, does not send what it had claimed and not yet sent.
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

const CONTACTS = 6000;
/** Longer than the notice-dispatch job lock (15 s) plus a stalled-job check (5 s), and far longer than the lease. */
const FROZEN_MS = 21_000;
/** Sends one worker can have on the wire at the freeze: SEND_CONCURRENCY lanes × WORKER_CONCURRENCY pumps. */
const MAX_ON_THE_WIRE = 8 * 4;

describe('faults: a worker whose event loop stops longer than a job lock', () => {
  runAlone();
  let env: TestEnv;
  let sink: SmtpSink;
  let queue: Queue;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    env = await createTestEnv('faults-stalled', {
      SMTP_URL: sink.url,
      SEND_LEASE_SECONDS: '10',
      RECONCILE_INTERVAL_MS: '500',
      // Slow enough that a frozen worker holds claimed notices it has not sent yet.
      MAIL_RATE_PER_SECOND: '200',
      WORKER_CONCURRENCY: '4',
    });
    queue = eventsQueue(env.prefix);
  });
  afterAll(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null) w.child.kill('SIGCONT');
      await kill(w);
    }
    await queue.close();
    await sink.close();
    await env.cleanup();
  });

  it('lets the other worker take over, and the frozen one sends at most what was on the wire when it froze', async () => {
    const t0 = Date.now();
    const log = (what: string) =>
      process.stdout.write(`stalled-worker ${Date.now() - t0} ms: ${what} (${sink.messages.length} mails)\n`);
    // Each worker signs its mails with its own envelope sender, so the sink tells who sent what.
    const a = spawnWorker(env.env, { MAIL_FROM: 'Worker A <a@vendor.example>' });
    const b = spawnWorker(env.env, { MAIL_FROM: 'Worker B <b@vendor.example>' });
    workers.push(a, b);
    await Promise.all([waitForOutput(a, /impact-notices started/), waitForOutput(b, /impact-notices started/)]);
    await seedBulk(env.db.url, CONTACTS);
    const byA = () => sink.messages.filter((m) => m.envelope.from === 'a@vendor.example');
    await queue.add('event', bulkEvent('stall-1'), { jobId: 'stall-1' });
    await waitFor('worker A sending', async () => byA().length >= 100, 30_000);

    log('SIGSTOP');
    a.child.kill('SIGSTOP');
    const aAtFreeze = byA().length;
    const inFlight = (await tally(env.db.url, 'stall-1')).byStatus.sending ?? 0;
    await new Promise((r) => setTimeout(r, FROZEN_MS));
    // B has taken over A's claims (their leases ran out long ago), and the dispatch is still running.
    const atWake = await tally(env.db.url, 'stall-1');
    expect(atWake.event).toBe('dispatching');
    const orphaned = await withPg(
      env.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT count(*)::int AS n FROM notices WHERE status = 'sending' AND lease_until < now() - interval '2 seconds'`,
          )
        ).rows[0].n,
    );
    expect(orphaned).toBe(0);

    const wokeAt = sink.messages.length;
    log('SIGCONT');
    a.child.kill('SIGCONT');
    const done = await waitForCompleted(env.db.url, 'stall-1', 30_000);
    log('completed');
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const ids = sink.messages.map((m) => m.messageId);
    const extra = [...duplicates(ids).values()].reduce((s, n) => s + n - 1, 0);
    expect(new Set(ids).size).toBe(CONTACTS);
    // What A sent after waking that the server already had: only what was on the wire when A froze.
    const seenBefore = (i: number) => sink.messages.slice(0, i).some((m) => m.messageId === sink.messages[i].messageId);
    const againByA = sink.messages
      .map((m, i) => ({ m, i }))
      .filter(({ m, i }) => i >= wokeAt && m.envelope.from === 'a@vendor.example' && seenBefore(i)).length;
    expect(againByA).toBeLessThanOrEqual(MAX_ON_THE_WIRE);
    // Mails sent but not yet recorded when A froze are sent again by B: at most what was claimed then.
    expect(extra).toBeLessThanOrEqual(inFlight);
    // A is still a working process after its freeze.
    expect(a.child.exitCode).toBeNull();
    process.stdout.write(
      `stalled-worker: A sent ${aAtFreeze} before SIGSTOP, ${inFlight} notices in sending; ${atWake.byStatus.sent} of ${CONTACTS} sent at SIGCONT; ` +
        `A sent ${againByA} again after SIGCONT, ${extra} mails received twice\n`,
    );
  }, 80_000);
});
