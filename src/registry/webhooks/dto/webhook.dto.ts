// Request and response shapes of /customers/:ref/webhook, for validation and the OpenAPI document (SPEC §4).
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { CUSTOMER_NOTICE_KINDS, WEBHOOK_DELIVERY_STATUSES } from '../../../domain/notice.types';

export class PutWebhookDto {
  @ApiProperty({ example: 'https://hooks.acme.example/export-notices', description: 'https, to a public address' })
  @IsString({ message: 'url must be a string' })
  @MaxLength(2048)
  url: string;
}

export class WebhookSecretDto {
  @ApiProperty({ description: 'the URL as stored (normalised)' }) url: string;
  @ApiProperty({ example: 'whsec_…', description: 'the signing secret; shown only in this answer' }) secret: string;
}

export class WebhookDeliveryDto {
  @ApiProperty() eventId: string;
  @ApiProperty({ enum: CUSTOMER_NOTICE_KINDS }) kind: string;
  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: Number, description: 'the HTTP status the receiver answered' }) lastCode:
    number | null;
  @ApiProperty({ nullable: true, type: String, description: 'why it failed, or the start of the answer' })
  lastReply: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) sentAt: string | null;
}

export class WebhookViewDto {
  @ApiProperty() url: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'the latest 20, newest first' })
  deliveries: WebhookDeliveryDto[];
}
