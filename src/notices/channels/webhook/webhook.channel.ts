// The webhook channel of the delivery machine: one signed POST per (event, customer) to the customer's endpoint.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import type { SuspensionEvent } from '../../../domain/event.types';
import { validateWebhookUrl } from '../../../domain/webhook-url';
import type { DeliveryChannel } from '../../dispatch/delivery-channel';
import { WEBHOOK_WORK, type ClaimedWebhookDelivery, type Outcome } from '../../dispatch/delivery-work.repository';
import { failedAttemptState, nextAttempt } from '../../dispatch/retry-policy';
import { NoticeRepository } from '../../notice.repository';
import { StatusLinks } from '../../status-link/status-links.service';
import { isDelivered, SafeHttpClient, type SafeHttpResult } from './safe-http.client';
import { buildWebhookPayload } from './webhook-payload';
import { signWebhook } from './webhook-signer';
import { WebhookMetrics } from './webhook.metrics';

/** The `webhook-id` of a delivery: its row id, so every retry carries the same one and a receiver can drop repeats. */
export function webhookDeliveryId(id: string): string {
  return `whd_${id}`;
}

/** How much of a receiver's answer is kept as the delivery's last reply. */
const REPLY_EXCERPT = 500;

@Injectable()
export class WebhookChannel implements DeliveryChannel<ClaimedWebhookDelivery, SuspensionEvent>, OnApplicationShutdown {
  readonly name = 'webhook';
  readonly work = WEBHOOK_WORK;
  // MAIL_RATE_PER_SECOND is the mail providers' limit; every customer's endpoint is its own receiver.
  readonly rateLimited = false;
  private readonly http: SafeHttpClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notices: NoticeRepository,
    private readonly links: StatusLinks,
    private readonly metrics: WebhookMetrics,
  ) {
    this.http = new SafeHttpClient({
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    });
  }

  onApplicationShutdown(): void {
    this.http.close();
  }

  async context(eventPk: string): Promise<SuspensionEvent | null> {
    return (await this.notices.eventPayload(eventPk))?.payload ?? null;
  }

  async settledWithoutSending(): Promise<Map<string, Outcome>> {
    return new Map();
  }

  async turn(): Promise<null> {
    return null;
  }

  /**
   * Posts to the customer's endpoint as it is now (a PUT since planning moved it, and rotated the secret). The body
   * is built from what was stored at planning, so every retry sends the same bytes, signed again with its own time.
   */
  async send(event: SuspensionEvent, d: ClaimedWebhookDelivery): Promise<Outcome> {
    const claim = { id: d.id, attempt: d.attempts };
    if (!d.endpoint_url || !d.secret) {
      this.metrics.outcome(d.kind, 'cancelled', null);
      return { ...claim, status: 'cancelled', code: null, reply: 'the customer has no webhook endpoint any more' };
    }
    // The stored URL may predate the policy (WEBHOOK_ALLOW_PRIVATE turned off): it will never be called, so fail now.
    const check = validateWebhookUrl(d.endpoint_url, { allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE });
    if (!check.ok) {
      this.metrics.outcome(d.kind, 'failed', null);
      return { ...claim, status: 'failed', code: null, reply: check.error, route: d.endpoint_url };
    }
    const started = process.hrtime.bigint();
    let result: SafeHttpResult;
    try {
      const body = JSON.stringify(
        buildWebhookPayload({
          kind: d.kind,
          caseId: event.caseId,
          eventId: event.eventId,
          occurredAt: event.occurredAt,
          customerRef: d.ref,
          suspended: d.suspended,
          added: d.added ?? [],
          removed: d.removed ?? [],
          conditions: d.kind === 'license-granted' ? event.conditions : [],
          statusUrl: this.links.customerUrl(event.caseId, d.customer_id),
        }),
      );
      result = await this.http.postJson(check.url, body, { ...signWebhook(d.secret, webhookDeliveryId(d.id), body) });
    } catch (e) {
      // A stored secret or time that cannot be signed: no retry changes that.
      this.metrics.outcome(d.kind, 'failed', null);
      return { ...claim, status: 'failed', code: null, reply: `could not build the delivery: ${(e as Error).message}` };
    }
    const reply = describe(result);
    if (isDelivered(result)) {
      this.metrics.outcome(d.kind, 'sent', result.status, started);
      return { ...claim, status: 'sent', code: result.status, reply, route: check.url };
    }
    // A non-2xx answer, a timeout, a refused address and a connection error may all pass later (SPEC §4): retried.
    const state = failedAttemptState(
      nextAttempt({
        attempt: d.attempts,
        maxAttempts: this.config.MAIL_MAX_ATTEMPTS,
        baseMs: this.config.MAIL_RETRY_BASE_MS,
        failure: 'temporary',
      }),
    );
    this.metrics.outcome(d.kind, state.status, result.status, started);
    return { ...claim, code: result.status, reply, route: check.url, ...state };
  }
}

/** The delivery's last reply: why the call failed, or the status with the start of the receiver's answer. */
function describe(r: SafeHttpResult): string {
  const excerpt = r.bodyExcerpt.slice(0, REPLY_EXCERPT).trim();
  if (r.error) return r.status === null ? r.error : `HTTP ${r.status}, then ${r.error}`;
  return excerpt ? `HTTP ${r.status}: ${excerpt}` : `HTTP ${r.status}`;
}
