// A worker process SIGKILLed mid-dispatch and started again: every contact gets exactly one sent notice, nothing is left behind.
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent, extraCopies, kill } from '../support/faults';

const CONTACTS = 3000;
const LEASE_SECONDS = 5;

describe('faults: a worker killed mid-dispatch', () => {
  const h = useFaultHarness('faults-kill', {
    customers: CONTACTS,
    env: {
      SEND_LEASE_SECONDS: String(LEASE_SECONDS),
      MAIL_RATE_PER_SECOND: '600',
      MAIL_RETRY_BASE_MS: '200',
      // Every pump of the event runs at once: none waits in the queue to take over after the kill.
      WORKER_CONCURRENCY: '8',
    },
  });

  it('resends only what was in flight, and every contact ends with exactly one sent notice', async () => {
    const [first] = await h.startWorkers();
    await h.publish(bulkEvent('kill-1'), { jobId: 'kill-1' });

    await h.sink.waitForMessages(CONTACTS / 3, 30_000);
    await kill(first, 'SIGKILL');
    const receivedAtKill = h.sink.messages.length;
    const inFlight = (await h.tally('kill-1')).byStatus.sending ?? 0;
    const killedAt = Date.now();

    h.spawnWorker();
    // While the second worker recovers, no notice may sit in `sending` long after its lease ran out.
    let worstOverdue = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const [{ s }] = await h.rows(
          `SELECT coalesce(extract(epoch FROM max(now() - lease_until)), 0) AS s FROM notices WHERE status = 'sending'`,
        );
        worstOverdue = Math.max(worstOverdue, Number(s));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const done = await h.waitForCompleted('kill-1', 50_000).finally(() => (watching = false));
    await watch;
    const recoveredMs = Date.now() - killedAt;

    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const [perContact] = await h.rows(
      `SELECT count(DISTINCT email)::int AS contacts, count(*)::int AS sent FROM notices WHERE status = 'sent'`,
    );
    expect(perContact).toEqual({ contacts: CONTACTS, sent: CONTACTS });

    const ids = h.sink.messages.map((m) => m.messageId);
    const extra = extraCopies(ids);
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
