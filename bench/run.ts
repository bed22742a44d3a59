// `npm run bench [-- --customers N | --quick] [--no-dispatch] [--profile DIR] [--keep-db]`: import and matching against bare-PostgreSQL baselines
// of the same rows, dispatch (one and two workers) against the raw Nodemailer loop, the affected-list API and its CSV
// export, and memory; prints a table, writes bench/results.json. `--no-dispatch` (the 10M run) measures import and
// matching only and adds its figures under `scale<N>m.*` in bench/results.json, keeping the rest of the file.
// `--profile DIR` writes each worker's V8 tick log there (`node --prof-process DIR/worker-1.v8.log`); it slows them.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createReadStream, createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execSync } from 'node:child_process';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { QueueName } from '../src/domain/queue.types';
import {
  benchEvent,
  cliArgs,
  databaseUrl,
  dropDatabaseUnlessKept,
  prepareDatabase,
  START_ENV,
  START_NODE_ARGS,
  startApi,
  startWorker,
} from './bench-fixture';
import {
  dist,
  fmt,
  percentile,
  machineCpu,
  machineCpuSince,
  postgresCpu,
  postgresCpuSince,
  Proc,
  ROOT,
  run,
  startSink,
  until,
} from './bench-support';

const { flag, option } = cliArgs();
const CUSTOMERS = flag('--quick') ? 100_000 : Number(option('--customers') ?? 1_000_000);
const NO_DISPATCH = flag('--no-dispatch');
const PROFILE_DIR = option('--profile');
/** Where a `--no-dispatch` run's figures go in bench/results.json, beside the full run's. */
const SCALE_KEY = `scale${CUSTOMERS % 1_000_000 === 0 ? `${CUSTOMERS / 1_000_000}m` : `${CUSTOMERS}`}`;
const RAW_MAX = 50_000;
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `impact_bench_${CUSTOMERS}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench-${Date.now()}`;

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const results: Record<string, any> = {};

