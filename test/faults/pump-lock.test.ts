// A worker SIGKILLed between batches, holding every pump of an event: its pump jobs stay locked in BullMQ for up to
// the 15 s job lock, and the other worker, idle, must take the event over well before that without sending twice.
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent, extraCopies, kill } from '../support/faults';

const CONTACTS = 500;
/** Slow enough that the dispatch outlasts the second worker's start (several seconds on a loaded machine). */
const RATE = 20;

describe('faults: a worker killed between batches while it holds every pump of the event', () => {
  const h = useFaultHarness('faults-pump-lock', {
    customers: CONTACTS,
    env: {
      // Under a rate limit a pump waits for its permits before it claims: most of the time it holds no claim at all.
      MAIL_RATE_PER_SECOND: String(RATE),
      // A full lease, so an orphaned claim (a kill that did land mid-batch) could not be what brings the event back.
      SEND_LEASE_SECONDS: '60',
      // Room for all 8 pumps of the event in one process.
      WORKER_CONCURRENCY: '8',
    },
  });

  it('is taken over by the other worker within a few seconds, every contact told exactly once', async () => {
    const [first] = await h.startWorkers();
    await h.publish(bulkEvent('lock-1'), { jobId: 'lock-1' });
    await h.sink.waitForMessages(20, 30_000);
    // The first worker runs every pump of the event now; the second finds none waiting.
    const [second] = await h.startWorkers();

    // Between batches: no notice claimed by anyone at the moment of the kill.
    let idle = false;
    for (let i = 0; i < 200 && !idle; i++) {
      const [{ n }] = await h.rows(`SELECT count(*)::int AS n FROM notices WHERE status = 'sending'`);
      idle = n === 0;
      if (idle) await kill(first, 'SIGKILL');
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(idle).toBe(true);
    const killedAt = Date.now();
    const atKill = await h.tally('lock-1');
    const left = CONTACTS - (atKill.byStatus.sent ?? 0);
    // Still dispatching, so there is something to take over.
    expect(left).toBeGreaterThan(RATE * 2);

    const done = await h.waitForCompleted('lock-1', 90_000);
    const recoveredMs = Date.now() - killedAt;
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const ids = h.sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(CONTACTS);
    expect(extraCopies(ids)).toBe(0);
    // What was left takes left / RATE seconds at the rate limit; the takeover must not wait for the 15 s job lock
    // and the stalled check (up to 20 s) on top of that.
    const sendingMs = (left / RATE) * 1000;
    process.stdout.write(
      `pump-lock: ${left} notices left at the kill (${Math.round(sendingMs)} ms at the rate), ` +
        `completed ${recoveredMs} ms after the kill, so ${recoveredMs - Math.round(sendingMs)} ms to take over\n`,
    );
    expect(recoveredMs - sendingMs).toBeLessThan(10_000);
    await kill(second);
  }, 120_000);
});
