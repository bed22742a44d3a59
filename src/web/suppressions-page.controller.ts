// The suppression list for support (SPEC §6): search it, add an address, take one off (each audited).
import { BadRequestException, Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { SuppressionQuery } from '../notices/feedback/dto/feedback.dto';
import { SuppressionsService } from '../notices/feedback/suppressions.service';
import { WebExceptionFilter } from './web-exception.filter';
import { enc, pager, parseQuery } from './web-page-model';
import { WebViews, type WebRequest } from './web-views.service';

const DONE: Record<string, string> = {
  added: 'The address is on the suppression list.',
  removed: 'The address was taken off the list.',
};

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@RequireRole('support')
@Controller('suppressions')
export class SuppressionsPageController {
  constructor(
    private readonly suppressions: SuppressionsService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async list(@Req() req: WebRequest, @Res() res: Response, @Query() raw: Record<string, string>) {
    const q = await parseQuery(SuppressionQuery, raw, ['did']);
    const result = await this.suppressions.list(q.q, q.page, q.pageSize);
    const filters = { q: q.q };
    this.views.send(req, res, 'suppressions', {
      title: 'Suppression list',
      filters,
      flash: DONE[raw.did ?? ''],
      items: result.items.map((s) => ({ ...s, removeHref: `/suppressions/${enc(s.email)}/remove` })),
      total: result.total,
      pager: pager('/suppressions', filters, result),
    });
  }

  @Post()
  async add(@Res() res: Response, @Body() body: Record<string, unknown>, @CurrentUser() me: Principal) {
    const email = typeof body.email === 'string' ? body.email.trim() : '';
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254)
      throw new BadRequestException('email: enter an email address');
    if (!reason || reason.length > 2000)
      throw new BadRequestException('reason: say why the address is suppressed (at most 2,000 characters)');
    await this.suppressions.add(me, email, reason);
    res.redirect(303, '/suppressions?did=added');
  }

  @Post(':email/remove')
  async remove(@Res() res: Response, @Param('email') email: string, @CurrentUser() me: Principal) {
    await this.suppressions.remove(me, email);
    res.redirect(303, '/suppressions?did=removed');
  }
}
