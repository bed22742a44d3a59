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
        closed: c.status === 'closed',
        closedAt: c.closedAt,
        events: c.events.map((e) => ({ ...e, typeLabel: TYPE_LABELS[e.type] ?? e.type })).reverse(),
      },
      200,
      'layout-public',
    );
  }
}
