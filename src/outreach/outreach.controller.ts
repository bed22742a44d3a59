import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { sendCsvHeaders } from '../common/csv-response';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutreachResultDto } from '../events/dto/event-view.dto';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import { ApiErrors } from '../common/api-docs';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { EventsService } from '../events/events.service';
import { NoticeListQuery, TestSendDto } from './dto/outreach.dto';
import { NoticePageDto, TestSendResultDto } from './dto/outreach-view.dto';
import { NoticesQueryService } from './notices-query.service';
import type { OutreachAction } from '../domain/event-status';
import { OutreachService } from './outreach.service';

/** One of support's actions on an event (audited): checked against its state, answered with its new state. */
const Action = (path: OutreachAction, summary: string) =>
  applyDecorators(
    Post(path),
    HttpCode(200),
    RequireRole('support'),
    ApiOperation({ summary }),
    ApiOkResponse({ type: OutreachResultDto }),
    ApiErrors(
      400,
      [404, 'no such event'],
      [409, "the event's status does not allow this action (retry-failed: or nothing failed)"],
    ),
  );

@ApiTags('outreach')
@Controller(`${API_PREFIX}/events/:eventId`)
export class OutreachController {
  constructor(
    private readonly outreach: OutreachService,
    private readonly events: EventsService,
    private readonly notices: NoticesQueryService,
  ) {}

  private act(me: Principal, eventId: string, action: OutreachAction) {
    return this.outreach.act(me, eventId, action);
  }

  @Action('approve', 'Approve an event awaiting review: sending starts (support; audited)')
  approve(@CurrentUser() me: Principal, @Param('eventId') id: string) {
    return this.act(me, id, 'approve');
  }

  @Action('pause', 'Pause sending within a second across all workers (support; audited)')
  pause(@CurrentUser() me: Principal, @Param('eventId') id: string) {
    return this.act(me, id, 'pause');
  }

  @Action('resume', 'Resume a paused event where it stopped (support; audited)')
  resume(@CurrentUser() me: Principal, @Param('eventId') id: string) {
    return this.act(me, id, 'resume');
  }

  @Action('cancel', 'Cancel: unsent notices become cancelled, sent ones stay sent (support; audited)')
  cancel(@CurrentUser() me: Principal, @Param('eventId') id: string) {
    return this.act(me, id, 'cancel');
  }

  @Action('retry-failed', 'Failed notices go back to pending and are sent again (support; audited)')
  retryFailed(@CurrentUser() me: Principal, @Param('eventId') id: string) {
    return this.act(me, id, 'retry-failed');
  }

  @Post('test-send')
  @HttpCode(200)
  @RequireRole('support')
  @ApiOperation({ summary: 'Mail every kind × tier of the event to one address, marked as a test (support; audited)' })
  @ApiOkResponse({ type: TestSendResultDto })
  @ApiErrors(400, [404, 'no such event'], [409, 'the event has no notices to render yet'])
  testSend(@CurrentUser() me: Principal, @Param('eventId') id: string, @Body() dto: TestSendDto) {
    return this.outreach.testSend(me, id, dto.email);
  }

  @Get('notices')
  @RequireRole('account_manager')
  @ApiOperation({
    summary:
      'Notices of the event with delivery state, provider, attempts, last reply and times; filters; ?format=csv streams every row',
  })
  @ApiOkResponse({ type: NoticePageDto, description: 'JSON page, or text/csv with format=csv' })
  @ApiErrors(400, [404, 'no such event'])
  async list(
    @CurrentUser() me: Principal,
    @Param('eventId') id: string,
    @Query() q: NoticeListQuery,
    @Res() res: Response,
  ) {
    const row = await this.events.getRow(id);
    if (q.format !== 'csv') {
      res.json(await this.notices.list(row.id, q, me));
      return;
    }
    sendCsvHeaders(res, `notices-${id}`);
    await this.notices.csv(row.id, q, me, res);
  }
}
