// The normalised shape every bounce and complaint source is read into, whatever the provider wrote.

/** hard: the address is dead (suppress it); soft: a delivery problem worth recording, nothing more; complaint: marked as spam. */
export type BounceType = 'hard' | 'soft' | 'complaint';

/** Where a report came from: a provider's webhook, or support posting it by hand (`POST /api/v1/bounces`). */
export type FeedbackProvider = 'ses' | 'postmark' | 'sendgrid' | 'mailgun' | 'api';

/** The providers with a webhook at `POST /webhooks/bounces/{provider}`. */
export type WebhookProvider = Exclude<FeedbackProvider, 'api'>;

export const WEBHOOK_PROVIDERS: readonly WebhookProvider[] = ['ses', 'postmark', 'sendgrid', 'mailgun'];

/** One recipient's bounce or complaint, in our terms. */
export interface BounceReport {
  /** Trimmed, domain lower-cased; the local part is kept as written (it may be case-sensitive). */
  email: string;
  type: BounceType;
  /**
   * Our Message-ID without `<>`, when the payload carries the original message's Message-ID header (or the
   * provider's copy of it). Null when it does not: the caller then means the latest notice sent to `email`.
   */
  messageId: string | null;
  /** What the receiving side said (SMTP diagnostic, provider description), bounded in length. */
  reason: string | null;
  provider: FeedbackProvider;
  /** The provider's own id for this event (and recipient), stable across the provider's retries: the idempotency key. */
  providerEventId: string | null;
  /** ISO 8601 (UTC) time of the bounce or complaint as the provider reports it. */
  occurredAt: string | null;
}

/** Reports read from a payload. `skipped` names the items of a batch that could not be read (the rest still count). */
export interface FeedbackReports {
  kind: 'reports';
  reports: BounceReport[];
  skipped: string[];
}

/**
 * Amazon SNS asks to confirm a new HTTPS subscription. The caller confirms by a GET of `subscribeUrl`, which
 * has been checked to be `https://sns.<region>.amazonaws.com[.cn]/?Action=ConfirmSubscription…`.
 */
export interface SnsSubscriptionConfirmation {
  kind: 'subscription-confirmation';
  subscribeUrl: string;
  topicArn: string;
}

/** A readable payload that reports no bounce or complaint (a delivery, an open, an unsubscribe confirmation…). */
export interface FeedbackIgnored {
  kind: 'ignored';
  reason: string;
}

export type ParsedFeedback = FeedbackReports | SnsSubscriptionConfirmation | FeedbackIgnored;

/** Reads one provider's webhook body. Pure: no I/O, no clock; throws FeedbackParseError and nothing else. */
export interface BounceParser {
  readonly provider: WebhookProvider;
  parse(body: Buffer | string, contentType: string | undefined): ParsedFeedback;
}

/** The payload cannot be read (not JSON, wrong shape, no recipient…): answer 400 and change nothing. */
export class FeedbackParseError extends Error {
  override readonly name = 'FeedbackParseError';
}
