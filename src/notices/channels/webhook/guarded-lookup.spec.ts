import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { BlockedAddressError, guardedLookup } from './guarded-lookup';

/** A resolver answering from a table, asynchronously like dns.lookup. */
function fakeResolver(table: Record<string, string[]>): LookupFunction {
  return (hostname, options, callback) => {
    setImmediate(() => {
      const addresses = table[hostname];
      if (!addresses) {
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        return;
      }
      const answers = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      if (options.all) callback(null, answers);
      else callback(null, answers[0].address, answers[0].family);
    });
  };
}

function lookup(fn: LookupFunction, hostname: string, options: LookupOptions) {
  return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>(
    (resolve) => fn(hostname, options, (err, address, family) => resolve({ err, address, family })),
  );
}

const resolver = fakeResolver({
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example': ['10.0.0.5'],
  'metadata.example': ['169.254.169.254'],
  'mixed.example': ['93.184.215.14', '127.0.0.1'],
  'mapped.example': ['::ffff:192.168.1.1'],
  localhost: ['127.0.0.1', '::1'],
});
const guarded = guardedLookup(resolver);

describe('guardedLookup', () => {
  it('passes public answers through unchanged, single and all', async () => {
    expect(await lookup(guarded, 'hooks.example.com', {})).toEqual({ err: null, address: '93.184.215.14', family: 4 });
    const all = await lookup(guarded, 'hooks.example.com', { all: true });
    expect(all.err).toBeNull();
    expect(all.address).toHaveLength(2);
  });

  it.each([
    ['rebind.example', '10.0.0.5', 'private'],
    ['metadata.example', '169.254.169.254', 'link-local'],
    ['localhost', '127.0.0.1', 'loopback'],
    ['mapped.example', '::ffff:192.168.1.1', 'IPv4-mapped private'],
  ])('refuses %s resolving to %s (%s)', async (hostname, address, reason) => {
    for (const options of [{}, { all: true }]) {
      const { err } = await lookup(guarded, hostname, options);
      expect(err).toBeInstanceOf(BlockedAddressError);
      expect(err).toMatchObject({ code: 'EBLOCKEDADDRESS', hostname, address, reason });
      expect(err?.message).toBe(`refused to connect to ${hostname} (${address}): not a public address (${reason})`);
    }
  });

  it('refuses the whole answer when any address in it is not public', async () => {
    const { err } = await lookup(guarded, 'mixed.example', { all: true });
    expect(err).toMatchObject({ code: 'EBLOCKEDADDRESS', address: '127.0.0.1' });
  });

  it('asks the resolver again on every lookup, so a changed answer is seen', async () => {
    let answer = '93.184.215.14';
    const flipping: LookupFunction = (_hostname, _options, callback) => setImmediate(() => callback(null, answer, 4));
    const fn = guardedLookup(flipping);
    expect((await lookup(fn, 'flip.example', {})).err).toBeNull();
    answer = '127.0.0.1';
    expect((await lookup(fn, 'flip.example', {})).err).toBeInstanceOf(BlockedAddressError);
  });

  it('passes resolver errors through', async () => {
    expect((await lookup(guarded, 'nowhere.example', {})).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
