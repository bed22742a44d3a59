// The mail pumps: jobs of the notice-dispatch queue.
import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { QueueName } from '../../domain/queue.types';
import { DeliveryPumpProcessor, PUMP_WORKER_OPTIONS } from './delivery-pump.processor';
import { DeliverySenderService } from './delivery-sender.service';
import { NoticeDispatchService } from './notice-dispatch.service';

@Processor(QueueName.NoticeDispatch, PUMP_WORKER_OPTIONS)
export class SendBatchProcessor extends DeliveryPumpProcessor {
  constructor(sender: DeliverySenderService, @Inject(APP_CONFIG) config: AppConfig, dispatch: NoticeDispatchService) {
    super('email', sender, config, dispatch);
  }
}
