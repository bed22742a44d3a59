import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QueueName } from '../domain/queue.types';
import { QueueMetrics } from './queue.metrics';
import { redisOptions } from './redis-options';
import { RedisService } from './redis.service';

const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisOptions(config.REDIS_URL) as BullRedisOptions,
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
