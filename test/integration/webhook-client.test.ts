// Signed webhook deliveries against a real receiver on 127.0.0.1: what it verifies, how each answer maps to a result,
// and that every address the policy refuses is refused before a socket connects.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isDelivered, SafeHttpClient } from '../../src/notices/channels/webhook/safe-http.client';
import { buildWebhookPayload } from '../../src/notices/channels/webhook/webhook-payload';
import { generateWebhookSecret } from '../../src/domain/webhook-secret';
import { signWebhook } from '../../src/notices/channels/webhook/webhook-signer';

// Test-only key and self-signed certificate for 127.0.0.1 and receiver.test (2025-2125); nothing else trusts it.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg84hhwScCLu4aADSB
QN+M5F8ePwjPBuPbn5XCQdpLS/yhRANCAATqihIpnrMAPf4Yon+CW1RrR/G/+SUa
nBmzXpyu6fiJkq65plY3szuMlHVzgn1/6NdrUbp9mfulZturx7th57mS
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBxTCCAWygAwIBAgIBATAKBggqhkjOPQQDAjAvMS0wKwYDVQQDDCRpbXBhY3Qt
bm90aWNlcyB3ZWJob29rIHRlc3QgcmVjZWl2ZXIwIBcNMjUwMTAxMDAwMDAwWhgP
MjEyNTAxMDEwMDAwMDBaMC8xLTArBgNVBAMMJGltcGFjdC1ub3RpY2VzIHdlYmhv
b2sgdGVzdCByZWNlaXZlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABOqKEime
swA9/hiif4JbVGtH8b/5JRqcGbNenK7p+ImSrrmmVjezO4yUdXOCfX/o12tRun2Z
+6Vm26vHu2HnuZKjdzB1MA8GA1UdEwEB/wQFMAMBAf8wHgYDVR0RBBcwFYcEfwAA
AYINcmVjZWl2ZXIudGVzdDAOBgNVHQ8BAf8EBAMCAoQwEwYDVR0lBAwwCgYIKwYB
BQUHAwEwHQYDVR0OBBYEFAKQADiTYjB/UCqAY40ew6uZE2iKMAoGCCqGSM49BAMC
A0cAMEQCIAJ/k5uDULg1JeLuPd/yCAD1DgS6CQraUEFt4folA0+NAiAHmm2uJCJl
ng5zmFvirsoRRAazy9N44IAcl8i8evf2Gg==
-----END CERTIFICATE-----`;

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The receiver: each path answers one way. `closed` counts connections that ended, hung ones included. */
function receiverHandler(state: { requests: Received[]; closed: number; port: () => number }) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      state.requests.push({ path: req.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8') });
      res.on('close', () => state.closed++);
      switch (req.url) {
        case '/ok':
          return res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
        case '/fail':
          return res.writeHead(500).end('boom');
        case '/hang':
          return; // never answers
        case '/slow-body':
          return res.writeHead(200).write('partial'); // headers, then nothing
        case '/redirect':
          return res.writeHead(302, { location: `http://127.0.0.1:${state.port()}/redirected` }).end();
        case '/huge': {
          res.writeHead(200);
          const chunk = Buffer.alloc(64 * 1024, 'x');
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          return pump();
        }
        default:
          return res.writeHead(200).end('ok');
      }
    });
  };
}

const state = { requests: [] as Received[], closed: 0, port: (): number => (server.address() as AddressInfo).port };
const server: http.Server = http.createServer(receiverHandler(state));
const tlsState = {
  requests: [] as Received[],
  closed: 0,
  port: (): number => (tlsServer.address() as AddressInfo).port,
};
const tlsServer: https.Server = https.createServer({ key: TEST_KEY, cert: TEST_CERT }, receiverHandler(tlsState));
let base: string;
let tlsPort: number;

