import { Module } from '@nestjs/common';
import { SendBatchProcessor } from './dispatch/send-batch.processor';
import { NoticeSendingModule } from './notice-sending.module';

/** The send queue's processor: loaded only by processes that run workers (APP_ROLE worker or all). */
@Module({
  imports: [NoticeSendingModule],
  providers: [SendBatchProcessor],
})
export class NoticeSendingWorkerModule {}
