// SIGTERM during a dispatch: sends in flight finish and are recorded, the rest is given back, the process exits 0.
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent, duplicates } from '../support/faults';

const CONTACTS = 2000;

describe('faults: SIGTERM during a dispatch', () => {
  const h = useFaultHarness('faults-sigterm', {
    customers: CONTACTS,
    env: { SEND_LEASE_SECONDS: '30', MAIL_RATE_PER_SECOND: '400', WORKER_CONCURRENCY: '8' },
  });

  it('finishes the sends in flight, leaves nothing in sending, exits 0, and the next worker sends the rest once', async () => {
    const [first] = await h.startWorkers();
    await h.publish(bulkEvent('term-1'), { jobId: 'term-1' });
    await h.sink.waitForMessages(CONTACTS / 4, 30_000);

    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const { code, signal } = await first.exited;
    const stopMs = Date.now() - signalled;
    expect({ code, signal }).toEqual({ code: 0, signal: null });

    const after = await h.tally('term-1');
    expect(after.byStatus.sending ?? 0).toBe(0);
    expect(after.byStatus.failed ?? 0).toBe(0);
    // Every mail the server took is recorded as sent, and nothing recorded as sent is missing at the server.
    const receivedBeforeRestart = h.sink.messages.length;
    expect(after.byStatus.sent).toBe(receivedBeforeRestart);
    expect(duplicates(h.sink.messages.map((m) => m.messageId)).size).toBe(0);

    h.spawnWorker();
    const done = await h.waitForCompleted('term-1');
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const ids = h.sink.messages.map((m) => m.messageId);
    expect(ids.length).toBe(CONTACTS);
    expect(new Set(ids).size).toBe(CONTACTS);
    const [{ attempts }] = await h.rows(`SELECT max(attempts)::int AS attempts FROM notices`);
    expect(attempts).toBe(1);
    process.stdout.write(
      `sigterm: ${receivedBeforeRestart} mails before exit 0 in ${stopMs} ms, no duplicate after restart\n`,
    );
  });
});
