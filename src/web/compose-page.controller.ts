// Support composes an event (fields or pasted JSON), previews who would be told what, and publishes it.
import { BadRequestException, Body, Controller, Get, HttpException, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireRole } from '../common/auth.decorators';
import { EventIntakeService } from '../events/event-intake.service';
import { EventPreviewService } from '../events/event-preview.service';
import { EVENT_TYPES } from '../domain/event.types';
import { errorBody } from '../common/http-exception.filter';
import { WebExceptionFilter } from './web-exception.filter';
import { bars, countryName, enc } from './web-page-model';
import { WebViews, type WebRequest } from './web-views.service';

type Form = Record<string, string | undefined>;

const list = (v: string | undefined) =>
  (v ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The event object a composed form stands for: the pasted JSON when given, else the fields. */
export function eventFromForm(f: Form): unknown {
  if (f.json && f.json.trim()) {
    try {
      return JSON.parse(f.json);
    } catch (e) {
      throw new BadRequestException(`the pasted JSON does not parse: ${(e as Error).message}`);
    }
  }
  const tiers = [f.tierDeveloper ? 'developer' : null, f.tierEnterprise ? 'enterprise' : null].filter(Boolean);
  const event: Record<string, unknown> = {
    eventId: f.eventId?.trim(),
    caseId: f.caseId?.trim(),
    type: f.type,
    occurredAt: f.occurredAt?.trim(),
    title: f.title,
    summary: f.summary,
    dispatch: f.dispatch || undefined,
  };
  if (f.effectiveAt?.trim()) event.effectiveAt = f.effectiveAt.trim();
  if (f.authority?.trim()) event.authority = f.authority.trim();
  const conditions = (f.conditions ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (conditions.length) event.conditions = conditions;
  if (f.type !== 'suspension.lifted') {
    event.scope = {
      products: list(f.products),
      regions: list(f.regions),
      excludeRegions: list(f.excludeRegions),
      excludeProducts: list(f.excludeProducts),
      ...(tiers.length ? { tiers } : {}),
    };
  }
  return event;
}

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@RequireRole('support')
@Controller('compose')
export class ComposePageController {
  constructor(
    private readonly preview: EventPreviewService,
    private readonly intake: EventIntakeService,
    private readonly views: WebViews,
  ) {}

  private page(req: WebRequest, res: Response, form: Form, extra: Record<string, unknown> = {}, status = 200) {
    this.views.send(
      req,
      res,
      'compose',
      {
        title: 'Compose an event',
        form,
        types: EVENT_TYPES.map((t) => ({ value: t, selected: t === (form.type ?? 'suspension.issued') })),
        dispatches: ['review', 'auto'].map((d) => ({ value: d, selected: d === (form.dispatch ?? 'review') })),
        ...extra,
      },
      status,
    );
  }

  @Get()
  show(@Req() req: WebRequest, @Res() res: Response) {
    this.page(req, res, {
      type: 'suspension.issued',
      occurredAt: new Date().toISOString().slice(0, 19) + 'Z',
      products: '*',
      regions: '*',
      tierDeveloper: 'on',
      tierEnterprise: 'on',
      dispatch: 'review',
    });
  }

  @Post()
  async submit(@Req() req: WebRequest, @Res() res: Response, @Body() body: Form) {
    const { _csrf: _ignored, action, ...form } = body;
    let event: unknown;
    try {
      event = eventFromForm(form);
    } catch (e) {
      return this.page(req, res, form, { problems: [errorBody(e).body.message] }, 400);
    }
    if (action === 'publish') {
      const r = await this.intake.intake(event, 'http');
      if (r.conflict || (r.invalid && !r.duplicate))
        return this.page(req, res, form, { problems: r.reasons }, r.conflict ? 409 : 400);
      return res.redirect(303, `/events/${enc(r.eventId!)}`);
    }
    try {
      const p = await this.preview.preview(event);
      this.page(req, res, form, {
        preview: {
          accepted: p.accepted,
          reasons: p.reasons,
          counts: p.counts,
          byKind: bars(Object.entries(p.counts.byKind).map(([key, v]) => ({ key, n: v.customers }))),
          byTier: bars(Object.entries(p.counts.byTier).map(([key, n]) => ({ key, n }))),
          byCountry: bars(
            Object.entries(p.counts.byCountry).map(([key, n]) => ({ key, n })),
            (c) => `${countryName(c)} (${c})`,
          ),
          byProduct: bars(Object.entries(p.counts.byProduct).map(([key, n]) => ({ key, n }))),
          samples: p.samples.map((s, i) => ({ ...s, open: i === 0 })),
        },
      });
    } catch (e) {
      if (!(e instanceof HttpException) || e.getStatus() >= 500) throw e;
      const b = errorBody(e).body;
      const details = Array.isArray(b.details) ? b.details.map(String) : [b.message];
      this.page(req, res, form, { problems: details }, b.statusCode);
    }
  }
}
