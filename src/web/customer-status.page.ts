// The view model of a customer's own status page: every sentence from the message catalogue, names, countries and
// times in the page's language (the contact's, or ?lang=).
import type { SubscriptionRef } from '../domain/registry.types';
import type { CustomerStatus } from '../events/customer-status/customer-status.service';
import type { NoticeRenderer } from '../notices/rendering/notice-renderer.service';

export function customerStatusPage(
  status: CustomerStatus,
  requested: string,
  renderer: NoticeRenderer,
  now = new Date(),
) {
  const m = renderer.messagesFor(requested);
  const t = m.text;
  const regions = new Intl.DisplayNames([m.locale, 'en'], { type: 'region', fallback: 'code' });
  // 'long' time includes the zone (UTC): dateStyle cannot be combined with timeZoneName.
  const dates = new Intl.DateTimeFormat([m.locale, 'en'], { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' });
  const time = (iso: string | Date) => dates.format(new Date(iso));
  const subs = (list: SubscriptionRef[]) =>
    list.map((s) => {
      const p = status.products[s.product];
      const category = p ? t(`category.${p.category}`) : '';
      return { product: p?.name ?? s.product, code: s.product, category, country: regions.of(s.country) ?? s.country };
    });
  const lifted = [...status.events].reverse().find((e) => e.type === 'suspension.lifted');
  const liftsLater = !!lifted && new Date(lifted.effectiveAt) > now;
  // Until a lifting takes effect, what it restores is still blocked.
  const suspendedNow = subs(liftsLater ? lifted!.removed : status.json.suspended);
  const customer = status.customer.name;
  return {
    title: status.case.title,
    lang: m.locale,
    dir: m.dir,
    text: {
      eyebrow: t('page.eyebrow', { customer }),
      footer: t('page.footer', { customer }),
      customerLine: t('page.customerLine', { customer, ref: status.customer.ref }),
      suspendedNow: t('page.suspendedNow'),
      noneSuspended: t('page.noneSuspended'),
      timeline: t('page.timeline'),
      product: t('page.col.product'),
      category: t('page.col.category'),
      destination: t('page.col.destination'),
      conditions: t('page.conditions'),
      language: t('page.language'),
    },
    languages: renderer.shippedLocales.map((l) => ({
      ...l,
      href: `?lang=${encodeURIComponent(l.locale)}`,
      current: l.locale === m.locale,
    })),
    suspendedNow,
    noneSuspended: suspendedNow.length === 0,
    liftsOn: liftsLater ? t('page.liftsOn', { date: time(lifted!.effectiveAt) }) : null,
    liftedOn: lifted && !liftsLater ? t('page.liftedOn', { date: time(lifted.effectiveAt) }) : null,
    events: status.events
      .map((e) => {
        const future = new Date(e.effectiveAt) > now;
        const denied = e.kind === 'license-denied' ? subs(e.affected) : [];
        return {
          typeLabel: t(`page.type.${e.type}`),
          title: e.title,
          summary: e.summary,
          authority: e.authority ? t('page.issuedBy', { authority: e.authority }) : null,
          effective: t(future ? 'page.takesEffect' : 'page.effective', { date: time(e.effectiveAt) }),
          announced: t('page.announced', { date: time(e.occurredAt) }),
          conditions: e.conditions,
          kindText: t(`page.kind.${e.kind ?? 'none'}`),
          added: subs(e.added),
          addedLabel: t('page.added', { count: e.added.length }),
          removed: subs(e.removed),
          removedLabel: t('page.removed', { count: e.removed.length }),
          denied,
          deniedLabel: t('page.denied', { count: denied.length }),
        };
      })
      .reverse(),
  };
}
