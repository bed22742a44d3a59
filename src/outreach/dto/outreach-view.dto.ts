// Response shapes of test-send, the notices list and case reconcile, for the OpenAPI document.
import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, NOTICE_KINDS } from '../../domain/notice.types';
import { EVENT_STATUSES } from '../../domain/event.types';
import { PageDto } from '../../common/paging.dto';

export class TestNoticeDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: NOTICE_KINDS }) kind: string;
  @ApiProperty({ nullable: true, type: String }) tier: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ nullable: true, type: String }) lastReply: string | null;
}

export class TestSendResultDto {
  @ApiProperty() eventId: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: [TestNoticeDto] }) notices: TestNoticeDto[];
}

export class NoticeItemDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: NOTICE_KINDS }) kind: string;
  @ApiProperty() email: string;
  @ApiProperty() locale: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: Number }) lastCode: number | null;
  @ApiProperty({ nullable: true, type: String }) lastReply: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) sentAt: string | null;
  @ApiProperty({ nullable: true, type: String }) provider: string | null;
  @ApiProperty({ nullable: true, type: String }) feedbackReason: string | null;
  @ApiProperty() softBounces: number;
  @ApiProperty({ nullable: true, type: String, description: 'null for a digest' }) tier: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'null for a digest' }) customerRef: string | null;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) nextAttemptAt: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class NoticePageDto extends PageDto {
  @ApiProperty({ type: [NoticeItemDto] }) items: NoticeItemDto[];
}

export class ReconcileResultDto {
  @ApiProperty() caseId: string;
  @ApiProperty({ nullable: true, type: String, description: 'the reconcile event; null when nobody was left out' })
  eventId: string | null;
  @ApiProperty() customers: number;
  @ApiProperty() notices: number;
  @ApiProperty({ nullable: true, type: String, enum: EVENT_STATUSES }) status: string | null;
}
