import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QueueName } from '../domain/queue.types';
import { BullConnection } from './bull-connection';
import { QueueMetrics } from './queue.metrics';
import { RedisService } from './redis.service';

const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [DiscoveryModule],
      extraProviders: [BullConnection],
      inject: [APP_CONFIG, BullConnection],
      useFactory: (config: AppConfig, bull: BullConnection) => ({
        connection: bull.connection,
        prefix: config.BULLMQ_PREFIX,
        defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
      }),
    }),
    ...queues,
  ],
  providers: [RedisService, QueueMetrics],
  exports: [RedisService, ...queues],
})
export class QueueModule {}
