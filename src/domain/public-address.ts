// Which IP addresses a webhook may reach: one rule shared by the URL check (when set) and the connect-time check.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

// ipaddr.js range names as a reader of an error message understands them.
const RANGE_LABELS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  reserved: 'reserved',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'site-local',
  discard: 'discard-only',
  benchmarking: 'benchmarking',
  rfc6145: 'IPv4-translated',
  rfc6052: 'NAT64',
  '6to4': '6to4',
  teredo: 'Teredo',
  segmentRouting: 'segment-routing',
  as112: 'AS112 anycast',
  as112v6: 'AS112 anycast',
  amt: 'AMT relay',
};

// IPv6 global unicast lives in 2000::/3; everything else (::/8 with its IPv4-compatible forms, 5f00::/16 ...) is not a
// public destination even where ipaddr.js has no name for it.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Why `address` (an IP literal, without brackets) is not a public unicast address, e.g. "loopback" or
 * "IPv4-mapped private"; null when it is public. Default-deny: only ipaddr.js's `unicast` range passes, so a range
 * the library learns later is refused, never silently allowed. Anything that is not an IP literal is refused too.
 */
export function nonPublicReason(address: string): string | null {
  if (isIP(address) === 0) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::ffff:a.b.c.d reaches a.b.c.d over a dual-stack socket, so the embedded IPv4 address decides.
    if (v6.isIPv4MappedAddress()) {
      const inner = nonPublicReason(v6.toIPv4Address().toString());
      return inner === null ? null : `IPv4-mapped ${inner}`;
    }
    const range = v6.range();
    if (range !== 'unicast') return RANGE_LABELS[range] ?? range;
    return v6.match(GLOBAL_UNICAST_V6) ? null : 'reserved';
  }
  const range = (parsed as ipaddr.IPv4).range();
  return range === 'unicast' ? null : (RANGE_LABELS[range] ?? range);
}

/** A URL hostname as an IP literal without brackets (`[::1]` → `::1`), or null when it is a name. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? null : bare;
}
