// A customer's own status page for a case, behind an unguessable link (SPEC §4): HTML, or JSON for Accept: application/json.
import {
  Controller,
  Get,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/auth.decorators';
import { CustomerStatusService } from '../events/customer-status/customer-status.service';
import { NoticeRenderer } from '../notices/rendering/notice-renderer.service';
import { StatusFailureLimiter } from './status-failure.limiter';
import { customerStatusPage } from './customer-status.page';
import { WebExceptionFilter } from './web-exception.filter';
import { WebViews, type WebRequest } from './web-views.service';

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@Public()
@Controller('status')
export class CustomerStatusController {
  constructor(
    private readonly status: CustomerStatusService,
    private readonly failures: StatusFailureLimiter,
    private readonly views: WebViews,
    private readonly renderer: NoticeRenderer,
  ) {}

  @Get(':caseId/c/:token')
  async show(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('caseId') caseId: string,
    @Param('token') token: string,
    @Query('lang') lang?: string,
  ) {
    // The link is a bearer secret: it must not leak through Referer, caches or search engines.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Cache-Control', 'private, no-store');
    const json = req.accepts(['html', 'json']) === 'json';
    const refuse = (e: HttpException) => {
      if (!json) throw e;
      res.status(e.getStatus()).json({ statusCode: e.getStatus(), error: e.message, message: e.message });
    };
    const client = req.ip ?? 'unknown';
    if (await this.failures.blocked(client)) {
      return refuse(new HttpException('Too Many Requests', HttpStatus.TOO_MANY_REQUESTS));
    }
    const found = await this.status.find(caseId, token);
    if (!found) {
      await this.failures.record(client);
      // The same answer for every reason: unknown case, tampered token, another case's token, a deleted customer.
      return refuse(new NotFoundException('Not Found'));
    }
    if (json) {
      res.json(found.json);
      return;
    }
    const model = customerStatusPage(
      found,
      typeof lang === 'string' ? lang : (found.customer.locale ?? 'en'),
      this.renderer,
    );
    this.views.send(req, res, 'customer-status', model, 200, 'layout-customer');
  }
}
