// Outbound webhook POSTs that cannot be pointed at our own network: checked URL, checked resolved address, bounded wait.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { BlockedAddressError, guardedLookup } from './guarded-lookup';
import { ipLiteral } from '../../../domain/public-address';
import { validateWebhookUrl } from '../../../domain/webhook-url';

export interface SafeHttpClientOptions {
  /** WEBHOOK_ALLOW_PRIVATE: http and any address allowed (tests, internal endpoints). */
  allowPrivate: boolean;
  /** One deadline for the whole exchange: DNS, connect, TLS, response headers and body. */
  timeoutMs?: number;
  /** How much of the response body is read; the connection is closed once it is reached. */
  maxBodyBytes?: number;
  /** The resolver consulted before the address check (dns.lookup by default); tests inject one. */
  lookup?: LookupFunction;
  /** Extra TLS trust for a test receiver with its own CA; production leaves it unset and verifies normally. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  userAgent?: string;
}

/**
 * `status` is the HTTP status when a response arrived (null otherwise); `error` says why the exchange did not finish
 * (refused, timed out, reset, TLS), null when it did. A delivery succeeded only with a 2xx status and no error.
 */
export interface SafeHttpResult {
  status: number | null;
  error: string | null;
  bodyExcerpt: string;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 4096;

/** True for a result a delivery can be marked sent on. */
export function isDelivered(result: SafeHttpResult): boolean {
  return result.error === null && result.status !== null && result.status >= 200 && result.status < 300;
}

/**
 * Node's http never follows redirects, and nothing here does either: a 3xx is a non-2xx answer like any other, so a
 * receiver cannot bounce us to an address the checks would have refused.
 */
export class SafeHttpClient {
  private readonly allowPrivate: boolean;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly userAgent: string;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: SafeHttpClientOptions) {
    this.allowPrivate = options.allowPrivate;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.userAgent = options.userAgent ?? 'impact-notices-webhook/1';
    const lookup = options.allowPrivate ? options.lookup : guardedLookup(options.lookup);
    // No keep-alive: deliveries go to many hosts, rarely twice in a row, and a pooled socket would outlive its check.
    this.httpAgent = new http.Agent({ keepAlive: false, lookup });
    this.httpsAgent = new https.Agent({
      keepAlive: false,
      lookup,
      ca: options.tls?.ca,
      rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
    });
  }

  /** POSTs `body` (already serialised JSON) to `url`. Never throws: every failure is a result. */
  postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<SafeHttpResult> {
    return this.call('POST', url, body, { 'content-type': 'application/json', ...headers });
  }

  /** GETs `url` under the same rules (e.g. Amazon SNS's SubscribeURL). Never throws. */
  get(url: string, headers: Record<string, string> = {}): Promise<SafeHttpResult> {
    return this.call('GET', url, null, headers);
  }

  private call(
    method: 'GET' | 'POST',
    url: string,
    body: string | null,
    headers: Record<string, string>,
  ): Promise<SafeHttpResult> {
    // Checked again at call time: the policy or the stored URL may predate this process.
    const check = validateWebhookUrl(url, { allowPrivate: this.allowPrivate });
    if (!check.ok) return Promise.resolve({ status: null, error: check.error, bodyExcerpt: '' });
    const target = new URL(check.url);
    const secure = target.protocol === 'https:';

    return new Promise((resolve) => {
      let status: number | null = null;
      let received = 0;
      const chunks: Buffer[] = [];
      let settled = false;
      let request: http.ClientRequest | undefined;
      const timer = setTimeout(() => finish(`timed out after ${this.timeoutMs} ms`), this.timeoutMs);
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // Also what stops a receiver that keeps sending: the socket goes, whatever is left unread.
        request?.destroy();
        resolve({ status, error, bodyExcerpt: Buffer.concat(chunks).toString('utf8') });
      };

      try {
        request = (secure ? https : http).request(
          {
            method,
            hostname: ipLiteral(target.hostname) ?? target.hostname,
            port: target.port === '' ? undefined : Number(target.port),
            path: `${target.pathname}${target.search}`,
            agent: secure ? this.httpsAgent : this.httpAgent,
            headers: {
              'user-agent': this.userAgent,
              ...headers,
              ...(body === null ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
            },
          },
          (response) => {
            status = response.statusCode ?? null;
            response.on('data', (chunk: Buffer) => {
              const room = this.maxBodyBytes - received;
              chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
              received += Math.min(chunk.length, room);
              if (received >= this.maxBodyBytes) finish(null);
            });
            response.on('end', () => finish(null));
            response.on('error', (err) => finish(describe(err)));
            response.on('close', () =>
              finish(response.complete ? null : 'connection closed before the response ended'),
            );
          },
        );
      } catch (err) {
        // Synchronous refusals by Node itself, e.g. a header value holding CR/LF.
        finish(describe(err));
        return;
      }
      request.on('error', (err) => finish(describe(err)));
      request.end(body ?? undefined);
    });
  }

  /** Closes any socket still open (none after a settled call; for shutdown and tests). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

// Duck-typed, not instanceof Error: errors from Node's core may come from another realm (a vm context, Jest).
function describe(err: unknown): string {
  if (err instanceof BlockedAddressError) return err.message;
  const { message, code } = (typeof err === 'object' && err !== null ? err : {}) as {
    message?: unknown;
    code?: unknown;
  };
  if (typeof message !== 'string') return String(err);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
