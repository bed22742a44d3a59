import { Module } from '@nestjs/common';
import { TransactionService } from '../common/transaction.service';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';
import { CustomerDetailSections } from './customer-detail-sections';
import { CustomersController } from './customers.controller';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';
import { ImportWebhooksRepository } from './import/import-webhooks.repository';
import { RegistryApplyRepository } from './import/registry-apply.repository';
import { RegistryDirectLoadRepository } from './import/registry-direct-load.repository';
import { RegistryImportController } from './import/registry-import.controller';
import { RegistryImportRepository } from './import/registry-import.repository';
import { RegistryImportService } from './import/registry-import.service';
import { CustomerWebhookRepository } from './webhooks/customer-webhook.repository';
import { CustomerWebhooksController } from './webhooks/customer-webhooks.controller';
import { CustomerWebhooksService } from './webhooks/customer-webhooks.service';

/** Customer registry (SPEC §2): catalog, customers, their webhook endpoints (SPEC §4), imports. */
@Module({
  controllers: [CatalogController, CustomersController, CustomerWebhooksController, RegistryImportController],
  providers: [
    TransactionService,
    CatalogRepository,
    CatalogService,
    CustomersRepository,
    CustomersService,
    CustomerDetailSections,
    RegistryImportRepository,
    RegistryApplyRepository,
    RegistryDirectLoadRepository,
    ImportWebhooksRepository,
    RegistryImportService,
    CustomerWebhookRepository,
    CustomerWebhooksService,
  ],
  exports: [
    CatalogService,
    CatalogRepository,
    CustomersService,
    CustomerDetailSections,
    RegistryImportService,
    CustomerWebhooksService,
  ],
})
export class RegistryModule {}
