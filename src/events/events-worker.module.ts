import { Module } from '@nestjs/common';
import { NoticeSendingModule } from '../notices/notice-sending.module';
import { SendBatchProcessor } from '../notices/dispatch/send-batch.processor';
import { CaseApplyProcessor } from './case-apply.processor';
import { EventsModule } from './events.module';
import { SuspensionEventsProcessor } from './suspension-events.processor';
import { WorkReconcilerService } from './work-reconciler.service';

/** The queue processors and the reconciler: loaded only when APP_ROLE is worker or all. */
@Module({
  imports: [EventsModule, NoticeSendingModule],
  providers: [SuspensionEventsProcessor, CaseApplyProcessor, SendBatchProcessor, WorkReconcilerService],
})
export class EventsWorkerModule {}
