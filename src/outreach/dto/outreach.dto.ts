import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PagingQuery } from '../../common/paging.dto';
import { DELIVERY_STATUSES, NOTICE_KINDS } from '../../domain/notice.types';

export class TestSendDto {
  @ApiProperty({ example: 'me@vendor.example' })
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;
}

export class NoticeListQuery extends PagingQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv streams every matching notice (no paging)' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be json or csv' })
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: NOTICE_KINDS })
  @IsOptional()
  @IsIn(NOTICE_KINDS)
  kind?: string;

  @ApiPropertyOptional({ description: 'recipient email or customer ref contains' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
