// Response shape of GET /audit, for the OpenAPI document.
import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../common/paging.dto';

export class AuditEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) actorId: string | null;
  @ApiProperty() actorEmail: string;
  @ApiProperty({ example: 'event.approve' }) action: string;
  @ApiProperty({ example: 'event:bis-2026-11-26-001' }) target: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;
}

export class AuditPageDto extends PageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
}
