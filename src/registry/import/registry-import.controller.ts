import { Controller, HttpCode, Post, Query, Req, Res, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-docs';
import type { Request, Response } from 'express';
import { CurrentUser, RequireRole } from '../../common/auth.decorators';
import type { Principal } from '../../domain/roles';
import { API_PREFIX } from '../../common/api';
import { ImportQueryDto } from '../dto/import-query.dto';
import { ImportReportDto } from '../dto/registry-view.dto';
import type { ImportFormat, ImportReport } from './import.types';
import { RegistryImportService } from './registry-import.service';

const MEDIA_TYPES: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/jsonlines': 'jsonl',
  'application/x-jsonlines': 'jsonl',
};

/** The format named by a Content-Type header, or null; only UTF-8 (the default) is accepted. */
export function importFormatOf(contentType: string | undefined): ImportFormat | null {
  const [type, ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return null;
  return MEDIA_TYPES[type] ?? null;
}

@ApiTags('registry')
@Controller(API_PREFIX)
export class RegistryImportController {
  constructor(private readonly imports: RegistryImportService) {}

  @Post('registry/import')
  @RequireRole('support')
  @HttpCode(200)
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiOperation({
    summary: 'Import customers from CSV or JSON Lines, streamed; 422 with the report when any row is invalid (support)',
  })
  @ApiOkResponse({ type: ImportReportDto, description: 'every row valid: applied unless dryRun' })
  @ApiResponse({
    status: 422,
    type: ImportReportDto,
    description: 'some rows invalid: nothing applied; the report lists why',
  })
  @ApiErrors([400, 'invalid mode or dryRun'], [415, 'the body is neither text/csv nor application/x-ndjson in UTF-8'])
  async import(
    @CurrentUser() me: Principal,
    @Query() q: ImportQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportReport> {
    const format = importFormatOf(req.headers['content-type']);
    if (!format) {
      throw new UnsupportedMediaTypeException(
        `send the registry as text/csv or application/x-ndjson in UTF-8 (got ${req.headers['content-type'] ?? 'no Content-Type'})`,
      );
    }
    // An import may stop reading early (a line too long): the rest of the body is then read and dropped, since a
    // socket closed with unread data resets the connection before the client reads the report.
    try {
      const report = await this.imports.import(
        req.iterator({ destroyOnReturn: false }),
        { format, mode: q.mode, dryRun: q.dryRun },
        me,
      );
      if (report.errorCount > 0) res.status(422);
      return report;
    } finally {
      if (!req.readableEnded) req.resume();
    }
  }
}
