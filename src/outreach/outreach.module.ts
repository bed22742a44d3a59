import { Module } from '@nestjs/common';
import { TransactionService } from '../common/transaction.service';
import { EventsModule } from '../events/events.module';
import { MatchingModule } from '../matching/matching.module';
import { NoticeSendingModule } from '../notices/notice-sending.module';
import { CaseReconcileController } from './case-reconcile.controller';
import { CaseReconcileService } from './case-reconcile.service';
import { NoticesQueryService } from './notices-query.service';
import { OutreachController } from './outreach.controller';
import { OutreachRepository } from './outreach.repository';
import { OutreachService } from './outreach.service';

/** Support's control of outreach: approve, pause, resume, cancel, retry, test-send, reconcile. */
@Module({
  imports: [EventsModule, MatchingModule, NoticeSendingModule],
  controllers: [OutreachController, CaseReconcileController],
  providers: [TransactionService, OutreachRepository, OutreachService, CaseReconcileService, NoticesQueryService],
  exports: [OutreachService, CaseReconcileService],
})
export class OutreachModule {}
