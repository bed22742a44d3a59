// What `npm run soak` and `npm run load` set up the way the benchmark does: a fresh database with the generated
// registry imported through the real CLI, a support token, and service processes started as `npm run start:prod` is.
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { DEMO_PRODUCTS } from '../src/registry/generator/generator-data';
import { generateRegistry } from '../src/registry/generator/registry-generator';
import { dist, fmt, Proc, ROOT, run, until } from './bench-support';

export const SEED = 42;

/** Hits about 30 % of contacts with the generator's distribution (hosted API and weights used in Asia), as the bench. */
export const BENCH_SCOPE = { products: ['category:hosted-api', 'category:model-weights'], regions: ['group:ASIA'] };

const START_WORDS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['start:prod'] as string
).split(/\s+/);

/** The node flags of `npm run start:prod` (the heap sizes), so the service is measured as it is really started. */
export const START_NODE_ARGS: string[] = START_WORDS.filter((a) => a.startsWith('--'));

/** The variables `npm run start:prod` sets before `node` (glibc's malloc arenas), for the same reason. */
export const START_ENV: Record<string, string> = Object.fromEntries(
  START_WORDS.slice(0, Math.max(0, START_WORDS.indexOf('node')))
    .map((a) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(a))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]),
);

/** Command-line flags: `--name value` and bare `--name`. */
export function cliArgs(argv = process.argv.slice(2)) {
  const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  return {
    flag: (name: string) => argv.includes(name),
    option,
    number: (name: string, fallback: number) => {
      const v = option(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, not ${v}`);
      return n;
    },
  };
}

export function databaseUrl(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Drops and creates `db`, creates its schema and a support token through the CLI and the demo product catalogue, and
 * generates the bench's registry of `customers` once into bench/data (shared by `npm run bench`, soak and load).
 */
export async function prepareDatabase(opts: {
  adminUrl: string;
  db: string;
  customers: number;
  env: Record<string, string>;
  log: (s: string) => void;
}): Promise<{ token: string; file: string }> {
  const { adminUrl, db, customers, env, log } = opts;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();

  const user = run(
    dist('src/cli/main.js'),
    ['users:create', '--email', 'bench@vendor.example', '--name', 'Bench', '--role', 'support'],
    env,
  );
  if ((await user.exited) !== 0) throw new Error(`users:create failed:\n${user.out()}`);
  const token = user.out().trim().split('\n').pop() as string;
  const pg = new Client({ connectionString: env.DATABASE_URL });
  await pg.connect();
  for (const p of DEMO_PRODUCTS)
    await pg.query(`INSERT INTO products (code, name, category) VALUES ($1, $2, $3)`, [p.code, p.name, p.category]);
  await pg.end();

  mkdirSync(join(ROOT, 'bench', 'data'), { recursive: true });
  const file = join(ROOT, 'bench', 'data', `registry-${customers}-${SEED}.jsonl`);
  if (!existsSync(file)) {
    const t = Date.now();
    log(`generating ${fmt(customers, 0)} customers into ${file}`);
    await pipeline(generateRegistry({ customers, seed: SEED, format: 'jsonl' }), createWriteStream(file));
    log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s (${fmt(statSync(file).size / 2 ** 20)} MB)`);
  }
  return { token, file };
}

/**
 * Drops a run's database at its end (a 10M run leaves about 15 GB), unless the run was given `--keep-db` (`keep`) to
 * look into it afterwards.
 */
export async function dropDatabaseUnlessKept(
  adminUrl: string,
  db: string,
  keep: boolean,
  log: (s: string) => void,
): Promise<void> {
  if (keep) {
    log(`kept database ${db} (--keep-db)`);
    return;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  log(`dropped database ${db} (--keep-db keeps it)`);
}

/** `prepareDatabase`, then the registry imported through the real CLI (with the heap cap of `npm run cli`). */
export async function prepareRegistry(opts: Parameters<typeof prepareDatabase>[0]) {
  const { token, file } = await prepareDatabase(opts);
  const { env, log } = opts;
  log(`importing ${file}`);
  const t = Date.now();
  const p = run(dist('src/cli/main.js'), ['registry:import', file, '--json'], env, {
    nodeArgs: ['--max-old-space-size=192'],
  });
  if ((await p.exited) !== 0) throw new Error(`import failed:\n${p.out().slice(-2000)}`);
  const importSeconds = (Date.now() - t) / 1000;
  log(`imported in ${fmt(importSeconds)} s`);
  return { token, file, importSeconds };
}

/** A service process with APP_ROLE=worker, resolved once it has logged its start. */
export async function startWorker(
  env: Record<string, string>,
  log: (s: string) => void,
  opts: { profileDir?: string } = {},
): Promise<Proc> {
  // With a profile directory, V8 samples the worker all along (a log that survives the SIGTERM that stops it).
  const profile = opts.profileDir
    ? ['--prof', '--no-logfile-per-isolate', `--logfile=${join(opts.profileDir, `worker-${++profiled}.v8.log`)}`]
    : [];
  const w = run(
    dist('src/main.js'),
    [],
    { ...START_ENV, ...env, APP_ROLE: 'worker' },
    { nodeArgs: [...START_NODE_ARGS, ...profile] },
  );
  void w.exited.then((code) => {
    if (code !== 0 && code !== null) log(`worker ${w.child.pid} exited with ${code}:\n${w.out().slice(-3000)}`);
  });
  await until(
    'worker start',
    async () =>
      w.out().includes('impact-notices started') ||
      (w.child.exitCode !== null && Promise.reject(new Error(`worker exited: ${w.out().slice(-2000)}`))),
    120_000,
  );
  return w;
}

let profiled = 0;

/** A service process with APP_ROLE=api on `port`, resolved once it has logged its start. */
export async function startApi(env: Record<string, string>, port: number): Promise<Proc> {
  const api = run(
    dist('src/main.js'),
    [],
    { ...START_ENV, ...env, APP_ROLE: 'api', PORT: String(port) },
    { nodeArgs: START_NODE_ARGS },
  );
  await until(
    'api start',
    async () =>
      api.out().includes('impact-notices started') ||
      (api.child.exitCode !== null && Promise.reject(new Error(`api exited: ${api.out().slice(-2000)}`))),
    120_000,
  );
  return api;
}

/** A suspension event as the bench publishes it. */
export function benchEvent(eventId: string, caseId: string, dispatch: 'auto' | 'review') {
  return {
    eventId,
    caseId,
    type: 'suspension.issued',
    occurredAt: new Date().toISOString(),
    title: 'Benchmark: exports halted',
    summary: 'A benchmark event.',
    scope: BENCH_SCOPE,
    dispatch,
  };
}