// This machine may only talk to 127.0.0.0/8 and ::1. Every TCP connect of this process is recorded, and one to any
// other address fails with EACCES instead of sending a packet: a safety net should a refusal below ever regress, and
// the evidence that refused addresses never reached connect().
const connects: string[] = [];
const { TCP } = (process as any).binding('tcp_wrap');
const originals = { connect: TCP.prototype.connect, connect6: TCP.prototype.connect6 };
beforeAll(async () => {
  for (const method of ['connect', 'connect6'] as const) {
    TCP.prototype[method] = function (this: unknown, req: unknown, address: string, port: number) {
      connects.push(address);
      if (!/^127\./.test(address) && address !== '::1') return -13; // UV_EACCES
      return originals[method].call(this, req, address, port);
    };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${state.port()}`;
  tlsPort = tlsState.port();
});
afterAll(async () => {
  server.closeAllConnections();
  tlsServer.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => tlsServer.close(resolve));
  Object.assign(TCP.prototype, originals);
});
beforeEach(() => {
  state.requests = [];
  tlsState.requests = [];
  connects.length = 0;
});

const secret = generateWebhookSecret();
const body = JSON.stringify(
  buildWebhookPayload({
    kind: 'suspended',
    caseId: 'export-halt-2026-11',
    eventId: 'bis-2026-11-26-001',
    occurredAt: '2026-11-26T09:00:00Z',
    customerRef: 'ACME-001',
    suspended: [{ product: 'claude-api', country: 'DE' }],
    added: [{ product: 'claude-api', country: 'DE' }],
    removed: [],
    statusUrl: 'https://notices.vendor.example/status/export-halt-2026-11/c/MTc.token',
  }),
);

/** A resolver answering from a table, asynchronously like dns.lookup; `calls` shows it was consulted. */
function fakeResolver(table: Record<string, string>) {
  const calls: string[] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    calls.push(hostname);
    setImmediate(() => {
      const address = table[hostname];
      const family = address.includes(':') ? 6 : 4;
      if (options.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    });
  };
  return { lookup, calls };
}

describe('SafeHttpClient against a local receiver (private endpoints allowed)', () => {
  const client = new SafeHttpClient({ allowPrivate: true, timeoutMs: 300 });
  afterAll(() => client.close());

  it('delivers a signed payload that the standardwebhooks package verifies', async () => {
    const headers = signWebhook(secret, 'msg_notice-41', body);
    const result = await client.postJson(`${base}/ok`, body, { ...headers });
    expect(result).toEqual({ status: 200, error: null, bodyExcerpt: 'thanks' });
    expect(isDelivered(result)).toBe(true);
    expect(connects).toEqual(['127.0.0.1']); // the connect recorder is live, so its empty lists below mean something
    const [received] = state.requests;
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.body).toBe(body);
    expect(new Webhook(secret).verify(received.body, received.headers)).toEqual(JSON.parse(body));
  });

  it('reports a 500 as a non-2xx result with the body, and a retry keeps the delivery id and verifies', async () => {
    const failed = await client.postJson(`${base}/fail`, body, { ...signWebhook(secret, 'msg_notice-42', body) });
    expect(failed).toEqual({ status: 500, error: null, bodyExcerpt: 'boom' });
    expect(isDelivered(failed)).toBe(false);
    const retried = await client.postJson(`${base}/ok`, body, { ...signWebhook(secret, 'msg_notice-42', body) });
    expect(isDelivered(retried)).toBe(true);
    expect(state.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_notice-42', 'msg_notice-42']);
    for (const r of state.requests) expect(() => new Webhook(secret).verify(r.body, r.headers)).not.toThrow();
  });

  it('gives up on a receiver that never answers at the deadline and closes the connection', async () => {
    const closedBefore = state.closed;
    const started = Date.now();
    const result = await client.postJson(`${base}/hang`, body, { ...signWebhook(secret, 'msg_hang', body) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toEqual({ status: null, error: 'timed out after 300 ms', bodyExcerpt: '' });
    await waitFor(() => state.closed > closedBefore);
  });

  it('keeps the status but reports the timeout when the body never ends', async () => {
    const result = await client.postJson(`${base}/slow-body`, body);
    expect(result).toEqual({ status: 200, error: 'timed out after 300 ms', bodyExcerpt: 'partial' });
    expect(isDelivered(result)).toBe(false);
  });

  it('does not follow a redirect: a 302 is a non-2xx result and its target is never asked', async () => {
    const result = await client.postJson(`${base}/redirect`, body);
    expect(result.status).toBe(302);
    expect(result.error).toBeNull();
    expect(isDelivered(result)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(state.requests.map((r) => r.path)).toEqual(['/redirect']);
  });

  it('reads at most 4 KB of an endless body, then closes the connection', async () => {
    const closedBefore = state.closed;
    const result = await client.postJson(`${base}/huge`, body);
    expect(result.status).toBe(200);
    expect(result.error).toBeNull();
    expect(result.bodyExcerpt).toBe('x'.repeat(4096));
    await waitFor(() => state.closed > closedBefore);
    const small = new SafeHttpClient({ allowPrivate: true, maxBodyBytes: 10 });
    expect((await small.postJson(`${base}/huge`, body)).bodyExcerpt).toBe('x'.repeat(10));
    small.close();
  });

  it('connects to the address the injected resolver gives, with the URL host in the Host header', async () => {
    const resolver = fakeResolver({ 'receiver.test': '127.0.0.1' });
    const named = new SafeHttpClient({ allowPrivate: true, lookup: resolver.lookup });
    const result = await named.postJson(`http://receiver.test:${state.port()}/ok`, body);
    named.close();
    expect(result.status).toBe(200);
    expect(resolver.calls).toEqual(['receiver.test']);
    expect(state.requests[0].headers.host).toBe(`receiver.test:${state.port()}`);
  });

  it('reports a refused connection without a status', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await client.postJson(`http://127.0.0.1:${port}/`, body);
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });
});

