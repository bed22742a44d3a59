// The public status page of a case (no login, no customer data), linked from every notice.
import { Controller, Get, NotFoundException, Param, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/auth.decorators';
import { WebExceptionFilter } from './web-exception.filter';
import { WebPagesRepository } from './web-pages.repository';
import { WebViews, type WebRequest } from './web-views.service';

const TYPE_LABELS: Record<string, string> = {
  'suspension.issued': 'Suspension issued',
  'suspension.updated': 'Suspension updated',
  'license.granted': 'Licence granted',
  'license.denied': 'Licence denied',
  'suspension.lifted': 'Suspension lifted',
};

/**
 * A lifting takes effect at its effectiveAt, which may be days after it was processed: until then the page says when
 * the restrictions lift, not that the case is closed.
 */
export function liftState(status: string, events: { type: string; effectiveAt: string }[], now = new Date()) {
  const lifted = [...events].reverse().find((e) => e.type === 'suspension.lifted');
  if (status !== 'closed' || !lifted) return { closed: false, liftsAt: null, closedAt: null };
  return new Date(lifted.effectiveAt) > now
    ? { closed: false, liftsAt: lifted.effectiveAt, closedAt: null }
    : { closed: true, liftsAt: null, closedAt: lifted.effectiveAt };
}

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@Public()
@Controller('status')
export class StatusPageController {
  constructor(
    private readonly pages: WebPagesRepository,
    private readonly views: WebViews,
  ) {}

  @Get(':caseId')
  async show(@Req() req: WebRequest, @Res() res: Response, @Param('caseId') caseId: string) {
    const c = await this.pages.publicCase(caseId);
    if (!c || c.events.length === 0) throw new NotFoundException('There is no published status for this case.');
    res.setHeader('Cache-Control', 'public, max-age=60');
    this.views.send(
      req,
      res,
      'status',
      {
        title: c.title,
        ...liftState(c.status, c.events),
        events: c.events.map((e) => ({ ...e, typeLabel: TYPE_LABELS[e.type] ?? e.type })).reverse(),
      },
      200,
      'layout-public',
    );
  }
}
