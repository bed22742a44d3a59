import { Module } from '@nestjs/common';
import { SendBatchProcessor } from './dispatch/send-batch.processor';
import { SendWebhooksProcessor } from './dispatch/send-webhooks.processor';
import { NoticeSendingModule } from './notice-sending.module';

/** The send queues' processors (mail, webhooks): loaded only by processes that run workers (APP_ROLE worker or all). */
@Module({
  imports: [NoticeSendingModule],
  providers: [SendBatchProcessor, SendWebhooksProcessor],
})
export class NoticeSendingWorkerModule {}
