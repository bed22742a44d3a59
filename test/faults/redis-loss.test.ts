// Redis flushed, then restarted empty, in the middle of a dispatch: work is rebuilt from PostgreSQL and nothing is lost.
// Runs its own redis-server on a free port: the machine's shared Redis is never flushed or restarted.
import { execFileSync } from 'node:child_process';
import { Queue } from 'bullmq';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { startApp } from '../../src/bootstrap';
import { EventIntakeService } from '../../src/events/event-intake.service';
import { OutreachService } from '../../src/outreach/outreach.service';
import {
  bulkEvent,
  duplicates,
  kill,
  queueAt,
  seedBulk,
  spawnWorker,
  startPrivateRedis,
  tally,
  waitForCompleted,
  waitForOutput,
  type PrivateRedis,
} from '../support/faults';
import { withPg } from '../support/registry-fixture';
import { waitFor, type ServiceProcess } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { createTestEnv, TestEnv } from '../support/test-env';
import { runAlone } from '../support/run-alone';

const CONTACTS = 3000;

describe('faults: Redis lost mid-dispatch', () => {
  runAlone();
  let redis: PrivateRedis;
  let env: TestEnv;
  let sink: SmtpSink;
  let queue: Queue;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    sink = await startSmtpSink();
    env = await createTestEnv('faults-redis', {
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      SEND_LEASE_SECONDS: '5',
      RECONCILE_INTERVAL_MS: '500',
      MAIL_RATE_PER_SECOND: '600',
    });
    queue = queueAt(redis.url, env.prefix);
    queue.on('error', () => undefined); // refused while Redis restarts
  });
  afterAll(async () => {
    if (worker) await kill(worker);
    await queue.close();
    await sink.close();
    await redis.stop();
    await env.cleanup();
  });

  it('rebuilds flushed work from PostgreSQL, and finishes a dispatch through FLUSHALL and a restart, each contact once', async () => {
    const t0 = Date.now();
    const log = (what: string) =>
      process.stdout.write(`redis-loss ${Date.now() - t0} ms: ${what} (${sink.messages.length} mails)\n`);
    const sending = () =>
      withPg(
        env.db.url,
        async (c) =>
          (await c.query(`SELECT count(*)::int AS n FROM notices WHERE status = 'sending'`)).rows[0].n as number,
      );
    const first = spawnWorker(env.env);
    await waitForOutput(first, /impact-notices started/);
    await seedBulk(env.db.url, CONTACTS);
    await queue.add('event', { ...bulkEvent('redis-1'), dispatch: 'review' }, { jobId: 'redis-1' });
    await waitFor(
      'redis-1 awaiting review',
      async () => (await tally(env.db.url, 'redis-1')).event === 'awaiting_review',
    );
    log('redis-1 awaiting review; worker stops');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    // With no worker running, an API process approves one event and takes in another: both exist only as jobs in Redis…
    const api = await startApp('api', { port: 0 });
    try {
      await api.app.get(OutreachService).act(SYSTEM_ACTOR, 'redis-1', 'approve');
      expect((await api.app.get(EventIntakeService).intake(bulkEvent('redis-2'), 'http')).status).toBe('received');
    } finally {
      await api.app.close();
    }
    const jobsBefore = execFileSync('redis-cli', ['-p', String(redis.port), 'DBSIZE'], { encoding: 'utf8' }).trim();
    expect(Number(jobsBefore)).toBeGreaterThan(0);
    // …and Redis loses them.
    log('FLUSHALL of queued work');
    execFileSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);

    worker = spawnWorker(env.env);
    await waitFor('half of the first event mailed', async () => sink.messages.length >= CONTACTS / 2, 40_000);
    log('flush mid-dispatch');
    const inFlightAtFlush = await sending();
    execFileSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);
    const flushedAt = sink.messages.length;

    await waitFor('the first event mailed', async () => sink.messages.length >= CONTACTS, 40_000);
    const inFlightAtRestart = await sending();
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const restartedAt = sink.messages.length;
    log('redis restarted');

    for (const id of ['redis-1', 'redis-2'])
      expect((await waitForCompleted(env.db.url, id)).byStatus).toEqual({ sent: CONTACTS });
    const ids = sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(2 * CONTACTS);
    const extra = [...duplicates(ids).values()].reduce((s, n) => s + n - 1, 0);
    expect(extra).toBeLessThanOrEqual(inFlightAtFlush + inFlightAtRestart);

    // The intake consumer lives on: an event published to the restarted Redis is taken in and sent.
    await queue.add(
      'event',
      { ...bulkEvent('redis-3', 'case-redis-1'), type: 'suspension.lifted', scope: undefined },
      { jobId: 'redis-3' },
    );
    expect((await waitForCompleted(env.db.url, 'redis-3')).byStatus).toEqual({ sent: CONTACTS });
    expect(worker.child.exitCode).toBeNull();
    process.stdout.write(
      `redis-loss: queued work flushed and rebuilt; FLUSHALL after ${flushedAt} mails, restart after ${restartedAt}; ` +
        `${extra} mails received twice\n`,
    );
  }, 90_000);
});
