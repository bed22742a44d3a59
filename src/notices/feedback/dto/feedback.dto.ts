import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PagingQuery } from '../../../common/paging.dto';

export class BounceDto {
  @ApiProperty({ example: 'ops@acme.example' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ enum: ['hard', 'soft', 'complaint'] })
  @IsIn(['hard', 'soft', 'complaint'], { message: 'type must be one of hard, soft, complaint' })
  type: 'hard' | 'soft' | 'complaint';

  @ApiPropertyOptional({
    description: "the notice's Message-ID, with or without <>; without it the latest notice sent to the address",
  })
  @IsOptional()
  @IsString()
  @MaxLength(998)
  messageId?: string;

  @ApiPropertyOptional({ example: '550 5.1.1 mailbox unavailable' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class AddSuppressionDto {
  @ApiProperty({ example: 'old-contact@acme.example' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'asked not to be mailed' })
  @IsString()
  @MaxLength(2000)
  reason: string;
}

export class SuppressionQuery extends PagingQuery {
  @ApiPropertyOptional({ description: 'address or reason contains' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
