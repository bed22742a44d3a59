import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { sendCsvHeaders } from '../common/csv-response';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AffectedPageDto, CaseDetailDto, CasePageDto } from './dto/event-view.dto';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import { ApiErrors } from '../common/api-docs';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { PagingQuery } from '../common/paging.dto';
import { AffectedQuery } from './dto/event-query.dto';
import { EventsService } from './events.service';

@ApiTags('cases')
@RequireRole('account_manager')
@Controller(`${API_PREFIX}/cases`)
export class CasesController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({ summary: 'Cases with the size of their suspended sets' })
  @ApiOkResponse({ type: CasePageDto })
  @ApiErrors(400)
  list(@Query() q: PagingQuery) {
    return this.events.listCases(q.page, q.pageSize);
  }

  @Get(':caseId')
  @ApiOperation({ summary: 'A case: status, suspended-set size and timeline of events' })
  @ApiOkResponse({ type: CaseDetailDto })
  @ApiErrors(400, [404, 'no such case'])
  get(@Param('caseId') caseId: string, @CurrentUser() me: Principal) {
    return this.events.getCase(caseId, me);
  }

  @Get(':caseId/affected')
  @ApiOperation({
    summary: 'Customers suspended now in this case, with their suspended subscriptions; ?format=csv streams every row',
  })
  @ApiOkResponse({ type: AffectedPageDto, description: 'JSON page, or text/csv with format=csv' })
  @ApiErrors(400, [404, 'no such case'])
  async affected(
    @Param('caseId') caseId: string,
    @Query() q: AffectedQuery,
    @CurrentUser() me: Principal,
    @Res() res: Response,
  ): Promise<void> {
    if (q.format !== 'csv') {
      res.json(await this.events.caseAffected(caseId, q, me));
      return;
    }
    await this.events.caseAffectedCsv(caseId, q, me, res, () => sendCsvHeaders(res, `suspended-${caseId}`));
  }
}
