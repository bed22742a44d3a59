import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PagingQuery } from '../../common/paging.dto';
import { PRODUCT_CODE, TIERS, type Tier } from '../../domain/registry.types';

export class CustomerQueryDto extends PagingQuery {
  @ApiPropertyOptional({ description: 'part of the name or ref (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: TIERS })
  @IsOptional()
  @IsIn(TIERS)
  tier?: Tier;

  @ApiPropertyOptional({ description: "customer's country (ISO 3166-1 alpha-2)" })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' })
  country?: string;

  @ApiPropertyOptional({ description: 'customers subscribed to this product code' })
  @IsOptional()
  @Matches(PRODUCT_CODE, { message: 'product must be a product code' })
  product?: string;

  @ApiPropertyOptional({ description: "account manager's email" })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  accountManager?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}