async function main(): Promise<void> {
  const started = Date.now();
  if (!Number.isInteger(CUSTOMERS) || CUSTOMERS < 1000) throw new Error('--customers must be a whole number ≥ 1000');
  const env = {
    DATABASE_URL: databaseUrl(ADMIN_URL, DB),
    REDIS_URL,
    BULLMQ_PREFIX: PREFIX,
    LOG_LEVEL: 'warn',
    MAIL_RATE_PER_SECOND: '0',
    RECONCILE_INTERVAL_MS: '2000',
    OUTBOX_DIR: join(ROOT, 'var', 'bench-outbox'),
  };
  results.customers = CUSTOMERS;
  results.serviceNodeArgs = START_NODE_ARGS;
  results.serviceEnv = START_ENV;
  results.machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadavg()[0],
  };
  results.date = new Date().toISOString();
  try {
    results.commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  } catch {
    results.commit = null;
  }

  // Schema, a support token, the product catalogue and the registry file (generated once, kept under bench/data).
  const { token, file } = await prepareDatabase({ adminUrl: ADMIN_URL, db: DB, customers: CUSTOMERS, env, log });
  const pg = new Client({ connectionString: env.DATABASE_URL });
  await pg.connect();
  // The server settings the figures depend on (this machine's CI configuration turns autovacuum off).
  results.machine.postgres = Object.fromEntries(
    (
      await pg.query(
        `SELECT name, current_setting(name) AS value FROM pg_settings
          WHERE name IN ('server_version', 'autovacuum', 'shared_buffers', 'max_wal_size', 'fsync')`,
      )
    ).rows.map((r) => [r.name, r.value]),
  );

  // 1. Import through the real CLI path, then the bare limit of the same rows.
  const walBefore = await walLsn(pg);
  results.import = await importFile(file, env, 'first');
  results.import.walMb = await walMbSince(pg, walBefore);
  results.import.bare = await bareImport(pg);
  results.import.bareRatio = results.import.seconds / results.import.bare.seconds;
  log(
    `bare COPY + indexes: ${fmt(results.import.bare.seconds)} s (COPY ${fmt(results.import.bare.copySeconds)} s, indexes ${fmt(results.import.bare.indexSeconds)} s); import = ${fmt(results.import.bareRatio, 2)} × bare`,
  );
  results.disk = { afterImportMb: await databaseMb(pg) };
  if (!NO_DISPATCH) results.reimport = await importFile(file, env, 'second (all upserts)');
  save();
  const [reg] = (
    await pg.query(`SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM contacts)::int AS contacts,
                           (SELECT count(*) FROM subscriptions)::int AS subscriptions`)
  ).rows;
  results.registry = reg;

  // 2–3. Publish on the queue with auto dispatch; one worker process sends everything to the sink.
  const sink = await startSink();
  const workerEnv = { ...env, SMTP_URL: `smtp://127.0.0.1:${sink.port}` };
  const redis = new Redis(REDIS_URL);
  const queue = new Queue(QueueName.SuspensionEvents, { connection: { url: REDIS_URL }, prefix: PREFIX });
  const baseRedisMb = await redisUsedMb(redis);
  // Without dispatch the worker still matches the event: `review` events are planned and wait for approval.
  const profile = { profileDir: PROFILE_DIR };
  const one = [
    await startWorker(NO_DISPATCH ? { ...workerEnv, SMTP_URL: 'smtp://127.0.0.1:9' } : workerEnv, log, profile),
  ];
  const bench1 = await publish(pg, queue, reg.contacts, 'bench-1', 'bench-case', NO_DISPATCH ? 'review' : 'auto');
  const eventPk = bench1.eventPk;
  const notices = bench1.notices;
  results.match = bench1.match;
  results.match.bare = await bareMatch(pg, eventPk, 'bench-case');
  results.match.bareRatio = results.match.seconds / results.match.bare.seconds;
  log(
    `bare INSERT … SELECT of the same rows: ${fmt(results.match.bare.seconds, 2)} s; matching = ${fmt(results.match.bareRatio, 2)} × bare`,
  );
  results.disk.afterMatchMb = await databaseMb(pg);
  results.disk.perMillionCustomersMb = results.disk.afterImportMb / (CUSTOMERS / 1_000_000);
  results.disk.noticesPerEventMb = await relationMb(pg, 'notices');
  save();
  /** Closes the connections, stamps the run's end and prints its table. */
  const finish = async (print: () => void) => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await pg.end();
    await dropDatabaseUnlessKept(ADMIN_URL, DB, flag('--keep-db'), log);
    results.machine.loadAverageAtEnd = loadavg()[0];
    results.seconds = Math.round((Date.now() - started) / 1000);
    results.complete = true;
    save();
    print();
  };
  if (NO_DISPATCH) {
    for (const w of one) await w.stop();
    await sink.stop();
    return finish(printScaleTable);
  }
  const first = await until('first mail', async () => (await sink.stats()).firstAt, 120_000, 20);
  results.firstMail = { seconds: (first - bench1.published) / 1000 };

  const oneWorker = await dispatch(pg, redis, sink, eventPk, notices, one, baseRedisMb, bench1.sendingFrom);
  results.dispatch = { oneWorker };
  save();
  for (const w of one) await w.stop();

  // Two worker processes on a second case's event: fresh notice rows, as a real second case makes (resetting the
  // first event's rows with one UPDATE would leave every row's old version behind and measure the bloat).
  await sink.reset();
  const two = [await startWorker(workerEnv, log, profile), await startWorker(workerEnv, log, profile)];
  const bench2 = await publish(pg, queue, reg.contacts, 'bench-2', 'bench-case-2', 'auto');
  results.match2 = { ...bench2.match, note: 'a second case over the same registry, with the first one in the tables' };
  results.dispatch.twoWorkers = await dispatch(
    pg,
    redis,
    sink,
    bench2.eventPk,
    bench2.notices,
    two,
    baseRedisMb,
    bench2.sendingFrom,
  );
  for (const w of two) await w.stop();
  save();

  // 4. The raw baseline: the same rendered notices from a bare Nodemailer pooled loop, one process; once with
  // Nodemailer's default transfer encoding (the headline) and once with the options the service uses.
  const rawCount = Math.min(notices, RAW_MAX);
  const rawLoop = async (encoding: 'default' | 'service') => {
    await sink.reset();
    log(`raw Nodemailer loop (${encoding} encoding): ${fmt(rawCount, 0)} messages`);
    const raw = run(dist('bench/raw-sender.process.js'), [eventPk, String(rawCount), encoding], workerEnv);
    const sinkCpu = sink.cpuSeconds() ?? 0;
    const machine = machineCpu();
    if ((await raw.exited) !== 0) throw new Error(`raw sender failed:\n${raw.out()}`);
    const result = JSON.parse(raw.out().trim().split('\n').pop() as string);
    const perMail = (seconds: number) => (seconds * 1000) / result.sent;
    // The loop's process from start to exit (its 2,000 renders included), and the sink meanwhile.
    const cpuMsPerMail = { sender: perMail(raw.cpuSeconds()), sink: perMail((sink.cpuSeconds() ?? 0) - sinkCpu) };
    const { busy, steal } = machineCpuSince(machine);
    return { ...result, peakRssMb: raw.peakMb(), cpuMsPerMail, machineBusy: busy, machineSteal: steal };
  };
  results.dispatch.raw = await rawLoop('default');
  results.dispatch.rawSameOptions = await rawLoop('service');
  for (const k of ['oneWorker', 'twoWorkers']) {
    results.dispatch[k].ratio = results.dispatch[k].perSecond / results.dispatch.raw.perSecond;
    results.dispatch[k].ratioSameOptions = results.dispatch[k].perSecond / results.dispatch.rawSameOptions.perSecond;
  }
  await sink.stop();

  // 5. The API under load: affected-list pages and the CSV export.
  results.api = await measureApi(env, token, notices);
  const [{ bytes }] = (await pg.query(`SELECT pg_total_relation_size('notices')::bigint AS bytes`)).rows;
  results.memory = {
    importPeakRssMb: results.import.peakRssMb,
    workerPeakRssMb: Math.max(oneWorker.peakRssMb, ...results.dispatch.twoWorkers.workers),
    redisPeakMb: Math.max(oneWorker.redisPeakMb, results.dispatch.twoWorkers.redisPeakMb),
    apiCsvPeakRssMb: results.api.csvPeakRssMb,
    noticeTableMb: Number(bytes) / 2 ** 20,
  };
  await finish(printTable);
}

