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
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../common/api-docs';
import { Public } from '../common/auth.decorators';
import { CustomerStatusDto } from '../events/dto/customer-status.dto';
import { CustomerStatusService } from '../events/customer-status/customer-status.service';
import { NoticeRenderer } from '../notices/rendering/notice-renderer.service';
import { StatusFailureLimiter } from './status-failure.limiter';
import { customerStatusPage } from './customer-status.page';
import { WebExceptionFilter } from './web-exception.filter';
import { WebViews, type WebRequest } from './web-views.service';

@ApiTags('status')
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
  @ApiOperation({
    summary:
      "A customer's own page for a case: what of theirs is blocked, where, since when, what changed (no bearer token: " +
      'the link is the secret). HTML, or JSON with Accept: application/json',
    security: [],
  })
  @ApiParam({ name: 'caseId' })
  @ApiParam({ name: 'token', description: "the link's token, unguessable, one per customer and case" })
  @ApiQuery({ name: 'lang', required: false, description: 'the HTML page in this language (default: the customer’s)' })
  @ApiProduces('text/html', 'application/json')
  @ApiOkResponse({ type: CustomerStatusDto, description: 'the page, or its JSON' })
  @ApiErrors(
    [404, 'no such link: an unknown case, a tampered token or another case’s, all answered alike'],
    [429, 'too many failed links from this address'],
  )
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
