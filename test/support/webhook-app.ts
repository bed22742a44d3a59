// The app of a webhook test file, with an SMTP sink, a verifying webhook receiver and helpers to set endpoints,
// publish events and read deliveries.
import { api, startTestApp, type ApiResponse, type TestApp } from './app';
import { BASE_EVENT, waitForEvent } from './events';
import { withPg } from './registry-fixture';
import { waitFor } from './service-process';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

export interface WebhookTestApp {
  t: TestApp;
  sink: SmtpSink;
  hooks: WebhookReceiver;
  /** A support user's token. */
  support: string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<ApiResponse>;
  /** PUTs the customer's endpoint to the receiver's `path` and tells the receiver its secret. */
  setHook(ref: string, path: string): Promise<{ url: string; secret: string }>;
  /** An auto-dispatched event of `caseId` on BASE_EVENT. */
  event(eventId: string, caseId: string, type: string, extra?: Record<string, unknown>): Record<string, unknown>;
  until(eventId: string, status: string): Promise<any>;
  /** POSTs the event and waits for it to reach `status`; answers its API view. */
  publish(e: Record<string, unknown>, status?: string): Promise<any>;
  /** The customer's delivery rows with their event ids, oldest first. */
  deliveries(ref: string): Promise<any[]>;
  close(): Promise<void>;
}

/** Deliveries to loopback need WEBHOOK_ALLOW_PRIVATE; retries and the reconciler are fast; calls time out at 500 ms. */
export async function startWebhookTestApp(label: string, env: Record<string, string> = {}): Promise<WebhookTestApp> {
  const sink = await startSmtpSink();
  const hooks = await startWebhookReceiver();
  const t = await startTestApp(label, {
    env: {
      SMTP_URL: sink.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '500',
      MAIL_RETRY_BASE_MS: '100',
      MAIL_MAX_ATTEMPTS: '3',
      RECONCILE_INTERVAL_MS: '200',
      ...env,
    },
  });
  const support = (await t.userWithToken('support')).token;
  const call = (method: string, path: string, body?: unknown, token = support) =>
    api(t.url, method, path, { token, body });
  const until = (eventId: string, status: string) =>
    waitFor(
      `${eventId} ${status}`,
      async () => {
        const res = await call('GET', `/api/v1/events/${eventId}`);
        return res.body.status === status ? res.body : undefined;
      },
      30_000,
    );
  return {
    t,
    sink,
    hooks,
    support,
    call,
    until,
    async setHook(ref, path) {
      const res = await call('PUT', `/api/v1/customers/${ref}/webhook`, { url: `${hooks.url}${path}` });
      if (res.status !== 200) throw new Error(`PUT webhook of ${ref}: ${res.status} ${JSON.stringify(res.body)}`);
      hooks.secrets.set(path, res.body.secret);
      return res.body;
    },
    event: (eventId, caseId, type, extra = {}) => ({
      ...BASE_EVENT,
      eventId,
      caseId,
      type,
      dispatch: 'auto',
      ...extra,
    }),
    async publish(e, status = 'completed') {
      const res = await call('POST', '/api/v1/events', e);
      if (res.status !== 202) throw new Error(`POST event: ${res.status} ${JSON.stringify(res.body)}`);
      await waitForEvent(t.url, support, String(e.eventId));
      return until(String(e.eventId), status);
    },
    deliveries: (ref) =>
      withPg(t.env.db.url, async (c) => {
        const r = await c.query(
          `SELECT e.event_id, d.* FROM webhook_deliveries d JOIN events e ON e.id = d.event_pk
             JOIN customers cu ON cu.id = d.customer_id WHERE cu.ref = $1 ORDER BY d.id`,
          [ref],
        );
        return r.rows;
      }),
    async close() {
      await t.close();
      await sink.close();
      await hooks.close();
    },
  };
}