/** Publishes a `suspension.issued` event on the queue and waits until the worker has planned it. */
async function publish(
  pg: Client,
  queue: Queue,
  registryContacts: number,
  eventId: string,
  caseId: string,
  dispatchMode: 'auto' | 'review',
) {
  const walBefore = await walLsn(pg);
  const published = Date.now();
  await queue.add('event', benchEvent(eventId, caseId, dispatchMode), { jobId: eventId });
  // Applied is when the first notices are committed (sending may start); planned, when every notice row exists.
  let firstCommitAt = 0;
  const applied = await until(
    `${eventId} planned`,
    async () => {
      const r = (await pg.query(`SELECT id, applied_at, planning FROM events WHERE event_id = $1`, [eventId])).rows[0];
      if (r?.applied_at && !firstCommitAt) firstCommitAt = Date.now();
      return r?.applied_at && !r.planning ? r : undefined;
    },
    30 * 60_000,
    50,
  );
  const appliedAt = Date.now();
  const walMb = await walMbSince(pg, walBefore);
  const eventPk = String(applied.id);
  const [{ notices, contacts }] = (
    await pg.query(
      `SELECT count(*)::int AS notices, count(*) FILTER (WHERE customer_id IS NOT NULL)::int AS contacts FROM notices WHERE event_pk = $1`,
      [eventPk],
    )
  ).rows;
  const match = {
    notices,
    seconds: (appliedAt - published) / 1000,
    firstCommitSeconds: (firstCommitAt - published) / 1000,
    contactShare: contacts / registryContacts,
    walMb,
  };
  log(
    `matching ${eventId}: ${fmt(notices, 0)} notices (${fmt(100 * match.contactShare)} % of contacts) in ${fmt(match.seconds, 2)} s (the first committed after ${fmt(match.firstCommitSeconds, 2)} s), WAL ${fmt(walMb, 0)} MB`,
  );
  // Sending starts once the first notices are committed: each dispatch is timed from there.
  return { eventPk, notices, published, appliedAt, sendingFrom: firstCommitAt, match };
}

const REGISTRY_TABLES = ['customers', 'contacts', 'subscriptions'];

/**
 * The import's bare limit: the rows the import wrote, dumped with COPY TO (not timed), then timed: COPY FROM into
 * unindexed tables of the same columns and the same indexes and constraints built on them afterwards.
 */
