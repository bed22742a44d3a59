// `npm run load [-- --customers N --duration S --connections C --keep-db]`: the API under load while an event
// dispatches.
// autocannon drives the affected list, the customer search, the event and customers' status links side by side
// (the connections split between them), plus a trickle of bad status tokens from one other client address to show
// the failure limiter's 429s; the API's RSS is sampled throughout. Prints a table, writes bench/load.json.
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { QueueName } from '../src/domain/queue.types';
import { createStatusToken } from '../src/notices/status-link/status-link.token';
import { fmt, Proc, ROOT, rssMb, startSink, until } from './bench-support';
import {
  benchEvent,
  cliArgs,
  databaseUrl,
  dropDatabaseUnlessKept,
  prepareRegistry,
  startApi,
  startWorker,
} from './bench-fixture';
import { deletePrefixKeys } from './soak-support';

const args = cliArgs();
const CUSTOMERS = args.number('--customers', 1_000_000);
const DURATION = args.number('--duration', 60);
const CONNECTIONS = args.number('--connections', 50);
const RATE_OPTION = args.option('--rate');
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `load-${Date.now()}`;
const DB = `impact_load_${CUSTOMERS}`;
const EVENT_ID = 'load-1';
const CASE_ID = 'load-case';
const LINK_SECRET = randomBytes(32).toString('base64url');
/** The limiter keys on the client address; the API trusts X-Forwarded-For from loopback, so this is another client. */
const PROBE_CLIENT = '203.0.113.50';
const PAGE = 50;

