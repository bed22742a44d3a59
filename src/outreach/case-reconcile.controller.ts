import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReconcileResultDto } from './dto/outreach-view.dto';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import { ApiErrors } from '../common/api-docs';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { CaseReconcileService } from './case-reconcile.service';

@ApiTags('cases')
@Controller(`${API_PREFIX}/cases/:caseId`)
export class CaseReconcileController {
  constructor(private readonly reconciler: CaseReconcileService) {}

  @Post('reconcile')
  @HttpCode(200)
  @RequireRole('support')
  @ApiOperation({
    summary: 'Tell customers that match the current suspended scope but were never told (support; audited)',
  })
  @ApiOkResponse({ type: ReconcileResultDto })
  @ApiErrors(400, [404, 'no such case'], [409, 'the case is not open'])
  reconcile(@CurrentUser() me: Principal, @Param('caseId') caseId: string) {
    return this.reconciler.reconcile(me, caseId);
  }
}