async function bareImport(pg: Client) {
  const files = REGISTRY_TABLES.map((t) => join(ROOT, 'bench', 'data', `bare-${t}-${CUSTOMERS}.copy`));
  for (const [i, t] of REGISTRY_TABLES.entries()) {
    await pg.query(`DROP TABLE IF EXISTS bare_${t}`);
    await pipeline(pg.query(copyTo(`COPY ${t} TO STDOUT`)), createWriteStream(files[i]));
  }
  const indexes = (
    await pg.query(
      `SELECT i.indrelid::regclass::text AS table, i.indexrelid::regclass::text AS index, con.conname,
              pg_get_constraintdef(con.oid) AS condef, pg_get_indexdef(i.indexrelid) AS indexdef
         FROM pg_index i
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
        WHERE i.indrelid = ANY ($1::regclass[])
        ORDER BY i.indexrelid`,
      [REGISTRY_TABLES],
    )
  ).rows as { table: string; index: string; conname: string | null; condef: string | null; indexdef: string }[];
  const walBefore = await walLsn(pg);
  const t0 = Date.now();
  for (const [i, t] of REGISTRY_TABLES.entries()) {
    await pg.query(`CREATE TABLE bare_${t} (LIKE ${t} INCLUDING DEFAULTS)`);
    await pipeline(
      createReadStream(files[i], { highWaterMark: 1 << 20 }),
      pg.query(copyFrom(`COPY bare_${t} FROM STDIN`)),
    );
  }
  const copySeconds = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  await pg.query(`SET maintenance_work_mem = '256MB'`);
  for (const ix of indexes) {
    const table = `bare_${ix.table}`;
    await pg.query(
      ix.conname
        ? `ALTER TABLE ${table} ADD CONSTRAINT bare_${ix.conname} ${ix.condef}`
        : ix.indexdef.replace(
            /^CREATE (UNIQUE )?INDEX (\S+) ON (\S+\.)?(\S+) /,
            (_m, u = '', name, schema = '') => `CREATE ${u}INDEX bare_${name} ON ${schema}bare_${ix.table} `,
          ),
    );
  }
  await pg.query(`RESET maintenance_work_mem`);
  const indexSeconds = (Date.now() - t1) / 1000;
  const walMb = await walMbSince(pg, walBefore);
  for (const [i, t] of REGISTRY_TABLES.entries()) {
    await pg.query(`DROP TABLE bare_${t}`);
    rmSync(files[i], { force: true });
  }
  return { seconds: copySeconds + indexSeconds, copySeconds, indexSeconds, indexes: indexes.length, walMb };
}

/**
 * Matching's bare limit: the same rows it wrote for the event (notices, affected customers, the case's suspended
 * set, webhook deliveries), copied with one `INSERT … SELECT` each into unindexed tables, in one transaction.
 */
async function bareMatch(pg: Client, eventPk: string, caseId: string) {
  const sources: [string, string, unknown][] = [
    ['notices', 'event_pk = $1', eventPk],
    ['event_customers', 'event_pk = $1', eventPk],
    ['case_suspensions', 'case_id = $1', caseId],
    ['webhook_deliveries', 'event_pk = $1', eventPk],
  ];
  for (const [t] of sources) {
    await pg.query(`DROP TABLE IF EXISTS bare_${t}`);
    await pg.query(`CREATE TABLE bare_${t} (LIKE ${t} INCLUDING DEFAULTS)`);
  }
  await pg.query(`CHECKPOINT`);
  const walBefore = await walLsn(pg);
  const t0 = Date.now();
  const rows: Record<string, number> = {};
  await pg.query('BEGIN');
  for (const [t, where, param] of sources)
    rows[t] = (await pg.query(`INSERT INTO bare_${t} SELECT * FROM ${t} WHERE ${where}`, [param])).rowCount ?? 0;
  await pg.query('COMMIT');
  const seconds = (Date.now() - t0) / 1000;
  const walMb = await walMbSince(pg, walBefore);
  for (const [t] of sources) await pg.query(`DROP TABLE bare_${t}`);
  return { seconds, rows, walMb };
}

