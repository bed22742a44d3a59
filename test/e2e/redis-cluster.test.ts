// A whole event through a real Redis Cluster (3 masters, 3 replicas), with the master that holds the queues killed
// mid-dispatch: its replica takes over and the event completes, each contact told exactly once.
import { spawnSync } from 'node:child_process';
import { api, startTestApp, TestApp } from '../support/app';
import { postEventAndWait } from '../support/events';
import { bulkEvent, duplicates, seedBulk, tally } from '../support/faults';
import { uniquePrefix } from '../support/redis';
import { startRedisCluster, type PrivateRedisCluster } from '../support/redis-cluster';
import { withPg } from '../support/registry-fixture';
import { runAlone } from '../support/run-alone';
import { waitFor } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';

const CONTACTS = 600;
/** 600 notices at 100 a second: about six seconds of sending, long enough to kill a master in the middle. */
const RATE = 100;

const haveRedis = ['redis-server', 'redis-cli'].every((bin) => spawnSync(bin, ['--version']).status === 0);
if (!haveRedis) {
  process.stdout.write(
    'redis-cluster.test: skipped, redis-server or redis-cli is not on PATH (apt-get install redis-server)\n',
  );
}

(haveRedis ? describe : describe.skip)('Redis Cluster: a dispatch through a master failover', () => {
  runAlone();
  let cluster: PrivateRedisCluster | undefined;
  let sink: SmtpSink | undefined;
  let t: TestApp | undefined;
  const tag = uniquePrefix('cluster');
  const prefix = `{${tag}}`;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    sink = await startSmtpSink();
    t = await startTestApp('redis-cluster', {
      env: {
        REDIS_CLUSTER_NODES: cluster.seeds,
        BULLMQ_PREFIX: prefix,
        SMTP_URL: sink.url,
        MAIL_RATE_PER_SECOND: String(RATE),
        RECONCILE_INTERVAL_MS: '500',
        SEND_LEASE_SECONDS: '5',
        MAIL_RETRY_BASE_MS: '200',
      },
    });
  }, 60_000);

  afterAll(async () => {
    // Each step runs even when one before it failed, so no redis-server outlives the test.
    const closing = t
      ?.close()
      .catch((e: Error) => process.stdout.write(`redis-cluster.test: app close: ${e.message}\n`));
    await Promise.race([closing, new Promise((r) => setTimeout(r, 15_000).unref())]);
    await sink?.close();
    await cluster?.stop();
  }, 30_000);

  it('completes the event with every contact sent exactly one mail, while the queues master dies', async () => {
    const app = t!;
    const smtp = sink!;
    const redis = cluster!;
    const t0 = Date.now();
    const log = (what: string) =>
      process.stdout.write(`redis-cluster ${Date.now() - t0} ms: ${what} (${smtp.messages.length} mails)\n`);

    const { token } = await app.userWithToken('support');
    await seedBulk(app.env.db.url, CONTACTS);
    // Every key of the service hashes to the prefix's slot: one master holds the queues and the app's own keys.
    const master = await redis.masterOf(prefix);
    await waitFor('the queues keys on their master', async () => (await redis.scan(master, `${prefix}:*`)).length > 0);

    const event = bulkEvent('cluster-1');
    const completed = postEventAndWait(app.url, token, event, 'completed', 50_000);
    completed.catch(() => undefined); // awaited below; a failure there is the test's
    await waitFor('a quarter of the mails sent', async () => smtp.messages.length >= CONTACTS / 4, 20_000);
    const sentBeforeKill = smtp.messages.length;
    log(`killing master ${master}`);
    const { newMaster, ms } = await redis.killMasterAndAwaitFailover(master);
    log(`replica ${newMaster} took over after ${ms} ms`);
    expect(await redis.masterOf(prefix)).toBe(newMaster);

    const view = await completed;
    log('event completed');
    expect(sentBeforeKill).toBeLessThan(CONTACTS);
    expect(view.counts).toMatchObject({ sent: CONTACTS, failed: 0, pending: 0 });
    expect(await tally(app.env.db.url, event.eventId)).toMatchObject({
      event: 'completed',
      total: CONTACTS,
      byStatus: { sent: CONTACTS },
    });
    // Each contact has exactly one notice, and it is sent.
    const perContact = await withPg(
      app.env.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT c.email, count(n.id)::int AS notices, count(*) FILTER (WHERE n.status = 'sent')::int AS sent
               FROM contacts c LEFT JOIN notices n ON n.email = c.email AND NOT n.is_test
              GROUP BY c.email HAVING count(n.id) <> 1 OR count(*) FILTER (WHERE n.status = 'sent') <> 1`,
          )
        ).rows,
    );
    expect(perContact).toEqual([]);
    // The sink got each Message-ID exactly once, one mail per contact.
    const ids = smtp.messages.map((m) => m.messageId);
    expect(duplicates(ids)).toEqual(new Map());
    expect(ids).toHaveLength(CONTACTS);
    expect(new Set(smtp.messages.flatMap((m) => m.envelope.to)).size).toBe(CONTACTS);
    // The service's keys live on the promoted replica now, and the app reports Redis healthy.
    expect((await redis.scan(newMaster, `${prefix}:*`)).length).toBeGreaterThan(0);
    expect((await api(app.url, 'GET', '/health')).status).toBe(200);
  }, 60_000);
});
