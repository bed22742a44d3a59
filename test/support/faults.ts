// Helpers for test/faults/: a bulk registry, private Redis and PostgreSQL servers a test may kill, worker processes, notice tallies.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import { freePort, privatePostgres } from '../../bench/soak-support';
import { QueueName } from '../../src/domain/queue.types';
import { withPg } from './registry-fixture';
import { spawnService, waitFor, type ServiceProcess } from './service-process';

export { freePort };

/** `n` developer customers in DE, one contact each (`c<i>@f.example`), subscribed to product `api` in DE. */
export async function seedBulk(url: string, n: number): Promise<void> {
  await withPg(url, async (c) => {
    await c.query(
      `INSERT INTO products (code, name, category) VALUES ('api', 'Hosted API', 'hosted-api') ON CONFLICT DO NOTHING`,
    );
    await c.query(
      `INSERT INTO customers (ref, name, tier, country) SELECT 'C' || g, 'Customer ' || g, 'developer', 'DE' FROM generate_series(1, $1) g`,
      [n],
    );
    await c.query(
      `INSERT INTO contacts (customer_id, email, name, locale) SELECT id, lower(ref) || '@f.example', name, 'en' FROM customers`,
    );
    await c.query(`INSERT INTO subscriptions (customer_id, product, country) SELECT id, 'api', 'DE' FROM customers`);
  });
}

export const bulkEvent = (eventId: string, caseId = `case-${eventId}`) => ({
  eventId,
  caseId,
  type: 'suspension.issued',
  occurredAt: '2026-11-26T09:00:00Z',
  title: 'Exports halted',
  summary: 'Plain text shown in every notice of this event.',
  scope: { products: ['api'], regions: ['DE'] },
  dispatch: 'auto',
});

export function queueAt(redisUrl: string, prefix: string, name: QueueName = QueueName.SuspensionEvents): Queue {
  const url = new URL(redisUrl);
  return new Queue(name, {
    connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
    prefix,
  });
}

export interface NoticeTally {
  event: string | null;
  total: number;
  byStatus: Record<string, number>;
}

/** Notice counts by delivery state of one event, and the event's own status. */
export async function tally(url: string, eventId: string): Promise<NoticeTally> {
  return withPg(url, async (c) => {
    const ev = await c.query(`SELECT id, status FROM events WHERE event_id = $1 AND NOT conflict`, [eventId]);
    if (!ev.rows[0]) return { event: null, total: 0, byStatus: {} };
    const { rows } = await c.query(
      `SELECT status, count(*)::int AS n FROM notices WHERE event_pk = $1 AND NOT is_test GROUP BY 1`,
      [ev.rows[0].id],
    );
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    return { event: ev.rows[0].status, total: rows.reduce((s, r) => s + r.n, 0), byStatus };
  });
}

export async function waitForCompleted(dbUrl: string, eventId: string, timeoutMs = 45_000): Promise<NoticeTally> {
  return waitFor(
    `event ${eventId} completed`,
    async () => {
      const t = await tally(dbUrl, eventId);
      return t.event === 'completed' ? t : undefined;
    },
    timeoutMs,
  );
}

/** Message-IDs received more than once, with how often. */
export function duplicates(messageIds: string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const id of messageIds) seen.set(id, (seen.get(id) ?? 0) + 1);
  return new Map([...seen].filter(([, n]) => n > 1));
}

/** Mails received beyond the first of their Message-ID: how many sends went out again. */
export function extraCopies(messageIds: string[]): number {
  return [...duplicates(messageIds).values()].reduce((s, n) => s + n - 1, 0);
}

/** The built service as an APP_ROLE=worker process. */
export function spawnWorker(env: Record<string, string>, extra: Record<string, string> = {}): ServiceProcess {
  return spawnService({ ...env, APP_ROLE: 'worker', ...extra });
}

export async function waitForOutput(p: ServiceProcess, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  await waitFor(`process output ${pattern}`, async () => pattern.test(p.output()), timeoutMs);
}

/** Sends SIGKILL (if still running) and waits for the exit. */
export async function kill(p: ServiceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}

// ---- A private redis-server this test may flush and restart (never the shared one on 6379). ----

export interface PrivateRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const ping = () => {
    try {
      return (
        execFileSync('redis-cli', ['-p', String(port), 'PING'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim() === 'PONG'
      );
    } catch {
      return false;
    }
  };
  const r: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        {
          stdio: 'ignore',
        },
      );
      await waitFor('private redis-server', async () => ping(), 10_000);
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((res) => c.once('exit', res));
      c.kill('SIGKILL');
      await exited;
    },
  };
  await r.start();
  return r;
}

// ---- A private PostgreSQL cluster (initdb as the postgres OS user) this test may restart. ----

export interface PrivatePostgres {
  port: number;
  adminUrl: string;
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): every connection is closed, as in a real restart. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** The soak's private cluster (bench/soak-support.ts), with this suite's settings. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const pg = await privatePostgres({
    dirPrefix: 'impact-pg-',
    settings: ['fsync=off', 'max_connections=200'],
    startTimeoutMs: 20_000,
  });
  return { port: pg.port, adminUrl: pg.adminUrl, start: pg.start, stop: pg.stop, destroy: pg.cleanup };
}
