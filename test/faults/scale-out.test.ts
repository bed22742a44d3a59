// Two APP_ROLE=worker processes on one dispatch: each notice sent once, the work split between them; /metrics shows
// queue depth and lag per queue.
import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { startApp } from '../../src/bootstrap';
import { QueueName } from '../../src/domain/queue.types';
import { eventsQueue } from '../support/events';
import { bulkEvent, kill, queueAt, seedBulk, spawnWorker, waitForCompleted, waitForOutput } from '../support/faults';
import { TEST_REDIS_URL } from '../support/redis';
import { type ServiceProcess } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { createTestEnv, TestEnv } from '../support/test-env';
import { runAlone } from '../support/run-alone';

const CONTACTS = 3000;

describe('scale-out: two worker processes', () => {
  runAlone();
  let env: TestEnv;
  let sink: SmtpSink;
  let queue: Queue;
  let apiApp: INestApplication | undefined;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    env = await createTestEnv('faults-scale', {
      SMTP_URL: sink.url,
      RECONCILE_INTERVAL_MS: '500',
      MAIL_RATE_PER_SECOND: '1000',
    });
    queue = eventsQueue(env.prefix);
  });
  afterAll(async () => {
    for (const w of workers) await kill(w);
    await apiApp?.close();
    await queue.close();
    await sink.close();
    await env.cleanup();
  });

  it('sends each notice once, split between the two processes', async () => {
    // Each process signs its mails with its own envelope sender: the sink tells who sent what.
    const a = spawnWorker(env.env, { MAIL_FROM: 'Worker A <a@vendor.example>' });
    const b = spawnWorker(env.env, { MAIL_FROM: 'Worker B <b@vendor.example>' });
    workers.push(a, b);
    await Promise.all([waitForOutput(a, /impact-notices started/), waitForOutput(b, /impact-notices started/)]);
    await seedBulk(env.db.url, CONTACTS);
    const started = Date.now();
    await queue.add('event', bulkEvent('scale-1'), { jobId: 'scale-1' });
    const done = await waitForCompleted(env.db.url, 'scale-1');
    const ms = Date.now() - started;
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    expect(sink.messages.length).toBe(CONTACTS);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(CONTACTS);
    const byA = sink.messages.filter((m) => m.envelope.from === 'a@vendor.example').length;
    const byB = sink.messages.filter((m) => m.envelope.from === 'b@vendor.example').length;
    expect(byA + byB).toBe(CONTACTS);
    expect(Math.min(byA, byB)).toBeGreaterThan(CONTACTS / 5);
    process.stdout.write(
      `scale-out: ${CONTACTS} notices in ${ms} ms, worker A sent ${byA}, worker B ${byB}, none twice\n`,
    );
  });

  it('exposes queue depth and lag per queue on /metrics', async () => {
    const started = await startApp('api', { port: 0 });
    apiApp = started.app as INestApplication;
    // No process consumes the maintenance queue: a job left there shows as waiting, and ages.
    const maintenance = queueAt(TEST_REDIS_URL, env.prefix, QueueName.Maintenance);
    await maintenance.add('probe', {});
    await maintenance.close();
    await new Promise((r) => setTimeout(r, 1100));
    const text = await (await fetch(`${started.url}/metrics`)).text();
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
