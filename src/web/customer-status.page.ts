// The view model of a customer's own status page: names, countries and times in the page's language.
import type { CustomerStatus } from '../events/customer-status/customer-status.service';
import type { SubscriptionRef } from '../domain/registry.types';
import { canonicalLocale } from '../notices/rendering/notice-renderer.locale';

const KIND_TEXT: Record<string, string> = {
  suspended: 'Suspended for you',
  updated: 'The suspension changed for you',
  restored: 'Access restored for you',
  'license-granted': 'Licence granted for you',
  'license-denied': 'Licence denied for you',
};

const TYPE_TEXT: Record<string, string> = {
  'suspension.issued': 'Suspension issued',
  'suspension.updated': 'Suspension updated',
  'license.granted': 'Licence granted',
  'license.denied': 'Licence denied',
  'suspension.lifted': 'Suspension lifted',
};

export function customerStatusPage(status: CustomerStatus, requested: string, now = new Date()) {
  const locale = canonicalLocale(requested) ?? 'en';
  const regions = new Intl.DisplayNames([locale, 'en'], { type: 'region', fallback: 'code' });
  const dates = new Intl.DateTimeFormat([locale, 'en'], {
    dateStyle: 'long',
    // 'long' time includes the zone (UTC): dateStyle cannot be combined with timeZoneName.
    timeStyle: 'long',
    timeZone: 'UTC',
  });
  const time = (iso: string | Date) => dates.format(new Date(iso));
  const subs = (list: SubscriptionRef[]) =>
    list.map((s) => {
      const p = status.products[s.product];
      return {
        product: p?.name ?? s.product,
        code: s.product,
        category: p?.category ?? '',
        country: regions.of(s.country) ?? s.country,
        countryCode: s.country,
      };
    });
  const lifted = [...status.events].reverse().find((e) => e.type === 'suspension.lifted');
  const liftsLater = !!lifted && new Date(lifted.effectiveAt) > now;
  // Until a lifting takes effect, what it restores is still blocked.
  const suspendedNow = subs(liftsLater ? lifted!.removed : status.json.suspended);
  return {
    title: status.case.title,
    lang: locale,
    customer: { name: status.customer.name, ref: status.customer.ref },
    suspendedNow,
    noneSuspended: suspendedNow.length === 0,
    liftsOn: liftsLater ? time(lifted!.effectiveAt) : null,
    liftedOn: lifted && !liftsLater ? time(lifted.effectiveAt) : null,
    events: status.events
      .map((e) => ({
        typeLabel: TYPE_TEXT[e.type] ?? e.type,
        title: e.title,
        summary: e.summary,
        authority: e.authority,
        effectiveAt: time(e.effectiveAt),
        occurredAt: time(e.occurredAt),
        future: new Date(e.effectiveAt) > now,
        conditions: e.conditions,
        told: e.kind !== null,
        kindText: e.kind ? KIND_TEXT[e.kind] : 'Nothing of yours changed',
        added: subs(e.added),
        removed: subs(e.removed),
        denied: e.kind === 'license-denied' ? subs(e.affected) : [],
      }))
      .reverse(),
  };
}
