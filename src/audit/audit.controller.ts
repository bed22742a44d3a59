import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { RequireRole } from '../common/auth.decorators';
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
@ApiBearerAuth()
@RequireRole('admin')
@Controller(API_PREFIX)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit')
  @ApiOperation({ summary: 'The audit log, newest first (admin)' })
  list(@Query() q: AuditQuery) {
    return this.audit.list(q.page, q.pageSize, q.action);
  }
}
