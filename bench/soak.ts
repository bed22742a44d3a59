// `npm run soak [-- --customers N … --keep-db]`: one large event dispatched by two worker processes through repeated
// faults (a worker SIGKILLed every minute and restarted, PostgreSQL restarted, the service's Redis keys deleted, the
// first SMTP provider gone for two minutes), then checks that every contact got exactly one sent notice and that no
// Message-ID reached the sinks more often than once plus the number of faults it was in flight at. Writes
// bench/soak.json.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { Client } from 'pg';
import { QueueName } from '../src/domain/queue.types';
import { fmt, Proc, ROOT, until } from './bench-support';
import {
  benchEvent,
  cliArgs,
  databaseUrl,
  dropDatabaseUnlessKept,
  prepareRegistry,
  startWorker,
} from './bench-fixture';
import { deletePrefixKeys, machinePostgres, Postgres, privatePostgres, SoakSink, startSoakSink } from './soak-support';

const args = cliArgs();
const CUSTOMERS = args.number('--customers', 1_000_000);
const WORKERS = args.number('--workers', 2);
const KILL_EVERY = args.number('--kill-every', 60);
const PG_RESTART_AT = args.number('--pg-restart-at', 90);
const PG_DOWN = args.number('--pg-down', 5);
const REDIS_FLUSH_AT = args.number('--redis-flush-at', 150);
const SMTP_DOWN_AT = args.number('--smtp-down-at', 200);
const SMTP_DOWN_FOR = args.number('--smtp-down-for', 120);
const RATE = args.number('--rate', 0);
const WINDOW = args.number('--window', 15);
const PROGRESS_EVERY = args.number('--progress-every', 10);
const TIMEOUT_MIN = args.number('--timeout-minutes', 180);
const PG_KIND = args.option('--pg') ?? 'machine';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `soak-${Date.now()}`;
const DB = `impact_soak_${CUSTOMERS}`;
const EVENT_ID = 'soak-1';
const MAIL_DOMAIN = 'vendor.example';

