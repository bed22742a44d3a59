import { Module } from '@nestjs/common';
import { TransactionService } from '../common/transaction.service';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';
import { CustomerDetailSections } from './customer-detail-sections';
import { CustomersController } from './customers.controller';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';
import { RegistryApplyRepository } from './import/registry-apply.repository';
import { RegistryImportController } from './import/registry-import.controller';
import { RegistryImportRepository } from './import/registry-import.repository';
import { RegistryImportService } from './import/registry-import.service';

/** Customer registry (SPEC §2): catalog, customers, imports. */
@Module({
  controllers: [CatalogController, CustomersController, RegistryImportController],
  providers: [
    TransactionService,
    CatalogRepository,
    CatalogService,
    CustomersRepository,
    CustomersService,
    CustomerDetailSections,
    RegistryImportRepository,
    RegistryApplyRepository,
    RegistryImportService,
  ],
  exports: [CatalogService, CatalogRepository, CustomersService, CustomerDetailSections, RegistryImportService],
})
export class RegistryModule {}
