import { Module } from '@nestjs/common';
import { NoticeSendingModule } from '../notices/notice-sending.module';
import { NoticeSendingWorkerModule } from '../notices/notice-sending-worker.module';
import { CaseApplyProcessor } from './case-apply.processor';
import { EventsModule } from './events.module';
import { SuspensionEventsProcessor } from './suspension-events.processor';
import { WorkReconcilerService } from './work-reconciler.service';

/** The queue processors (the send queue's with NoticeSendingWorkerModule) and the reconciler: APP_ROLE worker or all. */
@Module({
  imports: [EventsModule, NoticeSendingModule, NoticeSendingWorkerModule],
  providers: [SuspensionEventsProcessor, CaseApplyProcessor, WorkReconcilerService],
})
export class EventsWorkerModule {}