const log = (s: string) => process.stderr.write(`[soak] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const results: Record<string, any> = {};

type FaultKind = 'worker-kill' | 'postgres-restart' | 'redis-flush' | 'smtp-provider-down';
interface Fault {
  kind: FaultKind;
  /** Seconds since dispatch started: when the fault began and when it was over (worker up, server back). */
  at: number;
  end: number;
  detail: string;
  /** Notices claimed and not yet recorded around the fault (see inFlight()). */
  inFlight: number;
  rateBeforePerSecond?: number;
  rateDuringPerSecond?: number;
  rateAfterPerSecond?: number;
}

// Everything started is stopped again on any exit, and a stopped PostgreSQL is started.
const cleanups: (() => Promise<unknown>)[] = [];
let shuttingDown = false;
async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    // Each step is bounded: a cleanup that hangs must not keep PostgreSQL stopped or the others running.
    for (const c of cleanups.reverse()) {
      const bounded = Promise.race([c(), sleep(30_000).then(() => Promise.reject(new Error('timed out')))]);
      await bounded.catch((e) => log(`cleanup: ${(e as Error).message}`));
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

async function main(): Promise<number> {
  const started = Date.now();
  if (!Number.isInteger(CUSTOMERS) || CUSTOMERS < 1000) throw new Error('--customers must be a whole number ≥ 1000');
  if (!['machine', 'private'].includes(PG_KIND)) throw new Error('--pg must be machine or private');
  Object.assign(results, {
    customers: CUSTOMERS,
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart: loadavg()[0] },
    settings: {
      workers: WORKERS,
      killEverySeconds: KILL_EVERY,
      postgres: PG_KIND,
      postgresRestartAtSeconds: PG_RESTART_AT,
      postgresDownSeconds: PG_DOWN,
      redisFlushAtSeconds: REDIS_FLUSH_AT,
      smtpDownAtSeconds: SMTP_DOWN_AT,
      smtpDownForSeconds: SMTP_DOWN_FOR,
      mailRatePerSecond: RATE,
      rateWindowSeconds: WINDOW,
    },
  });

  const postgres: Postgres = PG_KIND === 'private' ? await privatePostgres() : machinePostgres();
  cleanups.push(() => postgres.cleanup());
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl(postgres.adminUrl, DB),
    REDIS_URL,
    BULLMQ_PREFIX: PREFIX,
    LOG_LEVEL: 'warn',
    MAIL_RATE_PER_SECOND: String(RATE),
    RECONCILE_INTERVAL_MS: '2000',
    OUTBOX_DIR: join(ROOT, 'var', 'soak-outbox'),
    MAIL_DOMAIN,
  };
  const redis = new Redis(REDIS_URL);
  cleanups.push(async () => {
    await deletePrefixKeys(redis, PREFIX);
    redis.disconnect();
  });

  cleanups.push(() => dropDatabaseUnlessKept(postgres.adminUrl, DB, args.flag('--keep-db'), log));
  const registry = await prepareRegistry({ adminUrl: postgres.adminUrl, db: DB, customers: CUSTOMERS, env, log });
  results.importSeconds = registry.importSeconds;

  // Two providers, each a recording sink; the first is the one taken away.
  const sinks: SoakSink[] = [await startSoakSink(), await startSoakSink()];
  cleanups.push(() => Promise.all(sinks.map((s) => s.stop())));
  const workerEnv = { ...env, SMTP_URL: sinks.map((s) => `smtp://127.0.0.1:${s.port}`).join(',') };
  const workers: Proc[] = [];
  const everyWorker: Proc[] = []; // the killed ones too, for the peak RSS
  cleanups.push(() => Promise.all(workers.map((w) => stopProcess(w))));
  for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(workerEnv, log));
  everyWorker.push(...workers);

  // One connection for the script's own queries, opened again (once, whoever notices first) after PostgreSQL restarts.
  const connect = async () => {
    const c = new Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5000 });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  let db: Promise<Client> = connect();
  await db;
  const query = async (sql: string, params: unknown[] = []): Promise<any[]> => {
    for (let tries = 0; ; tries++) {
      const current = db;
      try {
        return (await (await current).query(sql, params)).rows;
      } catch (e) {
        if (tries > 120 || shuttingDown) throw e;
        await sleep(500);
        reconnect(current);
      }
    }
  };
  const reconnect = (failed: Promise<Client>) => {
    if (db !== failed) return;
    void failed.then((c) => c.end()).catch(() => undefined);
    db = connect();
    db.catch(() => undefined);
  };
  cleanups.push(async () => (await db).end());

  const queue = new Queue(QueueName.SuspensionEvents, { connection: { url: REDIS_URL }, prefix: PREFIX });
  await queue.add('event', benchEvent(EVENT_ID, 'soak-case', 'auto'), { jobId: EVENT_ID });
  await queue.close();
  const published = Date.now();
  const event = await until(
    'notice rows',
    // Every notice row written: applied, and no longer writing the rest after the first ones.
    async () =>
      (
        await query(`SELECT id FROM events WHERE event_id = $1 AND applied_at IS NOT NULL AND NOT planning`, [EVENT_ID])
      )[0],
    60 * 60_000,
    100,
  ).then(async () => (await query(`SELECT id FROM events WHERE event_id = $1`, [EVENT_ID]))[0]);
  const eventPk = String(event.id);
  const [{ notices }] = await query(`SELECT count(*)::int AS notices FROM notices WHERE event_pk = $1`, [eventPk]);
  const t0 = Date.now();
  results.notices = notices;
  results.matchSeconds = (t0 - published) / 1000;
  log(`${fmt(notices, 0)} notices planned in ${fmt(results.matchSeconds, 1)} s; dispatching through faults`);
  const now = () => (Date.now() - t0) / 1000;

  // Received mails over time, every second, for the rates around each fault.
  const timeline: [number, number][] = [[0, 0]];
  const received = async () => (await Promise.all(sinks.map((s) => s.stats()))).reduce((a, s) => a + s.count, 0);
  let done = false;
  const faults: Fault[] = [];
  const status: string[] = [];

  /**
   * Notices claimed and not recorded around a fault: the ids `sending` under a live lease just before it, together
   * with the ids still `sending` just after it that were claimed before it was over. A notice can only reach a sink
   * twice when a claim of it was cut off (worker killed, PostgreSQL gone before the outcome was stored, a provider
   * gone after its 250), so each such id may be received once more per fault it was in flight at.
   */
  const inFlightIds = new Map<string, number>();
  const before = async () =>
    (
      await query(`SELECT id::text FROM notices WHERE event_pk = $1 AND status = 'sending' AND lease_until > now()`, [
        eventPk,
      ])
    ).map((r) => r.id as string);
  const after = async (overAt: number) =>
    (
      await query(
        `SELECT id::text FROM notices WHERE event_pk = $1 AND status = 'sending' AND updated_at <= to_timestamp($2)`,
        [eventPk, overAt / 1000],
      )
    ).map((r) => r.id as string);
  const record = (kind: FaultKind, at: number, detail: string, ids: Set<string>) => {
    for (const id of ids) inFlightIds.set(id, (inFlightIds.get(id) ?? 0) + 1);
    const f: Fault = { kind, at, end: now(), detail, inFlight: ids.size };
    faults.push(f);
    log(`${kind} at ${fmt(at, 0)} s (${detail}): ${ids.size} notices in flight, over at ${fmt(f.end, 0)} s`);
    return f;
  };
  const waitUntil = async (second: number) => {
    while (!done && now() < second) await sleep(200);
    return !done;
  };

  const killLoop = async () => {
    for (let k = 1; KILL_EVERY > 0; k++) {
      if (!(await waitUntil(k * KILL_EVERY))) return;
      const i = (k - 1) % workers.length;
      const ids = new Set(await before());
      const at = now();
      const victim = workers[i];
      victim.child.kill('SIGKILL');
      await victim.exited;
      const deadAt = Date.now();
      for (const id of await after(deadAt)) ids.add(id);
      workers[i] = await restartWorker(workerEnv);
      everyWorker.push(workers[i]);
      record('worker-kill', at, `worker ${i + 1}, pid ${victim.child.pid} → ${workers[i].child.pid}`, ids);
    }
  };
  const pgRestart = async () => {
    if (!(await waitUntil(PG_RESTART_AT))) return;
    const ids = new Set(await before());
    const at = now();
    status.push('postgres down');
    await postgres.stop();
    const stoppedAt = Date.now();
    await sleep(PG_DOWN * 1000);
    await postgres.start();
    status.pop();
    for (const id of await after(stoppedAt)) ids.add(id);
    record('postgres-restart', at, `${postgres.kind} cluster, down ${PG_DOWN} s`, ids);
  };
  const redisFlush = async () => {
    if (!(await waitUntil(REDIS_FLUSH_AT))) return;
    const ids = new Set(await before());
    const at = now();
    const keys = await deletePrefixKeys(redis, PREFIX);
    for (const id of await after(Date.now())) ids.add(id);
    record('redis-flush', at, `${keys} keys under ${PREFIX}:`, ids);
  };
  const smtpDown = async () => {
    if (!(await waitUntil(SMTP_DOWN_AT))) return;
    const ids = new Set(await before());
    const at = now();
    await sinks[0].close();
    const closedAt = Date.now();
    for (const id of await after(closedAt)) ids.add(id);
    status.push('smtp A down');
    // Brought back even when the dispatch has ended meanwhile: the fault lasts its full time or the run stops.
    while (now() < at + SMTP_DOWN_FOR && !shuttingDown) await sleep(200);
    await sinks[0].open();
    status.splice(status.indexOf('smtp A down'), 1);
    const f = record('smtp-provider-down', at, `provider 1 (port ${sinks[0].port}) for ${SMTP_DOWN_FOR} s`, ids);
    f.rateDuringPerSecond = rate(timeline, at, f.end);
  };

  const completed = (async () => {
    let lastProgress = 0;
    const deadline = Date.now() + TIMEOUT_MIN * 60_000;
    for (;;) {
      await sleep(1000);
      const count = await received();
      timeline.push([now(), count]);
      if (now() - lastProgress >= PROGRESS_EVERY) {
        lastProgress = now();
        log(
          `${clock(now())} ${fmt(count, 0)} / ${fmt(notices, 0)} received (${fmt((100 * count) / notices)} %), ` +
            `${fmt(rate(timeline, now() - 10, now()), 0)}/s; kills ${faults.filter((f) => f.kind === 'worker-kill').length}` +
            (status.length ? `; ${status.join(', ')}` : ''),
        );
      }
      // One try, not query()'s retries: the progress lines go on while PostgreSQL is down.
      const current = db;
      const rows = await current
        .then((c) => c.query(`SELECT status FROM events WHERE id = $1`, [eventPk]))
        .catch(() => reconnect(current));
      if (rows?.rows[0]?.status === 'completed') return;
      if (Date.now() > deadline) throw new Error(`dispatch not completed after ${TIMEOUT_MIN} min`);
    }
  })();
  const faultRuns = [killLoop(), pgRestart(), redisFlush(), smtpDown()];
  await completed;
  done = true;
  const dispatchSeconds = now();
  await Promise.all(faultRuns);
  await sleep(1000); // the last mails' 250s and sinks' counts settle
  timeline.push([now(), await received()]);
  log(`dispatch completed in ${fmt(dispatchSeconds)} s`);

  // The check: every contact told has exactly one sent notice; every sent notice reached a sink; no Message-ID was
  // received more often than once plus the faults it was in flight at.
  const [expected] = await query(
    `SELECT count(*)::int AS contacts,
            count(*) FILTER (WHERE (SELECT count(*) FROM notices n WHERE n.event_pk = ec.event_pk AND n.customer_id = c.id
                                      AND n.email = ct.email AND NOT n.is_test AND n.status = 'sent') = 1)::int AS once
       FROM event_customers ec
       JOIN customers c ON c.id = ec.customer_id AND c.active
       JOIN contacts ct ON ct.customer_id = c.id AND ct.notices
      WHERE ec.event_pk = $1`,
    [eventPk],
  );
  const statuses = await query(
    `SELECT status, count(*)::int AS n FROM notices WHERE event_pk = $1 AND NOT is_test GROUP BY status`,
    [eventPk],
  );
  const sentIds = (await query(`SELECT id::text FROM notices WHERE event_pk = $1 AND status = 'sent'`, [eventPk])).map(
    (r) => `<notice-${r.id}@${MAIL_DOMAIN}>`,
  );
  const counts = new Map<string, number>();
  for (const s of sinks) for (const [id, n] of await s.ids()) counts.set(id, (counts.get(id) ?? 0) + n);
  const sinkStats = await Promise.all(sinks.map((s) => s.stats()));
  const notReceived = sentIds.filter((id) => !counts.has(id)).length;
  const sentSet = new Set(sentIds);
  const unexpected = [...counts.keys()].filter((id) => !sentSet.has(id)).length;
  let duplicates = 0;
  let overBound = 0;
  for (const [id, n] of counts) {
    if (n <= 1) continue;
    duplicates += n - 1;
    const allowed = inFlightIds.get(/^<notice-(\d+)@/.exec(id)?.[1] ?? '') ?? 0;
    if (n - 1 > allowed) overBound += n - 1 - allowed;
  }
  const notSent = statuses.filter((s) => s.status !== 'sent').reduce((a, s) => a + s.n, 0);
  const lost = expected.contacts - expected.once + notSent + notReceived;
  const bound = faults.reduce((a, f) => a + f.inFlight, 0);

  faults.sort((a, b) => a.at - b.at);
  for (const f of faults) {
    f.rateBeforePerSecond = rate(timeline, f.at - WINDOW, f.at);
    f.rateAfterPerSecond = rate(timeline, f.end, f.end + WINDOW);
  }
  const skipped = (
    [
      [PG_RESTART_AT, 'postgres-restart'],
      [REDIS_FLUSH_AT, 'redis-flush'],
      [SMTP_DOWN_AT, 'smtp-provider-down'],
    ] as const
  )
    .filter(([, kind]) => !faults.some((f) => f.kind === kind))
    .map(([, kind]) => kind);
  Object.assign(results, {
    dispatchSeconds,
    perSecond: notices / dispatchSeconds,
    kills: faults.filter((f) => f.kind === 'worker-kill').length,
    restarts: {
      workers: faults.filter((f) => f.kind === 'worker-kill').length,
      postgres: faults.filter((f) => f.kind === 'postgres-restart').length,
      redisFlushes: faults.filter((f) => f.kind === 'redis-flush').length,
      smtpOutages: faults.filter((f) => f.kind === 'smtp-provider-down').length,
    },
    faultsSkipped: skipped,
    contacts: expected.contacts,
    contactsWithExactlyOneSent: expected.once,
    noticeStatuses: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
    lost,
    sentButNotReceived: notReceived,
    atSinks: sinkStats.map((s) => s.count),
    received: sinkStats.reduce((a, s) => a + s.count, 0),
    receivedWithoutMessageId: sinkStats.reduce((a, s) => a + s.withoutId, 0),
    unexpectedMessageIds: unexpected,
    duplicatesAtSinks: duplicates,
    inFlightAtFaults: bound,
    duplicatesOverBound: overBound,
    workerPeakRssMb: Math.max(...everyWorker.map((w) => w.peakMb())),
    faults,
    seconds: Math.round((Date.now() - started) / 1000),
  });
  results.machine.loadAverageAtEnd = loadavg()[0];
  const failures = [
    lost > 0 && `${lost} lost`,
    overBound > 0 && `${overBound} duplicates beyond what was in flight at the faults`,
    unexpected > 0 && `${unexpected} Message-IDs at the sinks that no sent notice has`,
    skipped.length > 0 && `dispatch ended before: ${skipped.join(', ')} (lower --rate or move the faults earlier)`,
  ].filter(Boolean);
  results.ok = failures.length === 0;
  results.failures = failures;
  save();
  printTable();
  for (const f of failures) log(`FAILED: ${f}`);
  return failures.length ? 1 : 0;

  async function restartWorker(e: Record<string, string>): Promise<Proc> {
    for (let tries = 0; ; tries++) {
      try {
        return await startWorker(e, log);
      } catch (err) {
        // PostgreSQL may be down at that moment: a worker that cannot start is started again.
        if (tries >= 30 || shuttingDown) throw err;
        await sleep(2000);
      }
    }
  }
}

