// A worker frozen (SIGSTOP) longer than its job locks and leases: the other worker takes over its claims, and the
// frozen one, when it wakes while the dispatch still runs, does not send what it had claimed and not yet sent.
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent, extraCopies } from '../support/faults';
import { waitFor } from '../support/service-process';

const CONTACTS = 6000;
/** Longer than the notice-dispatch job lock (15 s) plus a stalled-job check (5 s), and far longer than the lease. */
const FROZEN_MS = 21_000;
/** Sends one worker can have on the wire at the freeze: SEND_CONCURRENCY lanes × WORKER_CONCURRENCY pumps. */
const MAX_ON_THE_WIRE = 8 * 4;

describe('faults: a worker whose event loop stops longer than a job lock', () => {
  const h = useFaultHarness('faults-stalled', {
    customers: CONTACTS,
    env: {
      SEND_LEASE_SECONDS: '10',
      // Slow enough that a frozen worker holds claimed notices it has not sent yet.
      MAIL_RATE_PER_SECOND: '200',
      WORKER_CONCURRENCY: '4',
    },
  });

  it('lets the other worker take over, and the frozen one sends at most what was on the wire when it froze', async () => {
    const t0 = Date.now();
    const log = (what: string) =>
      process.stdout.write(`stalled-worker ${Date.now() - t0} ms: ${what} (${h.sink.messages.length} mails)\n`);
    // Each worker signs its mails with its own envelope sender, so the sink tells who sent what.
    const [a] = await h.startWorkers(
      { MAIL_FROM: 'Worker A <a@vendor.example>' },
      { MAIL_FROM: 'Worker B <b@vendor.example>' },
    );
    const byA = () => h.sink.messages.filter((m) => m.envelope.from === 'a@vendor.example');
    await h.publish(bulkEvent('stall-1'), { jobId: 'stall-1' });
    await waitFor('worker A sending', async () => byA().length >= 100, 30_000);

    log('SIGSTOP');
    a.child.kill('SIGSTOP');
    const aAtFreeze = byA().length;
    const inFlight = (await h.tally('stall-1')).byStatus.sending ?? 0;
    await new Promise((r) => setTimeout(r, FROZEN_MS));
    // B has taken over A's claims (their leases ran out long ago), and the dispatch is still running.
    const atWake = await h.tally('stall-1');
    expect(atWake.event).toBe('dispatching');
    const [{ orphaned }] = await h.rows(
      `SELECT count(*)::int AS orphaned FROM notices WHERE status = 'sending' AND lease_until < now() - interval '2 seconds'`,
    );
    expect(orphaned).toBe(0);

    const wokeAt = h.sink.messages.length;
    log('SIGCONT');
    a.child.kill('SIGCONT');
    const done = await h.waitForCompleted('stall-1', 30_000);
    log('completed');
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const messages = h.sink.messages;
    const ids = messages.map((m) => m.messageId);
    const extra = extraCopies(ids);
    expect(new Set(ids).size).toBe(CONTACTS);
    // What A sent after waking that the server already had: only what was on the wire when A froze.
    const seenBefore = (i: number) => messages.slice(0, i).some((m) => m.messageId === messages[i].messageId);
    const againByA = messages
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
