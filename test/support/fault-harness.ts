// One fault test's world, set up in beforeAll and torn down in afterAll: its own database and Redis prefix, an SMTP
// sink the service sends to, a bulk registry, and the service as spawned worker processes and/or in this process.
import type { JobsOptions, Queue } from 'bullmq';
import type { AppRole } from '../../src/config/app-config';
import { startRunningApp, type RunningApp } from './app';
import { eventsQueue } from './events';
import { kill, seedBulk, spawnWorker, tally, waitForCompleted, waitForOutput, type NoticeTally } from './faults';
import { withPg } from './registry-fixture';
import { runAlone } from './run-alone';
import type { ServiceProcess } from './service-process';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { createTestEnv, type TestEnv } from './test-env';

export interface FaultHarnessOptions {
  /** Developer customers in DE with one contact each (`c<i>@f.example`), seeded once the schema exists. */
  customers: number;
  /** Service settings for this test, over the harness's (SMTP_URL is the sink's; RECONCILE_INTERVAL_MS 500). */
  env?: Record<string, string>;
  /**
   * Runs the whole app (role `all`) in this process from beforeAll. Without it the file spawns worker processes
   * and so runs alone (`runAlone`), so that its timing bounds are not measured against another heavy file.
   */
  inProcess?: boolean;
}

export interface FaultHarness {
  readonly sink: SmtpSink;
  /** The superuser's URL of the test database, for checks. */
  readonly dbUrl: string;
  readonly prefix: string;
  /** The in-process app (`inProcess`, or after `startApp`). */
  readonly app: RunningApp;
  /**
   * Spawns one worker process per settings object (`{}` for none; none given: one worker), waits until each has
   * started, and seeds the registry after the first start (the service creates the schema when it starts).
   */
  startWorkers(...extra: Record<string, string>[]): Promise<ServiceProcess[]>;
  /** Spawns a worker process without waiting for it. */
  spawnWorker(extra?: Record<string, string>): ServiceProcess;
  /** Starts the app in this process with the given role; closed in afterAll. */
  startApp(role: AppRole): Promise<RunningApp>;
  /** Puts an event (an object, or JSON text as an upstream system may send it) on the events queue. */
  publish(event: unknown, opts?: JobsOptions): Promise<void>;
  tally(eventId: string): Promise<NoticeTally>;
  waitForCompleted(eventId: string, timeoutMs?: number): Promise<NoticeTally>;
  /** Rows of one query on the test database (as superuser). */
  rows<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Call first inside the file's top-level describe. */
export function useFaultHarness(label: string, opts: FaultHarnessOptions): FaultHarness {
  if (!opts.inProcess) runAlone();
  let env: TestEnv | undefined;
  let sink: SmtpSink | undefined;
  let queue: Queue | undefined;
  let seeded = false;
  const workers: ServiceProcess[] = [];
  const apps: RunningApp[] = [];
  const ready = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`fault harness: ${what} is used before beforeAll ran`);
    return value;
  };
  const testEnv = () => ready('the test environment', env);
  const seedOnce = async () => {
    if (seeded) return;
    seeded = true;
    await seedBulk(testEnv().db.url, opts.customers);
  };

  const h: FaultHarness = {
    get sink() {
      return ready('the SMTP sink', sink);
    },
    get dbUrl() {
      return testEnv().db.url;
    },
    get prefix() {
      return testEnv().prefix;
    },
    get app() {
      return ready('the in-process app', apps[0]);
    },
    async startWorkers(...extra) {
      const started = (extra.length ? extra : [{}]).map((x) => h.spawnWorker(x));
      await Promise.all(started.map((w) => waitForOutput(w, /impact-notices started/)));
      await seedOnce();
      return started;
    },
    spawnWorker(extra = {}) {
      const w = spawnWorker(testEnv().env, extra);
      workers.push(w);
      return w;
    },
    async startApp(role) {
      const app = await startRunningApp(role);
      apps.push(app);
      await seedOnce();
      return app;
    },
    async publish(event, jobOpts) {
      await ready('the events queue', queue).add('event', event, jobOpts);
    },
    tally: (eventId) => tally(h.dbUrl, eventId),
    waitForCompleted: (eventId, timeoutMs) => waitForCompleted(h.dbUrl, eventId, timeoutMs),
    rows: (sql, params) => withPg(h.dbUrl, async (c) => (await c.query(sql, params)).rows),
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    // Reconciling every half second: work lost with a process or a queue is rebuilt within a test's patience.
    env = await createTestEnv(label, { SMTP_URL: sink.url, RECONCILE_INTERVAL_MS: '500', ...opts.env });
    queue = eventsQueue(env.prefix);
    if (opts.inProcess) await h.startApp('all');
  });
  afterAll(async () => {
    for (const w of workers) {
      // A worker a test froze (SIGSTOP) and did not wake is continued before the kill, as the test would.
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGCONT');
      await kill(w);
    }
    for (const app of apps) await app.close();
    await queue?.close();
    await sink?.close();
    await env?.cleanup();
  });
  return h;
}
