import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { CaseReconcileService } from './case-reconcile.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller(`${API_PREFIX}/cases/:caseId`)
export class CaseReconcileController {
  constructor(private readonly reconciler: CaseReconcileService) {}

  @Post('reconcile')
  @HttpCode(200)
  @RequireRole('support')
  @ApiOperation({
    summary: 'Tell customers that match the current suspended scope but were never told (support; audited)',
  })
  reconcile(@CurrentUser() me: Principal, @Param('caseId') caseId: string) {
    return this.reconciler.reconcile(me, caseId);
  }
}
