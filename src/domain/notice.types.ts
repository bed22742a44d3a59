// Notice vocabulary and the data a notice template renders (SPEC §4), declared once.
import type { EventType } from './event.types';
import type { AccountManager, ProductCategory, SubscriptionRef, Tier } from './registry.types';

export const CUSTOMER_NOTICE_KINDS = ['suspended', 'updated', 'restored', 'license-granted', 'license-denied'] as const;
export type CustomerNoticeKind = (typeof CUSTOMER_NOTICE_KINDS)[number];
export const NOTICE_KINDS = [...CUSTOMER_NOTICE_KINDS, 'am-digest'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const DELIVERY_STATUSES = [
  'pending',
  'sending',
  'sent',
  'retrying',
  'failed',
  'cancelled',
  // After sending, from bounce and complaint reports; and never sent, to an address on the suppression list.
  'bounced',
  'complained',
  'suppressed',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** A webhook delivery's states: a mail's without what only mail has (bounces, complaints, the suppression list). */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'retrying', 'failed', 'cancelled'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const FINAL_DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'sent',
  'failed',
  'cancelled',
  'bounced',
  'complained',
  'suppressed',
];

export interface RenderEvent {
  eventId: string;
  caseId: string;
  type: EventType;
  title: string;
  summary: string;
  authority: string | null;
  occurredAt: string;
  effectiveAt: string;
  conditions: string[];
}

export interface RenderCustomer {
  ref: string;
  name: string;
  tier: Tier;
  country: string;
  accountManager: AccountManager | null;
}

/** One account in an account manager's digest. */
export interface DigestAccount extends RenderCustomer {
  kind: CustomerNoticeKind;
  affected: SubscriptionRef[];
}

export interface DigestSummary {
  total: number;
  byKind: { key: CustomerNoticeKind; n: number }[];
  byProduct: { key: string; n: number }[];
  byCountry: { key: string; n: number }[];
  /** The account manager's affected-customer page in the console. */
  listUrl: string;
}

/** Everything a template may show; built from stored rows, never from live registry reads at send time. */
export interface NoticeRenderInput {
  noticeId: string;
  kind: NoticeKind;
  /** null for the account-manager digest */
  tier: Tier | null;
  /** The contact's locale as stored (BCP 47); the renderer falls back pt-BR → pt → en. */
  locale: string;
  isTest: boolean;
  recipient: { email: string; name: string };
  /** null for the digest */
  customer: RenderCustomer | null;
  event: RenderEvent;
  /** Subscriptions the notice is about: suspended now (suspended, updated, license-granted: what stays suspended), denied (license-denied). */
  affected: SubscriptionRef[];
  /** Newly suspended since the last notice (updated). */
  added: SubscriptionRef[];
  /** No longer suspended (updated, restored, license-granted). */
  removed: SubscriptionRef[];
  /** Names and categories of every product code mentioned. */
  products: Record<string, { name: string; category: ProductCategory }>;
  /** The digest's most affected accounts, most first (am-digest only). */
  digest: DigestAccount[] | null;
  /** The digest's totals over all the account manager's affected accounts, and their full list's page (am-digest only). */
  digestSummary?: DigestSummary | null;
  /** The case's public status page. */
  statusUrl: string;
}

export interface RenderedNotice {
  subject: string;
  html: string;
  text: string;
  /** The template locale actually used after fallback. */
  locale: string;
}
