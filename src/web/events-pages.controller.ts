// Events list, event page (progress, breakdown, previews, outreach buttons), affected customers and their CSV.
import { BadRequestException, Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { roleAllows } from '../domain/roles';
import { sendCsvHeaders } from '../common/csv-response';
import type { AffectedItem } from '../events/affected.repository';
import { AffectedQuery, EventListQuery } from '../events/dto/event-query.dto';
import {
  FINISHED_EVENT_STATUSES,
  isFinished,
  OUTREACH_ACTIONS,
  OUTREACH_TRANSITIONS,
  type OutreachAction,
} from '../domain/event-status';
import { EVENT_STATUSES, EVENT_TYPES } from '../domain/event.types';
import { EventsService } from '../events/events.service';
import { DELIVERY_STATUSES } from '../domain/notice.types';
import { canonicalLocale } from '../notices/rendering/notice-renderer.locale';
import { NoticeSamplesService } from '../notices/rendering/notice-samples.service';
import { OutreachService } from '../outreach/outreach.service';
import { TIERS } from '../domain/registry.types';
import { WebExceptionFilter } from './web-exception.filter';
import { bars, countryName, enc, pager, parseQuery, percentOf, progressOf, queryString } from './web-page-model';

const CLASS_LABELS: Record<string, string> = {
  digests: 'Account-manager digests',
  enterprise: 'Enterprise',
  developer: 'Developers',
};
import { WebPagesRepository } from './web-pages.repository';
import { WebViews, type WebRequest } from './web-views.service';

const BUTTON_LABELS: Record<OutreachAction, string> = {
  approve: 'Approve and send',
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel outreach',
  'retry-failed': 'Retry failed',
};

/** Each outreach button, shown in the event states its action applies to (the transitions OutreachService enforces). */
export const OUTREACH_BUTTONS = OUTREACH_ACTIONS.map((action) => ({
  action,
  label: BUTTON_LABELS[action],
  states: OUTREACH_TRANSITIONS[action].from,
}));
const DONE_MESSAGES: Record<string, string> = {
  approve: 'Approved: sending has started.',
  pause: 'Paused.',
  resume: 'Resumed.',
  cancel: 'Cancelled: unsent notices will not be sent.',
  'retry-failed': 'Failed notices are being sent again.',
  'test-send': 'Test notices sent.',
};
const AFFECTED_FILTERS = ['tier', 'country', 'product', 'accountManager', 'deliveryStatus', 'q', 'sort'] as const;

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@RequireRole('account_manager')
@Controller('events')
export class EventsPagesController {
  constructor(
    private readonly events: EventsService,
    private readonly outreach: OutreachService,
    private readonly samples: NoticeSamplesService,
    private readonly pages: WebPagesRepository,
    private readonly views: WebViews,
  ) {}

  @Get()
  async list(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Query() raw: Record<string, string>,
    @CurrentUser() me: Principal,
  ) {
    const q = await parseQuery(EventListQuery, raw);
    const result = await this.events.list(q, me);
    const filters = { status: q.status, caseId: q.caseId, type: q.type };
    this.views.send(req, res, 'events', {
      title: q.status === 'rejected' ? 'Rejected events' : 'Events',
      filters,
      statuses: EVENT_STATUSES.map((s) => ({ value: s, selected: s === q.status })),
      types: EVENT_TYPES.map((t) => ({ value: t, selected: t === q.type })),
      items: result.items.map((e) => ({
        ...e,
        href: e.eventId ? `/events/${enc(e.eventId)}` : null,
        progress: progressOf(e.counts),
      })),
      pager: pager('/events', filters, result),
    });
  }

  @Get(':eventId')
  async show(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('eventId') eventId: string,
    @Query('did') did: string | undefined,
    @CurrentUser() me: Principal,
    @Query('previewLocale') previewLocale?: string,
  ) {
    const row = await this.events.getRow(eventId);
    const { view, classes: byClass } = await this.events.viewWithProgress(row, me);
    const support = roleAllows(me.role, 'support');
    const applied = !!row.applied_at && row.status !== 'rejected';
    const breakdown = applied ? await this.pages.breakdown(row.id, me) : null;
    const unreached = applied ? await this.events.unreachedCount(row.id, me) : null;
    const classes = applied ? byClass : [];
    // Previews render real customers' notices; only support reviews them (an account manager reads the sent ones per customer).
    const locale =
      typeof previewLocale === 'string' && canonicalLocale(previewLocale) ? canonicalLocale(previewLocale)! : undefined;
    const previewing = applied && support && !!row.payload;
    const samples = previewing ? await this.samples.render(row.id, row.payload!, undefined, locale) : [];
    const contactLocales = previewing ? await this.samples.locales(row.id) : [];
    const base = `/events/${enc(eventId)}`;
    this.views.send(req, res, 'event', {
      title: view.title ?? eventId,
      event: view,
      payload: row.payload,
      applied,
      flash: did ? DONE_MESSAGES[did] : undefined,
      progress: progressOf(view.counts),
      classes: classes.map((c) => ({
        ...c,
        label: CLASS_LABELS[c.class] ?? c.class,
        percent: percentOf(c.done, c.total),
      })),
      counts: DELIVERY_STATUSES.map((s) => ({ state: s, n: view.counts[s] })),
      unreached: unreached === null ? null : { n: unreached, href: `${base}/affected?deliveryStatus=unreached` },
      live: !isFinished(view.status),
      finishedAttr: FINISHED_EVENT_STATUSES.join(' '),
      breakdown: breakdown && {
        byKind: bars(breakdown.byKind),
        byCountry: bars(breakdown.byCountry, (c) => `${countryName(c)} (${c})`),
        byProduct: bars(breakdown.byProduct),
      },
      samples: samples.map((s, i) => ({ ...s, open: i === 0 })),
      preview: {
        locale: locale ?? null,
        contactLocales: contactLocales.map((l) => ({
          ...l,
          selected: l.locale === locale,
          fallsBack: l.catalogue !== l.locale,
        })),
        shipped: this.samples.shippedLocales.map((l) => ({
          ...l,
          selected: l.locale === locale && !contactLocales.some((c) => c.locale === locale),
        })),
      },
      buttons: support
        ? OUTREACH_BUTTONS.map((b) => ({
            ...b,
            statesAttr: b.states.join(' '),
            needsFailed: b.action === 'retry-failed',
            hidden: !b.states.includes(view.status) || (b.action === 'retry-failed' && view.counts.failed === 0),
            href: `${base}/actions/${b.action}`,
          }))
        : [],
      canTestSend: support && applied,
      links: {
        self: base,
        progress: `${base}/progress`,
        affected: `${base}/affected`,
        csv: `${base}/affected.csv`,
        case: view.caseId ? `/cases/${enc(view.caseId)}` : null,
        status: view.caseId ? `/status/${enc(view.caseId)}` : null,
      },
      scripts: ['/assets/event-progress.js'],
    });
  }

  /** Polled every second by the event page while it sends. */
  @Get(':eventId/progress')
  async progress(@Param('eventId') eventId: string, @CurrentUser() me: Principal) {
    const row = await this.events.getRow(eventId);
    const { view, classes: byClass } = await this.events.viewWithProgress(row, me);
    const classes = byClass.map((c) => ({ ...c, percent: percentOf(c.done, c.total) }));
    return { eventId, status: view.status, counts: view.counts, classes, ...progressOf(view.counts) };
  }

  @Get(':eventId/affected')
  async affected(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('eventId') eventId: string,
    @Query() raw: Record<string, string>,
    @CurrentUser() me: Principal,
  ) {
    const q = await parseQuery(AffectedQuery, raw, ['format']);
    const view = await this.events.get(eventId, me);
    const result = await this.events.eventAffected(eventId, q, me);
    const filters = Object.fromEntries(AFFECTED_FILTERS.map((k) => [k, q[k]]));
    const base = `/events/${enc(eventId)}`;
    this.views.send(req, res, 'affected', {
      title: `Affected customers · ${view.title ?? eventId}`,
      event: view,
      eventHref: base,
      filters,
      tiers: TIERS.map((t) => ({ value: t, selected: t === q.tier })),
      deliveryStatuses: [...DELIVERY_STATUSES, 'none', 'unreached'].map((s) => ({
        value: s,
        selected: s === q.deliveryStatus,
      })),
      sorts: ['ref', 'name', 'country', 'tier'].map((s) => ({ value: s, selected: s === (q.sort ?? 'ref') })),
      items: result.items.map((i: AffectedItem) => ({ ...i, href: `/customers/${enc(i.ref)}` })),
      pager: pager(`${base}/affected`, filters, result),
      csvHref: `${base}/affected.csv${queryString(filters)}`,
    });
  }

  @Get(':eventId/affected.csv')
  async affectedCsv(
    @Res() res: Response,
    @Param('eventId') eventId: string,
    @Query() raw: Record<string, string>,
    @CurrentUser() me: Principal,
  ) {
    const q = await parseQuery(AffectedQuery, raw, ['format', 'page', 'pageSize']);
    await this.events.eventAffectedCsv(eventId, q, me, res, () => sendCsvHeaders(res, `affected-${eventId}`));
  }

  @Post(':eventId/actions/:action')
  @RequireRole('support')
  async act(
    @Res() res: Response,
    @Param('eventId') eventId: string,
    @Param('action') action: string,
    @CurrentUser() me: Principal,
  ) {
    const button = OUTREACH_BUTTONS.find((b) => b.action === action);
    if (!button) throw new BadRequestException(`unknown action ${action}`);
    await this.outreach.act(me, eventId, button.action);
    res.redirect(303, `/events/${enc(eventId)}?did=${button.action}`);
  }

  @Post(':eventId/test-send')
  @RequireRole('support')
  async testSend(
    @Res() res: Response,
    @Param('eventId') eventId: string,
    @Body() body: Record<string, unknown>,
    @CurrentUser() me: Principal,
  ) {
    const email = typeof body.email === 'string' ? body.email.trim() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      throw new BadRequestException('enter the email address the test notices go to');
    await this.outreach.testSend(me, eventId, email);
    res.redirect(303, `/events/${enc(eventId)}?did=test-send`);
  }
}
