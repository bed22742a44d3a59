// REDIS_CLUSTER_NODES (`host:port,host:port,…`) and the rule a key prefix must follow on a Redis Cluster.

export interface RedisClusterNode {
  host: string;
  port: number;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)$/;

function parseEntry(raw: string, index: number): RedisClusterNode | string {
  const at = `entry ${index + 1} (${JSON.stringify(raw)})`;
  if (raw === '') return `${at} is empty`;
  // [v6::addr]:port, or host:port with exactly one colon.
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(raw) ?? /^([^:[\]]+):(\d+)$/.exec(raw);
  if (!m) return `${at} is not host:port`;
  const [, host, portText] = m;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `${at} has a port outside 1-65535`;
  if (!raw.startsWith('[') && !HOST.test(host)) return `${at} has an invalid host name`;
  return { host, port };
}

/** Parses `host:port,host:port,…` (spaces around entries allowed); every bad entry is reported, by position and value. */
export function parseClusterNodes(value: string): { nodes: RedisClusterNode[]; problems: string[] } {
  const nodes: RedisClusterNode[] = [];
  const problems: string[] = [];
  value.split(',').forEach((entry, i) => {
    const r = parseEntry(entry.trim(), i);
    if (typeof r === 'string') problems.push(r);
    else nodes.push(r);
  });
  return { nodes, problems };
}

/**
 * The hash tag Redis Cluster would hash every key under `prefix` by: the text between the first `{` and the first
 * `}` after it, when not empty (Redis' own rule). Null: keys under this prefix spread over slots, so BullMQ's
 * multi-key scripts would fail with CROSSSLOT.
 */
export function hashTagOf(prefix: string): string | null {
  const open = prefix.indexOf('{');
  if (open < 0) return null;
  const close = prefix.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return null;
  return prefix.slice(open + 1, close);
}
