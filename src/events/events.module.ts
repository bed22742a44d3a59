import { Module } from '@nestjs/common';
import { MatchingModule } from '../matching/matching.module';
import { NoticeSendingModule } from '../notices/notice-sending.module';
import { StatusLinkModule } from '../notices/status-link/status-link.module';
import { RegistryModule } from '../registry/registry.module';
import { TransactionService } from '../common/transaction.service';
import { CustomerStatusRepository } from './customer-status/customer-status.repository';
import { CustomerStatusService } from './customer-status/customer-status.service';
import { AffectedExportService } from './affected-export.service';
import { AffectedRepository } from './affected.repository';
import { AffectedTotalsCache } from './affected-totals.cache';
import { EventTalliesCache } from './event-tallies.cache';
import { CaseLifecycleService } from './case-lifecycle.service';
import { CasesController } from './cases.controller';
import { CasesRepository } from './cases.repository';
import { CustomerSectionsService } from './customer-sections.service';
import { EventIntakeService } from './event-intake.service';
import { EventPreviewRepository } from './event-preview.repository';
import { EventPreviewService } from './event-preview.service';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';

/** Events and cases: intake, lifecycle, preview and the read API. */
@Module({
  imports: [MatchingModule, NoticeSendingModule, RegistryModule, StatusLinkModule],
  controllers: [EventsController, CasesController],
  providers: [
    TransactionService,
    CustomerStatusRepository,
    CustomerStatusService,
    CustomerSectionsService,
    EventsRepository,
    CasesRepository,
    AffectedRepository,
    AffectedTotalsCache,
    EventTalliesCache,
    AffectedExportService,
    EventIntakeService,
    CaseLifecycleService,
    EventPreviewRepository,
    EventPreviewService,
    EventsService,
  ],
  exports: [
    CustomerStatusService,
    EventsRepository,
    CasesRepository,
    AffectedRepository,
    EventIntakeService,
    CaseLifecycleService,
    EventPreviewService,
    EventsService,
  ],
})
export class EventsModule {}
