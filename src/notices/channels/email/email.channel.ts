// The mail channel of the delivery machine: renders a claimed notice and hands it to the pooled SMTP transport.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import type { DeliveryChannel } from '../../dispatch/delivery-channel';
import { NOTICE_WORK, type Outcome } from '../../dispatch/delivery-work.repository';
import { NoticeMetrics } from '../../dispatch/notice.metrics';
import { failedAttemptState, failureKind, nextAttempt } from '../../dispatch/retry-policy';
import { FeedbackRepository } from '../../feedback/feedback.repository';
import { NoticeRepository, type ClaimedNotice } from '../../notice.repository';
import { renderInput, statusUrl, type EventContext } from '../../rendering/notice-input.factory';
import { NoticeRenderer, TemplateRenderError } from '../../rendering/notice-renderer.service';
import { StatusLinks } from '../../status-link/status-links.service';
import { buildMailMessage } from './mail-message.builder';
import { MailTransportService } from './mail-transport.service';

/**
 * A process-wide queue of one: an account manager's digest lists every affected account of theirs (thousands in
 * a large registry), so its view, HTML, text and encoded message run to tens of MB. The digests come last in a
 * dispatch and land in the same batches; built side by side in every lane they ran a worker out of heap.
 */
class Turnstile {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves, once it is the caller's turn, with the function that ends the turn. */
  enter(): Promise<() => void> {
    let leave!: () => void;
    const turn = new Promise<void>((r) => (leave = r));
    const entered = this.tail.then(() => leave);
    this.tail = this.tail.then(() => turn);
    return entered;
  }
}

type ClaimedMail = ClaimedNotice & { kind: string };

@Injectable()
export class EmailChannel implements DeliveryChannel<ClaimedMail, EventContext> {
  readonly name = 'email';
  readonly work = NOTICE_WORK;
  readonly rateLimited = true;
  /** One digest built and sent at a time in this process, whatever the pump or lane. */
  private readonly digests = new Turnstile();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notices: NoticeRepository,
    private readonly renderer: NoticeRenderer,
    private readonly transport: MailTransportService,
    private readonly metrics: NoticeMetrics,
    private readonly feedback: FeedbackRepository,
    private readonly links: StatusLinks,
  ) {}

  async context(eventPk: string): Promise<EventContext | null> {
    const row = await this.notices.eventPayload(eventPk);
    if (!row) return null;
    return {
      eventPk,
      event: row.payload,
      products: await this.notices.products(),
      statusUrl: statusUrl(this.config.PUBLIC_BASE_URL, row.payload.caseId),
      publicBaseUrl: this.config.PUBLIC_BASE_URL,
    };
  }

  /** Addresses on the suppression list are never mailed: their notices end `suppressed` before any send. */
  async settledWithoutSending(batch: readonly ClaimedMail[]): Promise<Map<string, Outcome>> {
    const suppressed = await this.feedback.suppressedAmong(batch.map((n) => n.email));
    const settled = new Map<string, Outcome>();
    for (const n of batch) {
      if (!suppressed.has(n.email.toLowerCase())) continue;
      settled.set(n.id, {
        id: n.id,
        attempt: n.attempts,
        status: 'suppressed',
        code: null,
        reply: 'address on the suppression list',
      });
      this.metrics.outcome(n.kind, 'suppressed', null);
    }
    return settled;
  }

  turn(n: ClaimedMail): Promise<(() => void) | null> {
    return n.kind === 'am-digest' ? this.digests.enter() : Promise.resolve(null);
  }

  async send(ctx: EventContext, n: ClaimedMail): Promise<Outcome> {
    const started = process.hrtime.bigint();
    let message;
    try {
      const digest =
        n.kind === 'am-digest' ? await this.notices.digestAccounts(ctx.eventPk, n.digest_for ?? n.email) : null;
      // A customer's notices link to its own status page for the case; digests to the public case page.
      const link =
        n.customer_id && !n.is_test ? this.links.customerUrl(ctx.event.caseId, n.customer_id, n.locale) : ctx.statusUrl;
      const input = renderInput(link === ctx.statusUrl ? ctx : { ...ctx, statusUrl: link }, n, digest);
      message = buildMailMessage(input, this.renderer.render(input), this.config);
    } catch (e) {
      const reason =
        e instanceof TemplateRenderError ? e.message : `could not build the message: ${(e as Error).message}`;
      this.metrics.outcome(n.kind, 'failed', null);
      return { id: n.id, attempt: n.attempts, status: 'failed', code: null, reply: reason };
    }
    try {
      const res = await this.transport.send(message);
      this.metrics.outcome(n.kind, 'sent', res.code, started);
      return {
        id: n.id,
        attempt: n.attempts,
        status: 'sent',
        code: res.code,
        reply: res.response,
        route: res.provider,
      };
    } catch (e) {
      return this.failure(n, e, started);
    }
  }

  private failure(n: ClaimedMail, e: unknown, started: bigint): Outcome {
    const raw =
      (e as { code?: unknown; responseCode?: unknown }).code ?? (e as { responseCode?: unknown }).responseCode;
    const code = typeof raw === 'number' ? raw : null;
    const reply = (e as { response?: string }).response ?? (e as Error).message ?? String(e);
    const provider = (e as { provider?: unknown }).provider;
    const route = typeof provider === 'string' ? provider : null;
    const state = failedAttemptState(
      nextAttempt({
        attempt: n.attempts,
        maxAttempts: this.config.MAIL_MAX_ATTEMPTS,
        baseMs: this.config.MAIL_RETRY_BASE_MS,
        failure: failureKind(e),
      }),
    );
    this.metrics.outcome(n.kind, state.status, code, started);
    return { id: n.id, attempt: n.attempts, code, reply, route, ...state };
  }
}
