// Builds a template's input from a claimed notice row and the event, without any live registry read per mail.
import type { SuspensionEvent } from '../../domain/event.types';
import type { ClaimedNotice, DigestData } from '../notice.repository';
import type { NoticeRenderInput } from '../../domain/notice.types';

export interface EventContext {
  eventPk: string;
  event: SuspensionEvent;
  products: NoticeRenderInput['products'];
  statusUrl: string;
  /** PUBLIC_BASE_URL: digests link to the account manager's affected-customer page. */
  publicBaseUrl?: string;
}

export function statusUrl(publicBaseUrl: string, caseId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/status/${encodeURIComponent(caseId)}`;
}

export function renderInput(ctx: EventContext, n: ClaimedNotice, digest: DigestData | null): NoticeRenderInput {
  const e = ctx.event;
  return {
    noticeId: String(n.id),
    kind: n.kind,
    tier: n.kind === 'am-digest' ? null : n.tier,
    locale: n.locale,
    isTest: n.is_test,
    recipient: { email: n.email, name: n.name },
    customer:
      n.kind === 'am-digest' || !n.ref
        ? null
        : {
            ref: n.ref,
            name: n.customer_name ?? '',
            tier: n.tier ?? 'developer',
            country: n.country ?? '',
            accountManager: n.am_email ? { email: n.am_email, name: n.am_name ?? '' } : null,
          },
    event: {
      eventId: e.eventId,
      caseId: e.caseId,
      type: e.type,
      title: e.title,
      summary: e.summary,
      authority: e.authority,
      occurredAt: e.occurredAt,
      effectiveAt: e.effectiveAt,
      conditions: e.conditions,
    },
    affected: n.affected ?? [],
    // A `suspended` row keeps no copy of its affected subscriptions as added (SuspendedSetRepository.suspendMatched).
    added: n.added ?? n.affected ?? [],
    removed: n.removed ?? [],
    products: ctx.products,
    digest: digest
      ? digest.accounts.map((d) => ({
          ref: d.ref,
          name: d.name,
          tier: d.tier,
          country: d.country,
          accountManager: d.am_email ? { email: d.am_email, name: d.am_name ?? '' } : null,
          kind: d.kind,
          affected: d.affected.length ? d.affected : d.removed,
        }))
      : null,
    digestSummary: digest
      ? {
          total: digest.total,
          byKind: digest.byKind,
          byProduct: digest.byProduct,
          byCountry: digest.byCountry,
          listUrl: affectedUrl(ctx, n.digest_for ?? n.email),
        }
      : null,
    statusUrl: ctx.statusUrl,
  };
}

/** The console's list of the event's customers of one account manager. */
function affectedUrl(ctx: EventContext, amEmail: string): string {
  const base = (ctx.publicBaseUrl ?? new URL(ctx.statusUrl).origin).replace(/\/+$/, '');
  return `${base}/events/${encodeURIComponent(ctx.event.eventId)}/affected?accountManager=${encodeURIComponent(amEmail)}`;
}
