// Two APP_ROLE=worker processes on one dispatch: each notice sent once, the work split between them; /metrics shows
// queue depth and lag per queue.
import { QueueName } from '../../src/domain/queue.types';
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent, queueAt } from '../support/faults';
import { TEST_REDIS_URL } from '../support/redis';

const CONTACTS = 3000;

describe('scale-out: two worker processes', () => {
  const h = useFaultHarness('faults-scale', { customers: CONTACTS, env: { MAIL_RATE_PER_SECOND: '1000' } });

  it('sends each notice once, split between the two processes', async () => {
    // Each process signs its mails with its own envelope sender: the sink tells who sent what.
    await h.startWorkers({ MAIL_FROM: 'Worker A <a@vendor.example>' }, { MAIL_FROM: 'Worker B <b@vendor.example>' });
    const started = Date.now();
    await h.publish(bulkEvent('scale-1'), { jobId: 'scale-1' });
    const done = await h.waitForCompleted('scale-1');
    const ms = Date.now() - started;
    const messages = h.sink.messages;
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    expect(messages.length).toBe(CONTACTS);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(CONTACTS);
    const byA = messages.filter((m) => m.envelope.from === 'a@vendor.example').length;
    const byB = messages.filter((m) => m.envelope.from === 'b@vendor.example').length;
    expect(byA + byB).toBe(CONTACTS);
    expect(Math.min(byA, byB)).toBeGreaterThan(CONTACTS / 5);
    process.stdout.write(
      `scale-out: ${CONTACTS} notices in ${ms} ms, worker A sent ${byA}, worker B ${byB}, none twice\n`,
    );
  });

  it('exposes queue depth and lag per queue on /metrics', async () => {
    const api = await h.startApp('api');
    // No process consumes the maintenance queue: a job left there shows as waiting, and ages.
    const maintenance = queueAt(TEST_REDIS_URL, h.prefix, QueueName.Maintenance);
    await maintenance.add('probe', {});
    await maintenance.close();
    await new Promise((r) => setTimeout(r, 1100));
    const text = await (await fetch(`${api.url}/metrics`)).text();
    for (const name of Object.values(QueueName)) {
      expect(text).toMatch(new RegExp(`^impact_queue_jobs\\{queue="${name}",state="waiting"\\} \\d+$`, 'm'));
      expect(text).toMatch(new RegExp(`^impact_queue_lag_seconds\\{queue="${name}"\\} [\\d.e+-]+$`, 'm'));
    }
    expect(text).toMatch(/^impact_queue_jobs\{queue="maintenance",state="waiting"\} 1$/m);
    const lag = Number(/^impact_queue_lag_seconds\{queue="maintenance"\} ([\d.e+-]+)$/m.exec(text)![1]);
    expect(lag).toBeGreaterThanOrEqual(1);
    expect(lag).toBeLessThan(30);
  });
});
