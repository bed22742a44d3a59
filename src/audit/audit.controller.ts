import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { AuditPageDto } from './dto/audit-view.dto';
import { IsOptional, IsString } from 'class-validator';
import { RequireRole } from '../common/auth.decorators';
import { ApiErrors } from '../common/api-docs';
import { API_PREFIX } from '../common/api';
import { PagingQuery } from '../common/paging.dto';
import { AuditService } from './audit.service';

class AuditQuery extends PagingQuery {
  @ApiPropertyOptional({ example: 'event.approve' })
  @IsOptional()
  @IsString()
  action?: string;
}

@ApiTags('audit (admin)')
@RequireRole('admin')
@Controller(API_PREFIX)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit')
  @ApiOperation({ summary: 'The audit log, newest first (admin)' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrors(400)
  list(@Query() q: AuditQuery) {
    return this.audit.list(q.page, q.pageSize, q.action);
  }
}
