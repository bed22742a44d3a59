// Response shapes of the catalog, customer and import routes, for the OpenAPI document (SPEC §2, §5).
import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, NOTICE_KINDS } from '../../domain/notice.types';
import { PRODUCT_CATEGORIES, TIERS } from '../../domain/registry.types';
import { IMPORT_MODES } from '../import/import.types';
import { PageDto } from '../../common/paging.dto';

export class ProductDto {
  @ApiProperty({ example: 'claude-api' }) code: string;
  @ApiProperty({ example: 'Claude API' }) name: string;
  @ApiProperty({ enum: PRODUCT_CATEGORIES }) category: string;
}

export class ProductPageDto extends PageDto {
  @ApiProperty({ type: [ProductDto] }) items: ProductDto[];
}

export class RegionGroupDto {
  @ApiProperty({ example: 'NORDICS' }) code: string;
  @ApiProperty({ example: 'Nordics' }) name: string;
  @ApiProperty({ type: [String], example: ['DK', 'FI', 'IS', 'NO', 'SE'] }) countries: string[];
  @ApiProperty({ description: 'built in (continents and regions), not defined by an operator' }) builtin: boolean;
}

export class RegionGroupPageDto extends PageDto {
  @ApiProperty({ type: [RegionGroupDto] }) items: RegionGroupDto[];
}

export class AccountManagerRefDto {
  @ApiProperty() email: string;
  @ApiProperty() name: string;
}

export class SubscriptionRefDto {
  @ApiProperty({ example: 'claude-api' }) product: string;
  @ApiProperty({ example: 'DE' }) country: string;
}

export class CustomerSummaryDto {
  @ApiProperty({ example: 'ACME-001' }) ref: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: TIERS }) tier: string;
  @ApiProperty({ example: 'DE', description: 'ISO 3166-1 alpha-2' }) country: string;
  @ApiProperty({ type: AccountManagerRefDto, nullable: true }) accountManager: AccountManagerRefDto | null;
  @ApiProperty({ description: 'false once a sync import left it out' }) active: boolean;
  @ApiProperty({ type: [SubscriptionRefDto] }) subscriptions: SubscriptionRefDto[];
}

export class CustomerPageDto extends PageDto {
  @ApiProperty({ type: [CustomerSummaryDto] }) items: CustomerSummaryDto[];
}

export class ContactDto {
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'pt-BR' }) locale: string;
  @ApiProperty({ nullable: true, type: String }) role: string | null;
  @ApiProperty({ description: 'false: the contact is never sent notices' }) notices: boolean;
}

export class CustomerSubscriptionDto {
  @ApiProperty({ example: 'claude-api' }) product: string;
  @ApiProperty({ example: 'Claude API' }) productName: string;
  @ApiProperty({ enum: PRODUCT_CATEGORIES }) category: string;
  @ApiProperty({ example: 'DE' }) country: string;
}

export class CustomerCaseDto {
  @ApiProperty() caseId: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status: string;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiProperty({ type: [SubscriptionRefDto], description: "the customer's subscriptions suspended now in this case" })
  suspended: SubscriptionRefDto[];
}

export class CustomerNoticeDto {
  @ApiProperty() id: string;
  @ApiProperty() eventId: string;
  @ApiProperty() caseId: string;
  @ApiProperty({ enum: NOTICE_KINDS }) kind: string;
  @ApiProperty() email: string;
  @ApiProperty() locale: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: Number, description: 'the last SMTP reply code' }) lastCode: number | null;
  @ApiProperty({ nullable: true, type: String }) lastReply: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) sentAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the SMTP provider that sent it' }) provider: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'bounce or complaint reason' }) feedbackReason:
    string | null;
  @ApiProperty() softBounces: number;
}

export class CustomerDetailDto extends CustomerSummaryDto {
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: [ContactDto] }) contacts: ContactDto[];
  @ApiProperty({ type: [CustomerSubscriptionDto] }) declare subscriptions: CustomerSubscriptionDto[];
  @ApiProperty({ type: [CustomerCaseDto], description: 'cases that suspend some of its subscriptions now' })
  cases: CustomerCaseDto[];
  @ApiProperty({ type: [CustomerNoticeDto], description: 'every notice sent to its contacts' })
  notices: CustomerNoticeDto[];
}

export class ImportCountsDto {
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty({ description: 'sync mode: active customers the file left out' }) deactivated: number;
}

export class ImportErrorDto {
  @ApiProperty({ description: 'line of the file (1-based); 0 for the file as a whole' }) line: number;
  @ApiProperty({ example: 'contacts[0].email' }) field: string;
  @ApiProperty() message: string;
}

export class ImportReportDto {
  @ApiProperty({ description: 'false when the file had errors or dryRun was set: nothing was written' })
  applied: boolean;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ enum: IMPORT_MODES }) mode: string;
  @ApiProperty({ type: ImportCountsDto }) customers: ImportCountsDto;
  @ApiProperty() contacts: number;
  @ApiProperty() subscriptions: number;
  @ApiProperty({ description: 'every error, even past the 1,000 listed' }) errorCount: number;
  @ApiProperty({ type: [ImportErrorDto], description: 'at most 1,000' }) errors: ImportErrorDto[];
}
