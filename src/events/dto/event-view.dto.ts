// Response shapes of the events, cases and outreach routes, for the OpenAPI document (SPEC §5).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_STATUSES, EVENT_TYPES } from '../../domain/event.types';
import { PageDto } from '../../common/paging.dto';

export class NoticeCountsDto {
  @ApiProperty() pending: number;
  @ApiProperty() sending: number;
  @ApiProperty() sent: number;
  @ApiProperty() retrying: number;
  @ApiProperty() failed: number;
  @ApiProperty() cancelled: number;
}

export class WebhookCountsDto extends NoticeCountsDto {}

export class EventViewDto {
  @ApiProperty({ nullable: true, type: String }) eventId: string | null;
  @ApiProperty({ nullable: true, type: String }) caseId: string | null;
  @ApiProperty({ nullable: true, enum: EVENT_TYPES }) type: string | null;
  @ApiProperty({ enum: EVENT_STATUSES }) status: string;
  @ApiProperty({ type: [String], description: 'why the event was rejected' }) reasons: string[];
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ type: NoticeCountsDto, description: 'account managers: their customers only' })
  counts: NoticeCountsDto;
  @ApiProperty({
    type: WebhookCountsDto,
    description: 'webhook deliveries by state; account managers: their customers only',
  })
  webhooks: WebhookCountsDto;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiProperty({ nullable: true, enum: ['auto', 'review'] }) dispatch: string | null;
  @ApiProperty() customersAffected: number;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) appliedAt: string | null;
  @ApiProperty({
    description:
      'applied, and the rest of its contacts’ notices still being written while the first ones go out (counts grow)',
  })
  planning: boolean;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) finishedAt: string | null;
  @ApiProperty({ enum: ['queue', 'http', 'reconcile'] }) source: string;
  @ApiProperty({ description: 'a rejected duplicate eventId with other content' }) conflict: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'raw job data of a rejected event (capped)' })
  raw?: string | null;
}

export class EventPageDto extends PageDto {
  @ApiProperty({ type: [EventViewDto] }) items: EventViewDto[];
}

export class AcceptedEventDto {
  @ApiProperty({ nullable: true, type: String }) eventId: string | null;
  @ApiProperty({ enum: EVENT_STATUSES }) status: string;
  @ApiProperty({ description: 'the same eventId and content was received before: nothing changed' }) duplicate: boolean;
}

export class SubscriptionDto {
  @ApiProperty({ example: 'claude-api' }) product: string;
  @ApiProperty({ example: 'DE' }) country: string;
}

export class AccountManagerDto {
  @ApiProperty() email: string;
  @ApiProperty() name: string;
}

export class AffectedItemDto {
  @ApiProperty() ref: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['developer', 'enterprise'] }) tier: string;
  @ApiProperty() country: string;
  @ApiProperty({ type: AccountManagerDto, nullable: true }) accountManager: AccountManagerDto | null;
  @ApiProperty({ type: [SubscriptionDto] }) subscriptions: SubscriptionDto[];
  @ApiPropertyOptional({ description: 'event lists only' }) kind?: string;
  @ApiPropertyOptional({ description: 'event lists only: the least advanced state of its notices' })
  deliveryStatus?: string;
}

export class AffectedPageDto extends PageDto {
  @ApiProperty({ type: [AffectedItemDto] }) items: AffectedItemDto[];
}

export class OutreachResultDto {
  @ApiProperty() eventId: string;
  @ApiProperty({ enum: EVENT_STATUSES }) status: string;
  @ApiProperty({ description: 'notices the action touched' }) notices: number;
  @ApiProperty({ description: 'webhook deliveries the action touched (cancel, retry-failed)' }) webhooks: number;
}

export class CaseViewDto {
  @ApiProperty() caseId: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status: string;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) closedAt: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ description: 'customer subscriptions suspended now' }) suspendedSubscriptions: number;
  @ApiProperty({ description: 'customers with a subscription suspended now' }) suspendedCustomers: number;
}

export class CasePageDto extends PageDto {
  @ApiProperty({ type: [CaseViewDto] }) items: CaseViewDto[];
}

export class CaseDetailDto extends CaseViewDto {
  @ApiProperty({ type: [EventViewDto], description: "the case's events in the order they were applied" })
  timeline: EventViewDto[];
}

export class PreviewLocaleDto {
  @ApiProperty({ example: 'pt-BR' }) locale: string;
  @ApiProperty() notices: number;
  @ApiProperty({ example: 'pt', description: 'the message catalogue its notices are written from' }) catalogue: string;
}

export class NoticeSampleDto {
  @ApiProperty() kind: string;
  @ApiProperty({ nullable: true, type: String, enum: ['developer', 'enterprise'] }) tier: string | null;
  @ApiProperty() locale: string;
  @ApiProperty({ nullable: true, type: String }) templateLocale: string | null;
  @ApiProperty() to: string;
  @ApiProperty({ nullable: true, type: String }) subject: string | null;
  @ApiProperty({ nullable: true, type: String }) html: string | null;
  @ApiProperty({ nullable: true, type: String }) text: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'why it could not be rendered' }) error: string | null;
}

export class PreviewCountsDto {
  @ApiProperty() customers: number;
  @ApiProperty() notices: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'kind → {customers, notices}' })
  byKind: Record<string, { customers: number; notices: number }>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) byTier: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) byCountry: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) byProduct: Record<string, number>;
}

export class PreviewResultDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the event as it would be stored' })
  event: Record<string, unknown>;
  @ApiProperty({ description: 'false: the event would be rejected, for `reasons`' }) accepted: boolean;
  @ApiProperty({ type: [String] }) reasons: string[];
  @ApiProperty({ type: PreviewCountsDto }) counts: PreviewCountsDto;
  @ApiProperty({ type: [PreviewLocaleDto], description: "the languages the event's contacts read, most used first" })
  locales: PreviewLocaleDto[];
  @ApiProperty({ type: [NoticeSampleDto] }) samples: NoticeSampleDto[];
}
