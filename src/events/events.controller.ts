import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { sendCsvHeaders } from '../common/csv-response';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AcceptedEventDto, AffectedPageDto, EventPageDto, EventViewDto, PreviewResultDto } from './dto/event-view.dto';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import { ApiErrors } from '../common/api-docs';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { AffectedQuery, EventListQuery, PreviewQuery } from './dto/event-query.dto';
import { EventIntakeService } from './event-intake.service';
import { EventPreviewService } from './event-preview.service';
import { EventsService } from './events.service';

const EVENT_EXAMPLE = {
  eventId: 'bis-2026-11-26-001',
  caseId: 'export-halt-2026-11',
  type: 'suspension.issued',
  occurredAt: '2026-11-26T09:00:00Z',
  title: 'Exports of AI models halted pending national security review',
  summary: 'Plain text shown in every notice of this event.',
  scope: { products: ['*'], regions: ['*'], excludeRegions: ['US'] },
  dispatch: 'review',
};

@ApiTags('events')
@Controller(`${API_PREFIX}/events`)
export class EventsController {
  constructor(
    private readonly intake: EventIntakeService,
    private readonly preview: EventPreviewService,
    private readonly events: EventsService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole('support')
  @ApiOperation({
    summary: 'Accept a suspension event (support): 202, 400 with every field error, 409 on a conflicting eventId',
  })
  @ApiBody({ schema: { type: 'object', example: EVENT_EXAMPLE } })
  @ApiResponse({ status: 202, type: AcceptedEventDto })
  @ApiErrors(
    [400, 'the event is invalid (stored as rejected); `details` lists every reason'],
    [409, 'an event with this eventId and other content was received before'],
    [413, 'the body is larger than 1 MB'],
  )
  async accept(@Body() body: unknown) {
    const r = await this.intake.intake(body, 'http');
    if (r.conflict) throw new ConflictException({ message: r.reasons[0], details: r.reasons });
    if (r.invalid && !r.duplicate) throw new BadRequestException({ message: r.reasons.join('; '), details: r.reasons });
    return { eventId: r.eventId, status: r.status, duplicate: r.duplicate };
  }

  @Post('preview')
  @HttpCode(200)
  @RequireRole('support')
  @ApiOperation({
    summary: 'Dry run: counts by tier, country, product and kind, with rendered samples; stores nothing (support)',
  })
  @ApiOkResponse({ type: PreviewResultDto })
  @ApiErrors(400, [413, 'the body is larger than 1 MB'])
  @ApiBody({ schema: { type: 'object', example: EVENT_EXAMPLE } })
  dryRun(@Body() body: unknown, @Query() q: PreviewQuery) {
    return this.preview.preview(body, q.locale);
  }

  @Get()
  @RequireRole('account_manager')
  @ApiOperation({ summary: 'Events, newest first; filter by status (e.g. rejected), caseId, type' })
  @ApiOkResponse({ type: EventPageDto })
  @ApiErrors(400)
  list(@Query() q: EventListQuery, @CurrentUser() me: Principal) {
    return this.events.list(q, me);
  }

  @Get(':eventId')
  @RequireRole('account_manager')
  @ApiOperation({ summary: 'One event: status, reasons, notice counts by delivery state' })
  @ApiOkResponse({ type: EventViewDto })
  @ApiErrors(400, [404, 'no such event'])
  get(@Param('eventId') eventId: string, @CurrentUser() me: Principal) {
    return this.events.get(eventId, me);
  }

  @Get(':eventId/affected')
  @RequireRole('account_manager')
  @ApiOperation({
    summary:
      'Customers told by this event, with notice kind and delivery state; filters and paging; ?format=csv streams every row',
  })
  @ApiOkResponse({ type: AffectedPageDto, description: 'JSON page, or text/csv with format=csv' })
  @ApiErrors(400, [404, 'no such event'])
  async affected(
    @Param('eventId') eventId: string,
    @Query() q: AffectedQuery,
    @CurrentUser() me: Principal,
    @Res() res: Response,
  ): Promise<void> {
    if (q.format !== 'csv') {
      res.json(await this.events.eventAffected(eventId, q, me));
      return;
    }
    await this.events.eventAffectedCsv(eventId, q, me, res, () => sendCsvHeaders(res, `affected-${eventId}`));
  }
}
