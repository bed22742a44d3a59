import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PagingQuery } from '../../common/paging.dto';
import { DELIVERY_STATUSES } from '../../domain/notice.types';
import { TIERS } from '../../domain/registry.types';
import { EVENT_STATUSES, EVENT_TYPES, type EventStatus } from '../../domain/event.types';

export class EventListQuery extends PagingQuery {
  @ApiPropertyOptional({ enum: EVENT_STATUSES })
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  caseId?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: string;
}

export class AffectedQuery extends PagingQuery {
  @ApiPropertyOptional({ enum: TIERS })
  @IsOptional()
  @IsIn(TIERS)
  tier?: string;

  @ApiPropertyOptional({ example: 'DE' })
  @IsOptional()
  @IsString()
  @MaxLength(8)
  country?: string;

  @ApiPropertyOptional({ example: 'claude-api' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  product?: string;

  @ApiPropertyOptional({ description: 'account manager email' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  accountManager?: string;

  @ApiPropertyOptional({
    enum: [...DELIVERY_STATUSES, 'none', 'unreached'],
    description: 'unreached: customers none of whose notices of the event ended sent',
  })
  @IsOptional()
  @IsIn([...DELIVERY_STATUSES, 'none', 'unreached'])
  deliveryStatus?: string;

  @ApiPropertyOptional({ description: 'name or ref contains' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: ['ref', 'name', 'country', 'tier'] })
  @IsOptional()
  @IsIn(['ref', 'name', 'country', 'tier'])
  sort?: 'ref' | 'name' | 'country' | 'tier';

  @ApiPropertyOptional({ enum: ['json', 'csv'] })
  @IsOptional()
  @Matches(/^(json|csv)$/)
  format?: 'json' | 'csv';
}

export class PreviewQuery {
  @ApiPropertyOptional({
    description: "render the samples in this language (BCP 47, e.g. es or zh-TW; falls back like a contact's locale)",
  })
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, {
    message: 'locale must be a BCP 47 language tag such as es, pt-BR or zh-Hant',
  })
  locale?: string;
}