/** Mails received per second between two moments (seconds since dispatch started), from the sampled timeline. */
function rate(timeline: [number, number][], from: number, to: number): number {
  const at = (t: number) => {
    let best = timeline[0];
    for (const p of timeline) if (p[0] <= t) best = p;
    return best;
  };
  const a = at(Math.max(0, from));
  const b = at(to);
  return b[0] > a[0] ? (b[1] - a[1]) / (b[0] - a[0]) : 0;
}

async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const kill = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.stop('SIGTERM');
  clearTimeout(kill);
}

function gitCommit(): string | null {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  } catch {
    return null;
  }
}

const clock = (s: number) =>
  `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

function save(): void {
  writeFileSync(join(ROOT, 'bench', 'soak.json'), JSON.stringify(results, null, 2) + '\n');
}

function printTable(): void {
  const r = results;
  const lines = [
    `Soak, ${fmt(r.customers, 0)} customers, ${fmt(r.notices, 0)} notices, ${r.settings.workers} workers, ${r.date.slice(0, 10)}, commit ${r.commit}, PostgreSQL ${r.settings.postgres}`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| dispatch | ${fmt(r.dispatchSeconds)} s, ${fmt(r.perSecond, 0)} notices/s |`,
    `| worker kills (SIGKILL) / restarts | ${r.kills} / ${r.restarts.workers} |`,
    `| PostgreSQL restarts / Redis key flushes / SMTP provider outages | ${r.restarts.postgres} / ${r.restarts.redisFlushes} / ${r.restarts.smtpOutages} |`,
    `| contacts with exactly one sent notice | ${fmt(r.contactsWithExactlyOneSent, 0)} / ${fmt(r.contacts, 0)} |`,
    `| lost | ${fmt(r.lost, 0)} |`,
    `| duplicates at the sinks / in flight at the faults | ${fmt(r.duplicatesAtSinks, 0)} / ${fmt(r.inFlightAtFaults, 0)} (over the bound: ${fmt(r.duplicatesOverBound, 0)}) |`,
    `| received by provider 1 / 2 | ${r.atSinks.map((n: number) => fmt(n, 0)).join(' / ')} |`,
    `| worker peak RSS | ${fmt(r.workerPeakRssMb, 0)} MB |`,
    '',
    '| fault | at | over at | in flight | mails/s before | during | after |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.faults.map(
      (f: Fault) =>
        `| ${f.kind} (${f.detail}) | ${fmt(f.at, 0)} s | ${fmt(f.end, 0)} s | ${f.inFlight} | ${fmt(f.rateBeforePerSecond, 0)} | ${fmt(f.rateDuringPerSecond, 0)} | ${fmt(f.rateAfterPerSecond, 0)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .then((code) => shutdown(code))
  .catch((e) => {
    log(`soak failed: ${(e as Error).stack ?? e}`);
    results.error = String((e as Error).message ?? e);
    save();
    return shutdown(1);
  });
