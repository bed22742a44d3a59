// The JSON of a customer's own status page (GET /status/{caseId}/c/{token} with Accept: application/json), for the
// OpenAPI document; the shape is CustomerStatusJson.
import { ApiProperty } from '@nestjs/swagger';
import { EVENT_TYPES } from '../../domain/event.types';
import { CUSTOMER_NOTICE_KINDS } from '../../domain/notice.types';
import { SubscriptionRefDto } from '../../registry/dto/registry-view.dto';

class StatusCustomerDto {
  @ApiProperty({ example: 'ACME-001' }) ref: string;
  @ApiProperty() name: string;
}

class StatusTimelineEntryDto {
  @ApiProperty() eventId: string;
  @ApiProperty({ enum: EVENT_TYPES }) type: string;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({
    nullable: true,
    enum: CUSTOMER_NOTICE_KINDS,
    description: 'what the customer was told; null: nothing',
  })
  kind: string | null;
  @ApiProperty({ type: [SubscriptionRefDto], description: 'suspended by this event' }) added: SubscriptionRefDto[];
  @ApiProperty({ type: [SubscriptionRefDto], description: 'released by this event' }) removed: SubscriptionRefDto[];
  @ApiProperty({ type: [String] }) conditions: string[];
}

export class CustomerStatusDto {
  @ApiProperty() caseId: string;
  @ApiProperty({ type: StatusCustomerDto }) customer: StatusCustomerDto;
  @ApiProperty({ type: [SubscriptionRefDto], description: 'what of the customer stays blocked in the case now' })
  suspended: SubscriptionRefDto[];
  @ApiProperty({
    type: [StatusTimelineEntryDto],
    description: 'the released events of the case that concern the customer, oldest first',
  })
  timeline: StatusTimelineEntryDto[];
}