const log = (s: string) => process.stderr.write(`[load] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const results: Record<string, any> = {};
const procs: Proc[] = [];
let sinkStop: (() => Promise<void>) | null = null;
let redis: Redis | null = null;

async function cleanup(): Promise<void> {
  await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
  await sinkStop?.().catch(() => undefined);
  if (redis) await deletePrefixKeys(redis, PREFIX).catch(() => undefined);
  redis?.disconnect();
  await dropDatabaseUnlessKept(ADMIN_URL, DB, args.flag('--keep-db'), log).catch((e) =>
    log(`could not drop ${DB}: ${(e as Error).message}`),
  );
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));

interface RouteResult {
  connections: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statusCodes: Record<string, number>;
  errors: number;
  tooManyRequests: number;
}

async function main(): Promise<number> {
  if (!Number.isInteger(CUSTOMERS) || CUSTOMERS < 1000) throw new Error('--customers must be a whole number ≥ 1000');
  Object.assign(results, {
    customers: CUSTOMERS,
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart: loadavg()[0] },
  });
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl(ADMIN_URL, DB),
    REDIS_URL,
    BULLMQ_PREFIX: PREFIX,
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_MS: '2000',
    LINK_SECRET,
    OUTBOX_DIR: join(ROOT, 'var', 'load-outbox'),
  };
  redis = new Redis(REDIS_URL);
  const { token } = await prepareRegistry({ adminUrl: ADMIN_URL, db: DB, customers: CUSTOMERS, env, log });
  const sink = await startSink();
  sinkStop = sink.stop;
  const smtp = { SMTP_URL: `smtp://127.0.0.1:${sink.port}` };

  // The event is applied under review first, so the send rate can be chosen from its size: the dispatch must last
  // longer than the load (a rate of 0, unlimited, when even that would be faster than a worker sends).
  const planner = await startWorker({ ...env, ...smtp }, log);
  procs.push(planner);
  const queue = new Queue(QueueName.SuspensionEvents, { connection: { url: REDIS_URL }, prefix: PREFIX });
  await queue.add('event', benchEvent(EVENT_ID, CASE_ID, 'review'), { jobId: EVENT_ID });
  await queue.close();
  const pg = new Client({ connectionString: env.DATABASE_URL });
  await pg.connect();
  const event = await until(
    'event applied',
    async () =>
      (
        await pg.query(`SELECT id FROM events WHERE event_id = $1 AND applied_at IS NOT NULL AND NOT planning`, [
          EVENT_ID,
        ])
      ).rows[0],
    60 * 60_000,
    100,
  );
  const eventPk = String(event.id);
  const [{ notices }] = (await pg.query(`SELECT count(*)::int AS notices FROM notices WHERE event_pk = $1`, [eventPk]))
    .rows;
  const wanted = Math.ceil(notices / (DURATION + 30));
  const rate = RATE_OPTION !== undefined ? Number(RATE_OPTION) : wanted > 2000 ? 0 : wanted;
  await planner.stop();
  procs.splice(procs.indexOf(planner), 1);
  procs.push(await startWorker({ ...env, ...smtp, MAIL_RATE_PER_SECOND: String(rate) }, log));
  results.notices = notices;
  results.mailRatePerSecond = rate;

  // Valid status links of affected customers, spread over the registry, and the last page of the affected list.
  const customerIds = (
    await pg.query(
      `SELECT customer_id::text AS id FROM event_customers WHERE event_pk = $1 ORDER BY md5(customer_id::text) LIMIT 500`,
      [eventPk],
    )
  ).rows.map((r) => r.id as string);
  const [{ affected }] = (
    await pg.query(`SELECT count(*)::int AS affected FROM event_customers WHERE event_pk = $1`, [eventPk])
  ).rows;
  const lastPage = Math.max(1, Math.ceil(affected / PAGE));
  const statusPaths = customerIds.map(
    (id) => `/status/${encodeURIComponent(CASE_ID)}/c/${createStatusToken(LINK_SECRET, CASE_ID, id)}`,
  );

  const port = 3900 + Math.floor(Math.random() * 90);
  const api = await startApi(env, port);
  procs.push(api);
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${token}` };
  const approve = await fetch(`${base}/api/v1/events/${EVENT_ID}/approve`, { method: 'POST', headers: auth });
  if (approve.status !== 200) throw new Error(`approve: ${approve.status} ${await approve.text()}`);
  await until('first mail', async () => (await sink.stats()).firstAt, 120_000, 50);
  log(`${fmt(notices, 0)} notices dispatching at ${rate ? `${rate} mails/s` : 'full speed'}; load for ${DURATION} s`);

  const routes: Record<string, string[]> = {
    'GET /api/v1/events/:id/affected': [
      `?page=1&pageSize=${PAGE}`,
      `?page=${Math.ceil(lastPage / 2)}&pageSize=${PAGE}`,
      `?page=${lastPage}&pageSize=${PAGE}`,
      `?country=JP&pageSize=${PAGE}`,
      `?tier=enterprise&pageSize=${PAGE}&page=2`,
      `?q=Tech&pageSize=${PAGE}`,
    ].map((q) => `/api/v1/events/${EVENT_ID}/affected${q}`),
    'GET /api/v1/customers': [
      `?q=Tech&pageSize=${PAGE}`,
      `?country=JP&pageSize=${PAGE}`,
      `?tier=enterprise&pageSize=${PAGE}&page=2`,
      `?pageSize=${PAGE}&page=3`,
    ].map((q) => `/api/v1/customers${q}`),
    'GET /api/v1/events/:id': [`/api/v1/events/${EVENT_ID}`],
    'GET /status/:caseId/c/:token': statusPaths,
  };
  const names = Object.keys(routes);
  const share = (i: number) => Math.floor(CONNECTIONS / names.length) + (i < CONNECTIONS % names.length ? 1 : 0);

  // RSS of the API process once a second, and the mails sent while the load runs.
  const rss: [number, number][] = [];
  const sampleStart = Date.now();
  const sampler = setInterval(() => {
    const mb = rssMb(api.child.pid);
    if (mb !== null) rss.push([(Date.now() - sampleStart) / 1000, mb]);
  }, 1000);
  rss.push([0, rssMb(api.child.pid) ?? 0]);
  const sentBefore = (await sink.stats()).count;

  const runs = names.map((name, i) => cannon(base, routes[name], share(i), auth));
  // The intended 429s: bad tokens from another client, 5 a second, past the limiter's 20 failures a minute.
  const probe = cannon(base, [`/status/${CASE_ID}/c/MQ.${'A'.repeat(24)}`], 1, { 'x-forwarded-for': PROBE_CLIENT }, 5);
  const [done, probed] = await Promise.all([Promise.all(runs), probe]);
  clearInterval(sampler);
  await sleep(2000);
  rss.push([(Date.now() - sampleStart) / 1000, rssMb(api.child.pid) ?? 0]);
  const sentDuring = (await sink.stats()).count - sentBefore;
  const [{ status: eventStatus }] = (await pg.query(`SELECT status FROM events WHERE id = $1`, [eventPk])).rows;
  await pg.end();

  results.routes = Object.fromEntries(names.map((n, i) => [n, done[i]]));
  results.limiterProbe = { client: PROBE_CLIENT, ...probed };
  const peak = Math.max(...rss.map((s) => s[1]));
  // Half-time beside the end: a leak keeps growing through the second half, a warmed-up heap does not.
  const half = rss.find((s) => s[0] >= DURATION / 2)?.[1] ?? rss[0][1];
  results.apiRssMb = { start: rss[0][1], halfTime: half, peak, end: rss[rss.length - 1][1], samples: rss };
  results.dispatch = { mailsDuringLoad: sentDuring, eventStatusAfterLoad: eventStatus };
  results.machine.loadAverageAtEnd = loadavg()[0];

  const errors = done.reduce((a, r) => a + r.errors, 0);
  const unintended429 = done.reduce((a, r) => a + r.tooManyRequests, 0);
  const probeOther = probed.requests - (probed.statusCodes['404'] ?? 0) - (probed.statusCodes['429'] ?? 0);
  const failures = [
    errors > 0 && `${errors} non-2xx answers or socket errors on the measured routes`,
    unintended429 > 0 && `${unintended429} 429s on valid requests`,
    probeOther > 0 && `${probeOther} bad-token answers that were neither 404 nor 429`,
    !(probed.statusCodes['429'] > 0) && 'the bad-token client never got a 429',
    eventStatus !== 'dispatching' && `the dispatch ended during the load (event ${eventStatus}): lower --rate`,
  ].filter(Boolean);
  results.ok = failures.length === 0;
  results.failures = failures;
  writeFileSync(join(ROOT, 'bench', 'load.json'), JSON.stringify(results, null, 2) + '\n');
  printTable();
  for (const f of failures) log(`FAILED: ${f}`);
  return failures.length ? 1 : 0;
}

/** One autocannon run over `paths` (each connection goes through them in turn); 2xx is success. */
async function cannon(
  base: string,
  paths: string[],
  connections: number,
  headers: Record<string, string>,
  overallRate?: number,
): Promise<RouteResult> {
  let next = 0;
  const r = await autocannon({
    url: base,
    connections,
    duration: DURATION,
    headers,
    overallRate,
    requests: [{ setupRequest: (req: any) => ({ ...req, path: paths[next++ % paths.length] }) }],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries((r as any).statusCodeStats ?? {}))
    statusCodes[code] = (s as { count: number }).count;
  const total = Object.values(statusCodes).reduce((a, n) => a + n, 0);
  const ok = Object.entries(statusCodes)
    .filter(([c]) => c.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  return {
    connections,
    requests: total,
    perSecond: total / DURATION,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    statusCodes,
    errors: total - ok + r.errors + r.timeouts,
    tooManyRequests: statusCodes['429'] ?? 0,
  };
}

function gitCommit(): string | null {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  } catch {
    return null;
  }
}

function printTable(): void {
  const r = results;
  const row = (name: string, x: RouteResult) =>
    `| ${name} | ${x.connections} | ${fmt(x.perSecond, 0)} | ${fmt(x.p50Ms)} | ${fmt(x.p99Ms)} | ${fmt(x.requests, 0)} | ${fmt(x.errors, 0)} | ${fmt(x.tooManyRequests, 0)} |`;
  const p = r.limiterProbe;
  const lines = [
    `Load, ${fmt(r.customers, 0)} customers, ${fmt(r.notices, 0)} notices dispatching (${r.mailRatePerSecond ? `${r.mailRatePerSecond} mails/s` : 'full speed'}, ${fmt(r.dispatch.mailsDuringLoad, 0)} sent during the load), ${r.connections} connections for ${r.durationSeconds} s, ${r.date.slice(0, 10)}, commit ${r.commit}`,
    '',
    '| route | connections | requests/s | p50 ms | p99 ms | requests | errors | 429 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...Object.entries(r.routes).map(([n, x]) => row(n, x as RouteResult)),
    `| bad status tokens from ${p.client} (intended 429s) | 1 | ${fmt(p.perSecond, 0)} | ${fmt(p.p50Ms)} | ${fmt(p.p99Ms)} | ${fmt(p.requests, 0)} | 404: ${p.statusCodes['404'] ?? 0} | ${p.statusCodes['429'] ?? 0} |`,
    '',
    `API RSS: ${fmt(r.apiRssMb.start, 0)} MB at the start, ${fmt(r.apiRssMb.halfTime, 0)} MB at half-time, ${fmt(r.apiRssMb.peak, 0)} MB peak, ${fmt(r.apiRssMb.end, 0)} MB at the end`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e) => {
    log(`load failed: ${(e as Error).stack ?? e}`);
    await cleanup();
    process.exit(1);
  });
