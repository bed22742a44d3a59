// The JSON body a customer's webhook receives for each notice kind it is told (SPEC §4 "Webhooks").
import type { CustomerNoticeKind } from '../../../domain/notice.types';

/**
 * One product in one destination country. Declared here rather than borrowed from the registry: this is a public
 * wire contract, and a change to an internal type must not change what customers' systems receive.
 */
export interface WebhookSubscription {
  product: string;
  country: string;
}

export type WebhookEventType = `notice.${CustomerNoticeKind}`;

export interface WebhookPayload {
  type: WebhookEventType;
  caseId: string;
  eventId: string;
  /** ISO 8601 UTC, when the event happened (not when it was delivered). */
  occurredAt: string;
  customer: { ref: string };
  /** What stays suspended for this customer in the case after this event. */
  suspended: WebhookSubscription[];
  /** Newly suspended by this event. */
  added: WebhookSubscription[];
  /** No longer suspended after this event. */
  removed: WebhookSubscription[];
  /** A licence's conditions (license-granted); empty otherwise. */
  conditions: string[];
  /** The customer's own status page for the case. */
  statusUrl: string;
}

export interface WebhookPayloadInput {
  kind: CustomerNoticeKind;
  caseId: string;
  eventId: string;
  occurredAt: Date | string;
  customerRef: string;
  suspended: readonly WebhookSubscription[];
  added: readonly WebhookSubscription[];
  removed: readonly WebhookSubscription[];
  conditions?: readonly string[];
  statusUrl: string;
}

/**
 * Builds the payload from plain values. Lists are copied to exactly `{product, country}` and sorted, so extra fields
 * on the inputs never leak out and the same delivery serialises to the same body on every retry.
 */
export function buildWebhookPayload(input: WebhookPayloadInput): WebhookPayload {
  return {
    type: `notice.${input.kind}`,
    caseId: input.caseId,
    eventId: input.eventId,
    occurredAt: isoTime(input.occurredAt),
    customer: { ref: input.customerRef },
    suspended: subscriptions(input.suspended),
    added: subscriptions(input.added),
    removed: subscriptions(input.removed),
    conditions: [...(input.conditions ?? [])],
    statusUrl: input.statusUrl,
  };
}

function subscriptions(list: readonly WebhookSubscription[]): WebhookSubscription[] {
  return list
    .map(({ product, country }) => ({ product, country }))
    .sort((a, b) => compare(a.product, b.product) || compare(a.country, b.country));
}

// Code-unit order, not locale order: the body must not depend on the server's locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isoTime(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`occurredAt is not a valid time: ${String(value)}`);
  return date.toISOString();
}
