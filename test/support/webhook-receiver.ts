// An in-process webhook receiver on 127.0.0.1 that verifies every delivery with standardwebhooks, as a customer would,
// and a recorder of this process's TCP connects that refuses any address but loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedHook {
  path: string;
  id: string;
  headers: Record<string, string>;
  body: string;
  /** The parsed payload when `Webhook#verify` passed under the path's secret, else null. */
  verified: unknown;
  verifyError: string | null;
  /** What the receiver answered: a status, or `hang` (it never answered). */
  answer: number | 'hang';
}

/** How a path answers the n-th call (from 1) carrying one webhook-id. */
export type Answer = (
  nth: number,
  hook: Omit<ReceivedHook, 'answer'>,
) => number | 'hang' | { status: number; headers: Record<string, string> };

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** The secret a path's deliveries are verified with (set it once PUT has answered). */
  secrets: Map<string, string>;
  /** Each path's behaviour; a path without one answers 200. */
  answers: Map<string, Answer>;
  /** The deliveries the receiver accepted (answered 2xx and verified), for `path`. */
  accepted(path: string): ReceivedHook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const secrets = new Map<string, string>();
  const answers = new Map<string, Answer>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const id = headers['webhook-id'] ?? '';
      let verified: unknown = null;
      let verifyError: string | null = null;
      try {
        verified = new Webhook(secrets.get(path) ?? 'whsec_bm90IHNldA==').verify(body, headers);
      } catch (e) {
        verifyError = (e as Error).message;
      }
      const nth = received.filter((r) => r.path === path && r.id === id).length + 1;
      const hook = { path, id, headers, body, verified, verifyError };
      const a = (answers.get(path) ?? (() => 200))(nth, hook);
      received.push({ ...hook, answer: typeof a === 'object' ? a.status : a });
      if (a === 'hang') return;
      if (typeof a === 'object') return res.writeHead(a.status, a.headers).end();
      res.writeHead(a, { 'content-type': 'text/plain' }).end(a < 300 ? 'thanks' : 'try again later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    secrets,
    answers,
    accepted: (path) =>
      received.filter((r) => r.path === path && typeof r.answer === 'number' && r.answer < 300 && r.verified),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Records every TCP connect of this process; one to an address other than loopback fails with EACCES before any
 * packet is sent. The evidence that a refused webhook target was never connected to.
 */
export function guardConnects(): { connects: string[]; restore(): void } {
  const connects: string[] = [];
  const { TCP } = (process as any).binding('tcp_wrap');
  const originals = { connect: TCP.prototype.connect, connect6: TCP.prototype.connect6 };
  for (const method of ['connect', 'connect6'] as const) {
    TCP.prototype[method] = function (this: unknown, req: unknown, address: string, port: number) {
      connects.push(address);
      if (!/^127\./.test(address) && address !== '::1') return -13; // UV_EACCES
      return originals[method].call(this, req, address, port);
    };
  }
  return { connects, restore: () => Object.assign(TCP.prototype, originals) };
}

/** A web session for the pages: the login form's CSRF token and cookie, then the session cookie. */
export async function webLogin(base: string, token: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const cookies = form.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') },
    body: new URLSearchParams({ token, _csrf: csrf, next: '/' }).toString(),
  });
  if (res.status !== 303) throw new Error(`web login failed: ${res.status}`);
  return [...cookies, ...res.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
}