describe('SafeHttpClient over https', () => {
  it('verifies certificates normally: a self-signed receiver is refused', async () => {
    const client = new SafeHttpClient({ allowPrivate: true });
    const result = await client.postJson(`https://127.0.0.1:${tlsPort}/ok`, body);
    client.close();
    expect(result.status).toBeNull();
    expect(result.error).toBe('self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(tlsState.requests).toEqual([]);
  });

  it('delivers to a receiver whose CA is trusted explicitly, checking the host name', async () => {
    const resolver = fakeResolver({ 'receiver.test': '127.0.0.1', 'other.test': '127.0.0.1' });
    const client = new SafeHttpClient({ allowPrivate: true, lookup: resolver.lookup, tls: { ca: TEST_CERT } });
    const headers = signWebhook(secret, 'msg_tls', body);
    const ok = await client.postJson(`https://receiver.test:${tlsPort}/ok`, body, { ...headers });
    const wrongName = await client.postJson(`https://other.test:${tlsPort}/ok`, body, { ...headers });
    client.close();
    expect(ok).toEqual({ status: 200, error: null, bodyExcerpt: 'thanks' });
    expect(new Webhook(secret).verify(tlsState.requests[0].body, tlsState.requests[0].headers)).toEqual(
      JSON.parse(body),
    );
    expect(wrongName.status).toBeNull();
    expect(wrongName.error).toMatch(
      /^Hostname\/IP does not match certificate's altnames: .* \(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
    );
    expect(tlsState.requests).toHaveLength(1);
  });
});

describe('SafeHttpClient refusals (public endpoints only)', () => {
  const resolver = fakeResolver({
    'rebind.example': '10.0.0.5',
    'metadata.example': '169.254.169.254',
    'loopback.example': '127.0.0.1',
    'loopback6.example': '::1',
    'mapped.example': '::ffff:127.0.0.1',
  });
  const client = new SafeHttpClient({ allowPrivate: false, timeoutMs: 300, lookup: resolver.lookup });
  afterAll(() => client.close());

  it.each([
    ['ftp://127.0.0.1/hook', 'webhook URL scheme "ftp:" is not allowed; use https'],
    ['http://hooks.example.com/hook', 'webhook URL scheme "http:" is not allowed; use https'],
    ['https://127.0.0.1:{port}/ok', 'webhook URL host 127.0.0.1 is not a public address (loopback)'],
    ['https://10.0.0.1/hook', 'webhook URL host 10.0.0.1 is not a public address (private)'],
    [
      'https://169.254.169.254/latest/meta-data/',
      'webhook URL host 169.254.169.254 is not a public address (link-local)',
    ],
    ['https://[::1]:{port}/ok', 'webhook URL host [::1] is not a public address (loopback)'],
    [
      'https://[::ffff:127.0.0.1]:{port}/ok',
      'webhook URL host [::ffff:7f00:1] is not a public address (IPv4-mapped loopback)',
    ],
    ['https://localhost:{port}/ok', 'webhook URL host localhost is not a public address (loopback name)'],
    ['https://user:pw@hooks.example.com/', 'webhook URL must not contain a user name or password'],
  ])('refuses %s before any lookup or connection', async (url, error) => {
    const calls = resolver.calls.length;
    const result = await client.postJson(url.replace('{port}', String(tlsPort)), body);
    expect(result).toEqual({ status: null, error, bodyExcerpt: '' });
    expect(resolver.calls).toHaveLength(calls);
    expect(connects).toEqual([]);
    expect(tlsState.requests).toEqual([]);
  });

  it.each([
    ['rebind.example', '10.0.0.5', 'private'],
    ['metadata.example', '169.254.169.254', 'link-local'],
    ['loopback.example', '127.0.0.1', 'loopback'],
    ['loopback6.example', '::1', 'loopback'],
    ['mapped.example', '::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ])(
    'refuses %s at connect time: it resolves to %s (%s), which is never connected to',
    async (host, address, reason) => {
      const result = await client.postJson(`https://${host}:${tlsPort}/ok`, body);
      expect(result).toEqual({
        status: null,
        error: `refused to connect to ${host} (${address}): not a public address (${reason})`,
        bodyExcerpt: '',
      });
      expect(resolver.calls.at(-1)).toBe(host);
      expect(connects).toEqual([]);
      expect(tlsState.requests).toEqual([]);
    },
  );
});

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
