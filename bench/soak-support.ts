// The faults `npm run soak` applies, and the recording sinks it counts on: PostgreSQL stopped and started (the
// machine's cluster, or a private one for development), the service's own Redis keys deleted, an SMTP sink taken away.
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { Client } from 'pg';
import { dist, until } from './bench-support';

// ---- The recording SMTP sink (bench/soak-sink.process.ts) ----

export interface SinkStats {
  count: number;
  unique: number;
  withoutId: number;
  listening: boolean;
}

export interface SoakSink {
  port: number;
  stats(): Promise<SinkStats>;
  /** Takes the provider away: the listener closed, open sessions told 421 after a second. */
  close(): Promise<void>;
  /** Brings it back on the same port. */
  open(): Promise<void>;
  /** Every Message-ID received, with how many times. */
  ids(): Promise<[string, number][]>;
  stop(): Promise<void>;
  child: ChildProcess;
}

export async function startSoakSink(port = 0): Promise<SoakSink> {
  const child = fork(dist('bench/soak-sink.process.js'), [String(port)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ask = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error('sink has gone'));
      const gone = () => reject(new Error('sink has gone'));
      const on = (m: { type: string }) => {
        if (m.type === type) {
          child.off('message', on);
          child.off('exit', gone);
          resolve(m as T);
        }
      };
      child.on('message', on);
      child.once('exit', gone);
      child.send({ type });
    });
  const ready = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  return {
    port: ready,
    child,
    stats: () => ask<SinkStats>('stats'),
    close: async () => void (await ask('close')),
    open: async () => void (await ask('open')),
    ids: async () => (await ask<{ ids: [string, number][] }>('ids')).ids,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      if (child.connected) child.send({ type: 'stop' });
      else child.kill();
      await exited;
    },
  };
}

// ---- PostgreSQL: the machine's cluster through pg_ctlcluster, or a private one ----

export interface Postgres {
  adminUrl: string;
  kind: 'machine' | 'private';
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Started again if a stop left it down; the private cluster is removed. Safe to call more than once. */
  cleanup(): Promise<void>;
}

const MACHINE_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function clusterVersion(): string {
  const versions = readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v));
  if (!versions.length) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  return versions.sort((a, b) => Number(b) - Number(a))[0];
}

async function reachable(adminUrl: string): Promise<boolean> {
  const c = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * The machine's cluster (127.0.0.1:5432), stopped and started with
 * `pg_ctlcluster --skip-systemctl-redirect <version> main stop|start` (fast shutdown: every connection is closed).
 */
export function machinePostgres(adminUrl = MACHINE_ADMIN_URL): Postgres {
  const version = clusterVersion();
  let down = false;
  const ctl = (action: 'stop' | 'start') =>
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'pipe' });
  const pg: Postgres = {
    adminUrl,
    kind: 'machine',
    async stop() {
      down = true;
      ctl('stop');
    },
    async start() {
      ctl('start');
      await until('PostgreSQL back', () => reachable(adminUrl), 60_000, 200);
      down = false;
    },
    async cleanup() {
      if (!down && (await reachable(adminUrl))) return;
      try {
        ctl('start');
      } catch {
        // already running (start fails then); checked below
      }
      await until('PostgreSQL back', () => reachable(adminUrl), 60_000, 200);
      down = false;
    },
  };
  return pg;
}

/** A TCP port free on 127.0.0.1 now (the soak's sinks, the private clusters, the fault tests' servers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A cluster of its own (initdb into a temp folder as the postgres OS user, fsync off), so a development run can
 * restart PostgreSQL without disturbing anyone else on the machine's cluster. Not as fast or slow as the real one.
 * The fault tests' private cluster (test/support/faults.ts) is this one with their own settings.
 */
export async function privatePostgres(
  opts: { dirPrefix?: string; settings?: string[]; startTimeoutMs?: number } = {},
): Promise<Postgres & { port: number }> {
  const {
    dirPrefix = 'impact-soak-pg-',
    settings = ['fsync=off', 'max_connections=200', 'shared_buffers=256MB'],
    startTimeoutMs = 60_000,
  } = opts;
  const bin = `/usr/lib/postgresql/${clusterVersion()}/bin`;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
    uid,
    gid,
    stdio: 'ignore',
  });
  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  const pg = {
    port,
    adminUrl,
    kind: 'private' as const,
    async start() {
      const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'];
      for (const setting of settings) args.push('-c', setting);
      child = spawn(join(bin, 'postgres'), args, { uid, gid, stdio: 'ignore' });
      await until('private PostgreSQL', () => reachable(adminUrl), startTimeoutMs, 200);
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGINT'); // fast shutdown
      await exited;
    },
    async cleanup() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

// ---- Redis: only the service's own keys ----

/** Deletes every key under `prefix:` with SCAN and UNLINK (never FLUSHALL: others use this Redis). Returns the count. */
export async function deletePrefixKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
