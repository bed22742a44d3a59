// A private Redis Cluster (3 masters, 3 replicas) from this machine's redis-server, on free ports, that a test may
// break: kill a master and wait for its replica to take over. Never touches the shared Redis on 6379.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './faults';
import { waitFor } from './service-process';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  child: ChildProcess;
}

export interface PrivateRedisCluster {
  nodes: ClusterNode[];
  /** `127.0.0.1:port,…` of every node, for REDIS_CLUSTER_NODES. */
  seeds: string;
  /** Keys matching `pattern` on the node at `port`. */
  scan(port: number, pattern: string): Promise<string[]>;
  /** The port of the master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs the node on `port` and waits until a replica has taken over its slots and the cluster is ok again. */
  killMasterAndAwaitFailover(port: number, timeoutMs?: number): Promise<{ newMaster: number; ms: number }>;
  /** Kills every node and removes the temp directory (safe to call twice, and after a failed start). */
  stop(): Promise<void>;
}

/** Both binaries present? (The test skips with a message otherwise.) */
export async function haveRedisBinaries(): Promise<boolean> {
  try {
    await run('redis-server', ['--version']);
    await run('redis-cli', ['--version']);
    return true;
  } catch {
    return false;
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout;
}

interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string;
  slots: string[];
}

/** `CLUSTER NODES` as seen from `port`. */
async function clusterNodes(port: number): Promise<NodeLine[]> {
  return (await cli(port, 'cluster', 'nodes'))
    .trim()
    .split('\n')
    .map((line) => {
      const [id, addr, flags, masterId, , , , , ...slots] = line.trim().split(' ');
      return { id, port: Number(addr.split('@')[0].split(':')[1]), flags: flags.split(','), masterId, slots };
    });
}

const slotIn = (slot: number, ranges: string[]) =>
  ranges.some((r) => {
    if (r.startsWith('[')) return false; // a slot being migrated
    const [a, b] = r.split('-').map(Number);
    return slot >= a && slot <= (b ?? a);
  });

export async function startRedisCluster(): Promise<PrivateRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'impact-redis-cluster-'));
  const nodes: ClusterNode[] = [];
  const killed = new Set<number>();
  let stopped = false;

  // Should the test process end without stop() (a hung afterAll), no redis-server outlives it.
  const killAll = () => nodes.forEach(({ child }) => child.kill('SIGKILL'));
  process.once('exit', killAll);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killAll);
    await Promise.all(
      nodes.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((res) => child.once('exit', res));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < 6; i++) {
      // The cluster bus gets its own free port (cluster-port), not port + 10000, which may be taken or past 65535.
      const [port, bus] = [await freePort(), await freePort()];
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--cluster-port',
          String(bus),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '1000',
          // A replica may take over however long it was cut off (the test kills its master on purpose).
          '--cluster-replica-validity-factor',
          '0',
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxmemory-policy',
          'noeviction',
          '--daemonize',
          'no',
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ port, child });
    }
    for (const { port } of nodes) {
      await waitFor(`redis-server on ${port}`, async () => (await cli(port, 'ping')).trim() === 'PONG', 10_000);
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'],
      { timeout: 30_000 },
    );
    await waitFor(
      'cluster_state:ok on every node, every replica in sync',
      async () => {
        for (const { port } of nodes) {
          if (!(await cli(port, 'cluster', 'info')).includes('cluster_state:ok')) return false;
          const repl = await cli(port, 'info', 'replication');
          if (repl.includes('role:slave') && !repl.includes('master_link_status:up')) return false;
        }
        const view = await clusterNodes(nodes[0].port);
        return view.filter((n) => n.flags.includes('master')).length === 3 && view.length === 6;
      },
      20_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }

  const alive = () => nodes.find((n) => !killed.has(n.port))!.port;

  return {
    nodes,
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    async scan(port, pattern) {
      return (await cli(port, '--scan', '--pattern', pattern)).split('\n').filter((k) => k !== '');
    },
    async masterOf(key) {
      const slot = Number((await cli(alive(), 'cluster', 'keyslot', key)).trim());
      const owner = (await clusterNodes(alive())).find(
        (n) => n.flags.includes('master') && !n.flags.includes('fail') && slotIn(slot, n.slots),
      );
      if (!owner) throw new Error(`no master serves slot ${slot}`);
      return owner.port;
    },
    async killMasterAndAwaitFailover(port, timeoutMs = 20_000) {
      const t0 = Date.now();
      const before = await clusterNodes(alive());
      const victim = before.find((n) => n.port === port);
      if (!victim?.flags.includes('master')) throw new Error(`${port} is not a master`);
      const replicas = before.filter((n) => n.masterId === victim.id).map((n) => n.port);
      const node = nodes.find((n) => n.port === port)!;
      killed.add(port);
      const exited = new Promise((res) => node.child.once('exit', res));
      node.child.kill('SIGKILL');
      await exited;
      const newMaster = await waitFor(
        `a replica of ${port} promoted, cluster ok`,
        async () => {
          const view = await clusterNodes(alive());
          const promoted = view.find((n) => replicas.includes(n.port) && n.flags.includes('master'));
          if (!promoted) return undefined;
          for (const n of nodes) {
            if (!killed.has(n.port) && !(await cli(n.port, 'cluster', 'info')).includes('cluster_state:ok')) {
              return undefined;
            }
          }
          return promoted.port;
        },
        timeoutMs,
      );
      return { newMaster, ms: Date.now() - t0 };
    },
    stop,
  };
}
