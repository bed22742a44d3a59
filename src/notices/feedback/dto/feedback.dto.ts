import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageDto, PagingQuery } from '../../../common/paging.dto';

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

export class IntakeSummaryDto {
  @ApiProperty() received: number;
  @ApiProperty({ description: 'a sent notice became bounced or complained' }) applied: number;
  @ApiProperty({ description: 'recorded, nothing to change (a soft bounce, or a notice already ended)' })
  recorded: number;
  @ApiProperty({ description: 'no notice of ours went to that address: recorded and ignored' }) unknown: number;
  @ApiProperty({ description: 'seen before: changed nothing' }) duplicates: number;
  @ApiProperty({ description: 'addresses put on the suppression list' }) suppressed: number;
}

export class SuppressionDto {
  @ApiProperty() email: string;
  @ApiProperty() reason: string;
  @ApiProperty({ example: 'bounce', description: 'what suppressed it' }) source: string;
  @ApiProperty({ nullable: true, type: String }) noticeId: string | null;
  @ApiProperty({ nullable: true, type: String }) createdBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SuppressionPageDto extends PageDto {
  @ApiProperty({ type: [SuppressionDto] }) items: SuppressionDto[];
}

export class SuppressionAddedDto {
  @ApiProperty() email: string;
  @ApiProperty({ description: 'false when the address was already listed' }) added: boolean;
}
