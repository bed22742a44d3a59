// A DNS lookup for http(s) Agents that refuses non-public answers, so the address checked is the address connected to.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { nonPublicReason } from '../../../domain/public-address';

/** A connection refused before it was opened because the host name resolved to a non-public address. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'EBLOCKEDADDRESS';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`refused to connect to ${hostname} (${address}): not a public address (${reason})`);
  }
}

/**
 * Wraps `resolve` (dns.lookup by default) so every answer is checked before Node connects to it. Node's net module
 * connects only to the addresses this callback hands back, so a name that resolves to a public address when the URL
 * is set and to 169.254.169.254 later (DNS rebinding) is refused at connect time, before any packet is sent. With
 * `all` (Node's happy-eyeballs path) one non-public answer refuses the whole lookup rather than quietly dropping it.
 */
export function guardedLookup(resolve: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const answers: LookupAddress[] = typeof address === 'string' ? [{ address, family: family ?? 0 }] : address;
      for (const answer of answers) {
        const reason = nonPublicReason(answer.address);
        if (reason !== null) return callback(new BlockedAddressError(hostname, answer.address, reason), '', family);
      }
      callback(null, address, family);
    });
  };
}