async function walLsn(pg: Client): Promise<string> {
  return (await pg.query(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0].lsn;
}

async function walMbSince(pg: Client, lsn: string): Promise<number> {
  const [{ bytes }] = (await pg.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS bytes`, [lsn])).rows;
  return Number(bytes) / 2 ** 20;
}

async function databaseMb(pg: Client): Promise<number> {
  return Number((await pg.query(`SELECT pg_database_size(current_database())::bigint AS b`)).rows[0].b) / 2 ** 20;
}

async function relationMb(pg: Client, table: string): Promise<number> {
  return (
    Number((await pg.query(`SELECT pg_total_relation_size($1::regclass)::bigint AS b`, [table])).rows[0].b) / 2 ** 20
  );
}

async function importFile(file: string, env: Record<string, string>, label: string) {
  log(`importing (${label}) ${file}`);
  const t = Date.now();
  // The same heap cap as `npm run cli`.
  const p = run(dist('src/cli/main.js'), ['registry:import', file, '--json'], env, {
    echo: true,
    nodeArgs: ['--max-old-space-size=192'],
  });
  const code = await p.exited;
  const seconds = (Date.now() - t) / 1000;
  const out = p.out();
  const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
  if (code !== 0) throw new Error(`import failed (${code}):\n${out.slice(-2000)}`);
  const report = JSON.parse(json);
  const rows = report.customers.created + report.customers.updated + report.contacts + report.subscriptions;
  log(`import (${label}): ${fmt(rows, 0)} rows in ${fmt(seconds)} s, peak RSS ${fmt(p.peakMb())} MB`);
  return {
    seconds,
    rows,
    rowsPerSecond: rows / seconds,
    customersPerSecond: CUSTOMERS / seconds,
    peakRssMb: p.peakMb(),
  };
}

async function redisUsedMb(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 2 ** 20;
}

async function dispatch(
  pg: Client,
  redis: Redis,
  sink: Awaited<ReturnType<typeof startSink>>,
  eventPk: string,
  notices: number,
  workers: Proc[],
  baseRedisMb: number,
  startedAt: number,
) {
  let redisPeak = 0;
  let lastLog = 0;
  // Where the CPU goes while this dispatch runs: per mail, in the workers, the SMTP sink and PostgreSQL.
  const cpuFrom = {
    mails: (await sink.stats()).count,
    workers: workers.map((w) => w.cpuSeconds()),
    sink: sink.cpuSeconds() ?? 0,
    pg: postgresCpu(),
    machine: machineCpu(),
  };
  await until(
    'dispatch completed',
    async () => {
      redisPeak = Math.max(redisPeak, await redisUsedMb(redis));
      const [r] = (await pg.query(`SELECT status, finished_at FROM events WHERE id = $1`, [eventPk])).rows;
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        const s = await sink.stats();
        log(
          `dispatch (${workers.length} worker${workers.length > 1 ? 's' : ''}): ${fmt(s.count, 0)} / ${fmt(notices, 0)} mails at the sink`,
        );
      }
      return r.status === 'completed' ? r : undefined;
    },
    3 * 3600_000,
    250,
  );
  const s = await sink.stats();
  const seconds = ((s.lastAt ?? Date.now()) - startedAt) / 1000;
  const [{ sent }] = (
    await pg.query(`SELECT count(*)::int AS sent FROM notices WHERE event_pk = $1 AND status = 'sent'`, [eventPk])
  ).rows;
  const peaks = workers.map((w) => w.peakMb());
  const mails = Math.max(1, s.count - cpuFrom.mails);
  const perMail = (seconds: number) => (seconds * 1000) / mails;
  const cpuMsPerMail = {
    workers: perMail(workers.reduce((t, w, i) => t + w.cpuSeconds() - cpuFrom.workers[i], 0)),
    sink: perMail((sink.cpuSeconds() ?? cpuFrom.sink) - cpuFrom.sink),
    postgres: perMail(postgresCpuSince(cpuFrom.pg)),
  };
  // The whole machine meanwhile: the kernel's share (loopback TCP, interrupts) is in no process's time.
  const machine = machineCpuSince(cpuFrom.machine);
  log(
    `dispatch (${workers.length} worker${workers.length > 1 ? 's' : ''}): ${fmt(sent, 0)} sent in ${fmt(seconds)} s = ${fmt(sent / seconds)} /s`,
  );
  return {
    sent,
    atSink: s.count,
    seconds,
    perSecond: sent / seconds,
    peakRssMb: Math.max(...peaks),
    workers: peaks,
    redisPeakMb: redisPeak,
    redisAboveBaselineMb: redisPeak - baseRedisMb,
    cpuMsPerMail,
    machineBusy: machine.busy,
    machineSteal: machine.steal,
  };
}

async function measureApi(env: Record<string, string>, token: string, notices: number) {
  const port = 3900 + Math.floor(Math.random() * 90);
  const api = await startApi(env, port);
  const base = `http://127.0.0.1:${port}/api/v1/events/bench-1/affected`;
  const get = async (q: string) => {
    const t = process.hrtime.bigint();
    const res = await fetch(`${base}${q}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { total: number };
    if (res.status !== 200) throw new Error(`GET affected${q}: ${res.status} ${JSON.stringify(body)}`);
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, total: body.total as number };
  };
  const pageSize = 50;
  const { total } = await get(`?pageSize=${pageSize}`);
  const last = Math.max(1, Math.ceil(total / pageSize));
  const variants: Record<string, string[]> = {
    first: [`?page=1&pageSize=${pageSize}`],
    middle: [`?page=${Math.ceil(last / 2)}&pageSize=${pageSize}`],
    last: [`?page=${last}&pageSize=${pageSize}`],
    filtered: [
      `?country=JP&pageSize=${pageSize}`,
      `?tier=enterprise&pageSize=${pageSize}&page=2`,
      `?q=Tech&pageSize=${pageSize}`,
    ],
  };
  const detail: Record<string, { p50: number; p95: number }> = {};
  const all: number[] = [];
  for (const [name, queries] of Object.entries(variants)) {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) ms.push((await get(queries[i % queries.length])).ms);
    detail[name] = { p50: percentile(ms, 50), p95: percentile(ms, 95) };
    all.push(...ms);
  }
  const t = Date.now();
  const res = await fetch(`${base}?format=csv`, { headers: { authorization: `Bearer ${token}` } });
  let rows = -1;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const b of value) if (b === 10) rows++;
  }
  const csvSeconds = (Date.now() - t) / 1000;
  const csvPeakRssMb = api.peakMb();
  await api.stop();
  log(`api: affected p95 ${fmt(percentile(all, 95))} ms; CSV ${fmt(rows, 0)} rows in ${fmt(csvSeconds, 2)} s`);
  return {
    affectedCustomers: total,
    notices,
    pages: detail,
    affectedPageP50Ms: percentile(all, 50),
    affectedPageP95Ms: percentile(all, 95),
    csvRows: rows,
    csvSeconds,
    csvRowsPerSecond: rows / csvSeconds,
    csvPeakRssMb,
  };
}

/** Writes what is measured so far, so an interrupted run still leaves its figures. */
function save(): void {
  const path = join(ROOT, 'bench', 'results.json');
  let kept: Record<string, any>;
  try {
    kept = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    kept = {};
  }
  // A scale run keeps the full run's figures and adds its own under one key (e.g. "scale10m.match.seconds"); a full
  // run replaces its own figures and keeps the scale runs'.
  const scaleRuns = Object.fromEntries(Object.entries(kept).filter(([k]) => /^scale\d/.test(k)));
  const next = NO_DISPATCH ? { ...kept, flat: undefined, [SCALE_KEY]: results } : { ...results, ...scaleRuns };
  delete next.flat;
  writeFileSync(path, JSON.stringify(flatten(next), null, 2) + '\n');
}

/** Keeps the nested shape and adds the dotted keys other tools read (e.g. "dispatch.oneWorker.ratio"). */
function flatten(r: Record<string, any>) {
  const flat: Record<string, unknown> = {};
  const walk = (o: Record<string, any>, path: string) => {
    for (const [k, v] of Object.entries(o)) {
      const key = path ? `${path}.${k}` : k;
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, key);
      else flat[key] = v;
    }
  };
  walk(r, '');
  return { ...r, flat };
}

function printTable(): void {
  const r = results;
  const d = r.dispatch;
  const lines: [string, string, string][] = [
    [
      'registry import (first)',
      `${fmt(r.import.rowsPerSecond, 0)} rows/s`,
      `${fmt(r.import.rows, 0)} rows in ${fmt(r.import.seconds)} s; peak RSS ${fmt(r.import.peakRssMb, 0)} MB`,
    ],
    [
      'import against bare COPY + indexes',
      `${fmt(r.import.bareRatio, 2)} × bare`,
      `bare ${fmt(r.import.bare.seconds)} s (COPY ${fmt(r.import.bare.copySeconds)} s + ${r.import.bare.indexes} indexes ${fmt(r.import.bare.indexSeconds)} s); WAL import ${fmt(r.import.walMb, 0)} MB, bare ${fmt(r.import.bare.walMb, 0)} MB`,
    ],
    [
      'registry import (again, upserts)',
      `${fmt(r.reimport.rowsPerSecond, 0)} rows/s`,
      `${fmt(r.reimport.seconds)} s; peak RSS ${fmt(r.reimport.peakRssMb, 0)} MB`,
    ],
    [
      'matching → every notice row',
      `${fmt(r.match.seconds, 2)} s`,
      `${fmt(r.match.notices, 0)} notices (${fmt(100 * r.match.contactShare)} % of contacts); the first committed after ${fmt(r.match.firstCommitSeconds, 2)} s`,
    ],
    [
      'matching against bare INSERT … SELECT',
      `${fmt(r.match.bareRatio, 2)} × bare`,
      `bare ${fmt(r.match.bare.seconds, 2)} s; WAL matching ${fmt(r.match.walMb, 0)} MB, bare ${fmt(r.match.bare.walMb, 0)} MB`,
    ],
    [
      'matching, a second case',
      `${fmt(r.match2.seconds, 2)} s`,
      `${fmt(r.match2.notices, 0)} notices, with the first case's rows in the tables`,
    ],
    ['event published → first mail', `${fmt(r.firstMail.seconds, 2)} s`, ''],
    [
      'raw Nodemailer pooled loop',
      `${fmt(d.raw.perSecond, 0)} mails/s`,
      `${fmt(d.raw.sent, 0)} mails, 1 process, Nodemailer's default encoding`,
    ],
    [
      'raw loop, service’s mail options',
      `${fmt(d.rawSameOptions.perSecond, 0)} mails/s`,
      `base64 parts, as the service sends them; machine busy ${fmt(d.rawSameOptions.machineBusy * 100, 0)} %`,
    ],
    [
      'dispatch, 1 worker',
      `${fmt(d.oneWorker.perSecond, 0)} mails/s`,
      `${fmt(d.oneWorker.ratio, 2)} × raw (${fmt(d.oneWorker.ratioSameOptions, 2)} × raw with the same options); ${fmt(d.oneWorker.sent, 0)} in ${fmt(d.oneWorker.seconds)} s`,
    ],
    [
      'dispatch, 2 workers',
      `${fmt(d.twoWorkers.perSecond, 0)} mails/s`,
      `${fmt(d.twoWorkers.ratio, 2)} × raw (${fmt(d.twoWorkers.ratioSameOptions, 2)} × same options); ${fmt(d.twoWorkers.seconds)} s`,
    ],
    [
      'CPU per mail: 1 worker / 2 workers / raw loop',
      `${fmt(d.oneWorker.cpuMsPerMail.workers, 2)} / ${fmt(d.twoWorkers.cpuMsPerMail.workers, 2)} / ${fmt(d.rawSameOptions.cpuMsPerMail.sender, 2)} ms`,
      `the sender processes (raw loop: service options); PostgreSQL ${fmt(d.oneWorker.cpuMsPerMail.postgres, 2)} / ${fmt(d.twoWorkers.cpuMsPerMail.postgres, 2)} ms, SMTP sink ${fmt(d.oneWorker.cpuMsPerMail.sink, 2)} / ${fmt(d.twoWorkers.cpuMsPerMail.sink, 2)} / ${fmt(d.rawSameOptions.cpuMsPerMail.sink, 2)} ms; machine busy ${fmt(d.oneWorker.machineBusy * 100, 0)} / ${fmt(d.twoWorkers.machineBusy * 100, 0)} % (stolen ${fmt(d.oneWorker.machineSteal * 100, 0)} / ${fmt(d.twoWorkers.machineSteal * 100, 0)} %)`,
    ],
    [
      'affected page p50 / p95',
      `${fmt(r.api.affectedPageP50Ms)} / ${fmt(r.api.affectedPageP95Ms)} ms`,
      Object.entries(r.api.pages)
        .map(([k, v]: [string, any]) => `${k} ${fmt(v.p95)}`)
        .join(', '),
    ],
    [
      'CSV export',
      `${fmt(r.api.csvRowsPerSecond, 0)} rows/s`,
      `${fmt(r.api.csvRows, 0)} rows; api peak RSS ${fmt(r.api.csvPeakRssMb, 0)} MB`,
    ],
    ['peak RSS: importer / worker', `${fmt(r.memory.importPeakRssMb, 0)} / ${fmt(r.memory.workerPeakRssMb, 0)} MB`, ''],
    [
      'Redis used memory, peak',
      `${fmt(r.memory.redisPeakMb, 1)} MB`,
      `${fmt(Math.max(d.oneWorker.redisAboveBaselineMb, d.twoWorkers.redisAboveBaselineMb), 1)} MB above the level before the run`,
    ],
    [
      'notices table (PostgreSQL)',
      `${fmt(r.memory.noticeTableMb, 0)} MB`,
      `two events; ${fmt(r.disk.noticesPerEventMb, 0)} MB after the first`,
    ],
    [
      'database on disk',
      `${fmt(r.disk.perMillionCustomersMb, 0)} MB per 1M customers`,
      `${fmt(r.disk.afterImportMb, 0)} MB after the import, ${fmt(r.disk.afterMatchMb, 0)} MB after the first event`,
    ],
  ];
  writeTable('Benchmark', lines);
}

/** The `--no-dispatch` run's table: import and matching against their bare limits, and the disk they take. */
function printScaleTable(): void {
  const r = results;
  const lines: [string, string, string][] = [
    [
      'registry import (first)',
      `${fmt(r.import.seconds)} s`,
      `${fmt(r.import.rows, 0)} rows, ${fmt(r.import.rowsPerSecond, 0)} rows/s; peak RSS ${fmt(r.import.peakRssMb, 0)} MB; WAL ${fmt(r.import.walMb, 0)} MB`,
    ],
    [
      'import against bare COPY + indexes',
      `${fmt(r.import.bareRatio, 2)} × bare`,
      `bare ${fmt(r.import.bare.seconds)} s (COPY ${fmt(r.import.bare.copySeconds)} s + indexes ${fmt(r.import.bare.indexSeconds)} s)`,
    ],
    [
      'matching → every notice row',
      `${fmt(r.match.seconds, 2)} s`,
      `${fmt(r.match.notices, 0)} notices (${fmt(100 * r.match.contactShare)} % of contacts), the first committed after ${fmt(r.match.firstCommitSeconds, 2)} s; WAL ${fmt(r.match.walMb, 0)} MB`,
    ],
    [
      'matching against bare INSERT … SELECT',
      `${fmt(r.match.bareRatio, 2)} × bare`,
      `bare ${fmt(r.match.bare.seconds, 2)} s; WAL ${fmt(r.match.bare.walMb, 0)} MB`,
    ],
    [
      'database on disk',
      `${fmt(r.disk.perMillionCustomersMb, 0)} MB per 1M customers`,
      `${fmt(r.disk.afterImportMb, 0)} MB after the import, ${fmt(r.disk.afterMatchMb, 0)} MB after the event; notices ${fmt(r.disk.noticesPerEventMb, 0)} MB`,
    ],
  ];
  writeTable('Scale run (`--no-dispatch`)', lines);
}

/** Prints a run's heading (its size, date, commit and machine load) and its rows as a Markdown table. */
function writeTable(title: string, lines: [string, string, string][]): void {
  const r = results;
  const pgs: Record<string, string> = r.machine.postgres ?? {};
  const out = [
    `${title}, ${fmt(r.customers, 0)} customers (${fmt(r.registry.contacts, 0)} contacts, ${fmt(r.registry.subscriptions, 0)} subscriptions), ${r.date.slice(0, 10)}, commit ${r.commit}, ${r.machine.cpus} cores, load average ${fmt(r.machine.loadAverageAtStart, 1)} → ${fmt(r.machine.loadAverageAtEnd, 1)}, ${fmt(r.seconds / 60, 0)} min; PostgreSQL ${pgs.server_version?.split(' ')[0]}, autovacuum ${pgs.autovacuum}, shared_buffers ${pgs.shared_buffers}`,
    '',
    '| figure | value | detail |',
    '| --- | --- | --- |',
    ...lines.map((l) => `| ${l.join(' | ')} |`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
