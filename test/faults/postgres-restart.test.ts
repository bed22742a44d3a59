// PostgreSQL restarted during a dispatch: the worker reconnects and finishes, each contact mailed once.
// Runs a private PostgreSQL cluster (initdb into a temp dir, as the postgres OS user): the shared cluster is never restarted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { eventsQueue } from '../support/events';
import {
  bulkEvent,
  duplicates,
  kill,
  seedBulk,
  spawnWorker,
  startPrivatePostgres,
  tally,
  waitForCompleted,
  waitForOutput,
  type PrivatePostgres,
} from '../support/faults';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../support/redis';
import { waitFor, type ServiceProcess } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { runAlone } from '../support/run-alone';

const CONTACTS = 2000;

describe('faults: PostgreSQL restarted mid-dispatch', () => {
  runAlone();
  let pg: PrivatePostgres;
  let sink: SmtpSink;
  let queue: Queue;
  let worker: ServiceProcess | undefined;
  const prefix = uniquePrefix('faults-pg');
  const outbox = mkdtempSync(join(tmpdir(), 'impact-outbox-pg-'));
  let env: Record<string, string>;
  let dbUrl: string;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    sink = await startSmtpSink();
    dbUrl = pg.adminUrl.replace(/\/postgres$/, '/impact_faults');
    env = {
      DATABASE_URL: dbUrl, // created by the service at start
      REDIS_URL: TEST_REDIS_URL,
      BULLMQ_PREFIX: prefix,
      OUTBOX_DIR: outbox,
      SMTP_URL: sink.url,
      SEND_LEASE_SECONDS: '5',
      RECONCILE_INTERVAL_MS: '500',
      MAIL_RATE_PER_SECOND: '300',
      MAIL_RETRY_BASE_MS: '200',
    };
    queue = eventsQueue(prefix);
  });
  afterAll(async () => {
    if (worker) await kill(worker);
    await queue.close();
    await sink.close();
    await pg.destroy();
    await deleteKeys(prefix);
    rmSync(outbox, { recursive: true, force: true });
  });

  it('reconnects after the restart and finishes, nothing lost and nothing sent twice', async () => {
    worker = spawnWorker(env);
    await waitForOutput(worker, /impact-notices started/);
    await seedBulk(dbUrl, CONTACTS);
    await queue.add('event', bulkEvent('pg-1'), { jobId: 'pg-1' });
    await waitFor('a third of the mails', async () => sink.messages.length >= CONTACTS / 3, 30_000);

    const inFlight = (await tally(dbUrl, 'pg-1')).byStatus.sending ?? 0;
    await pg.stop(); // fast shutdown: every session is terminated
    const stoppedAt = sink.messages.length;
    await new Promise((r) => setTimeout(r, 2000));
    await pg.start();

    // Events arriving meanwhile wait in the queue and are taken in once PostgreSQL is back.
    await queue.add(
      'event',
      { ...bulkEvent('pg-2', 'case-pg-1'), type: 'suspension.lifted', scope: undefined },
      { jobId: 'pg-2' },
    );
    const done = await waitForCompleted(dbUrl, 'pg-1');
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    expect((await waitForCompleted(dbUrl, 'pg-2')).byStatus).toEqual({ sent: CONTACTS });

    const ids = sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(2 * CONTACTS);
    const extra = [...duplicates(ids).values()].reduce((s, n) => s + n - 1, 0);
    // Sends in flight during the outage are recorded once PostgreSQL is back (the sender retries storing outcomes
    // for up to a lease), so few if any are sent again; without that retry, about every one in flight is.
    expect(extra).toBeLessThan(Math.max(1, inFlight / 2));
    expect(worker.child.exitCode).toBeNull();
    process.stdout.write(
      `postgres-restart: stopped after ${stoppedAt} mails with ${inFlight} in flight, down 2 s; ${extra} mails received twice\n`,
    );
  }, 90_000);
});
