// Bounces posted by support and the suppression list (SPEC §4, §5): /api/v1/bounces and /api/v1/suppressions.
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../../common/api';
import { CurrentUser, RequireRole } from '../../common/auth.decorators';
import { ApiErrors } from '../../common/api-docs';
import type { Principal } from '../../domain/roles';
import {
  AddSuppressionDto,
  BounceDto,
  IntakeSummaryDto,
  SuppressionAddedDto,
  SuppressionDto,
  SuppressionPageDto,
  SuppressionQuery,
} from './dto/feedback.dto';
import { FeedbackIntakeService } from './feedback-intake.service';
import { normaliseMessageId } from './feedback.values';
import { SuppressionsService } from './suppressions.service';

@ApiTags('bounces')
@Controller(API_PREFIX)
export class FeedbackController {
  constructor(
    private readonly intake: FeedbackIntakeService,
    private readonly suppressions: SuppressionsService,
  ) {}

  @Post('bounces')
  @HttpCode(200)
  @RequireRole('support')
  @ApiOperation({ summary: 'Report a hard or soft bounce or a complaint for a sent notice (support)' })
  @ApiOkResponse({ type: IntakeSummaryDto })
  @ApiErrors(400)
  bounce(@CurrentUser() me: Principal, @Body() body: BounceDto) {
    const messageId = body.messageId ? normaliseMessageId(body.messageId) : null;
    return this.intake.receive(
      [
        {
          email: body.email,
          type: body.type,
          messageId,
          reason: body.reason ?? null,
          provider: 'api',
          providerEventId: null,
          occurredAt: null,
        },
      ],
      me,
    );
  }

  @Get('suppressions')
  @RequireRole('support')
  @ApiOperation({ summary: 'The suppression list, newest first; q searches address and reason (support)' })
  @ApiOkResponse({ type: SuppressionPageDto })
  @ApiErrors(400)
  list(@Query() q: SuppressionQuery) {
    return this.suppressions.list(q.q, q.page, q.pageSize);
  }

  @Post('suppressions')
  @HttpCode(200)
  @RequireRole('support')
  @ApiOperation({ summary: 'Suppress an address: no notice is sent to it any more (support; audited)' })
  @ApiOkResponse({ type: SuppressionAddedDto })
  @ApiErrors(400)
  add(@CurrentUser() me: Principal, @Body() body: AddSuppressionDto) {
    return this.suppressions.add(me, body.email, body.reason);
  }

  @Delete('suppressions/:email')
  @RequireRole('support')
  @ApiOperation({ summary: 'Take an address off the suppression list (support; audited)' })
  @ApiOkResponse({ type: SuppressionDto, description: 'the entry removed' })
  @ApiErrors(400, [404, 'the address is not on the suppression list'])
  remove(@CurrentUser() me: Principal, @Param('email') email: string) {
    return this.suppressions.remove(me, email);
  }
}
