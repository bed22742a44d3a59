// Process helpers for the benchmark: spawn the built service, follow peak RSS, wait for conditions.
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const dist = (p: string) => join(ROOT, 'dist', p);

const STATUS_FIELDS = { VmHWM: /VmHWM:\s+(\d+) kB/, VmRSS: /VmRSS:\s+(\d+) kB/ };

/** A memory figure of a live process from /proc/PID/status, in MB, or null once it has gone. */
function statusMb(pid: number | undefined, field: keyof typeof STATUS_FIELDS): number | null {
  if (!pid) return null;
  try {
    const m = STATUS_FIELDS[field].exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Peak resident set size of a live process in MB (VmHWM), or null once it has gone. */
export const peakRssMb = (pid: number | undefined) => statusMb(pid, 'VmHWM');

/** Resident set size of a live process now (VmRSS), in MB, or null once it has gone. */
export const rssMb = (pid: number | undefined) => statusMb(pid, 'VmRSS');

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) a live process has used, in seconds, or null once it has gone. */
export function cpuSeconds(pid: number | string | undefined, withEndedChildren = false): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is the first; utime and stime are the 12th and 13th, the ended children's
    // cutime and cstime the 14th and 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const children = withEndedChildren ? Number(f[13]) + Number(f[14]) : 0;
    return (Number(f[11]) + Number(f[12]) + children) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by each PostgreSQL process running now, by pid, with the CPU of its children that ended
 * (the postmaster's `cutime` and `cstime`: every backend, parallel worker and autovacuum worker that exited since the
 * server started). Compare two readings with `postgresCpuSince`.
 */
export function postgresCpu(): Map<string, number> {
  const used = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const s = cpuSeconds(pid, true);
    if (s !== null) used.set(pid, s);
  }
  return used;
}

/**
 * CPU seconds PostgreSQL used between two readings. A process that ended in between is counted through the
 * postmaster's children's time (its whole life), less what it had used at the first reading; counting only the
 * processes alive at the second reading missed the pool connections closed while idle and every parallel worker.
 */
export function postgresCpuSince(before: Map<string, number>): number {
  const after = postgresCpu();
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  for (const [pid, s] of before) if (!after.has(pid)) total -= s;
  return total;
}

/** The machine's CPU time so far, from /proc/stat, in clock ticks over all cores. */
export function machineCpu(): { total: number; idle: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/** Shares of the machine's CPU time since `before`: busy (any use, interrupts included) and stolen by the host. */
export function machineCpuSince(before: ReturnType<typeof machineCpu>): { busy: number; steal: number } {
  const now = machineCpu();
  const total = Math.max(1, now.total - before.total);
  return { busy: 1 - (now.idle - before.idle) / total, steal: (now.steal - before.steal) / total };
}

export interface Proc {
  child: ChildProcess;
  out: () => string;
  /** Highest VmHWM seen while polling (the last reading before exit). */
  peakMb: () => number;
  /** CPU seconds used (the last reading before exit). */
  cpuSeconds: () => number;
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export function run(
  script: string,
  args: string[],
  env: Record<string, string>,
  opts: { echo?: boolean; nodeArgs?: string[] } = {},
): Proc {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let peak = 0;
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => {
    out += d;
    if (opts.echo) process.stderr.write(d);
  });
  let cpu = 0;
  const poll = setInterval(() => {
    peak = Math.max(peak, peakRssMb(child.pid) ?? 0);
    cpu = cpuSeconds(child.pid) ?? cpu;
  }, 200);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve(code);
    }),
  );
  return {
    child,
    out: () => out,
    peakMb: () => Math.max(peak, peakRssMb(child.pid) ?? 0),
    cpuSeconds: () => (cpu = cpuSeconds(child.pid) ?? cpu),
    exited,
    stop: async (signal = 'SIGTERM') => {
      peak = Math.max(peak, peakRssMb(child.pid) ?? 0);
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

export interface Sink {
  port: number;
  stats: () => Promise<{ count: number; firstAt: number | null; lastAt: number | null }>;
  reset: () => Promise<void>;
  stop: () => Promise<void>;
  peakMb: () => number | null;
  /** CPU seconds the sink process has used (null once it has gone). */
  cpuSeconds: () => number | null;
}

export async function startSink(): Promise<Sink> {
  const child = fork(dist('bench/smtp-sink.process.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ask = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type === type) {
          child.off('message', on);
          resolve(m as T);
        }
      };
      child.on('message', on);
      child.send({ type });
    });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    port,
    stats: () => ask('stats'),
    reset: async () => void (await ask('reset')),
    stop: async () => {
      child.send({ type: 'stop' });
      await new Promise((r) => child.once('exit', r));
    },
    peakMb: () => peakRssMb(child.pid),
    cpuSeconds: () => cpuSeconds(child.pid),
  };
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const fmt = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits });
