// Cases list and a case's timeline with the customers suspended now.
import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { PagingQuery } from '../common/paging.dto';
import type { AffectedItem } from '../events/affected.repository';
import { AffectedQuery } from '../events/dto/event-query.dto';
import { EventsService } from '../events/events.service';
import { WebExceptionFilter } from './web-exception.filter';
import { enc, pager, parseQuery, progressOf } from './web-page-model';
import { WebViews, type WebRequest } from './web-views.service';

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@RequireRole('account_manager')
@Controller('cases')
export class CasesPagesController {
  constructor(
    private readonly events: EventsService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async list(@Req() req: WebRequest, @Res() res: Response, @Query() raw: Record<string, string>) {
    const q = await parseQuery(PagingQuery, raw);
    const result = await this.events.listCases(q.page, q.pageSize);
    this.views.send(req, res, 'cases', {
      title: 'Cases',
      items: result.items.map((c: { caseId: string }) => ({ ...c, href: `/cases/${enc(c.caseId)}` })),
      pager: pager('/cases', {}, result),
    });
  }

  @Get(':caseId')
  async show(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('caseId') caseId: string,
    @Query() raw: Record<string, string>,
    @CurrentUser() me: Principal,
  ) {
    const q = await parseQuery(AffectedQuery, raw, ['format']);
    const c = await this.events.getCase(caseId, me);
    const suspended = await this.events.caseAffected(caseId, q, me);
    const base = `/cases/${enc(caseId)}`;
    this.views.send(req, res, 'case', {
      title: c.title ?? caseId,
      case: c,
      timeline: c.timeline.map((e) => ({
        ...e,
        href: e.eventId ? `/events/${enc(e.eventId)}` : null,
        progress: progressOf(e.counts),
      })),
      suspended: suspended.items.map((i: AffectedItem) => ({ ...i, href: `/customers/${enc(i.ref)}` })),
      pager: pager(base, {}, suspended),
      statusHref: `/status/${enc(caseId)}`,
    });
  }
}
