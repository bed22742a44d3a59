import { DynamicModule, Module, Type } from '@nestjs/common';
import type { AppRole } from './config/app-config';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppLoggerModule } from './common/logger.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsWorkerModule } from './events/events-worker.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { FeedbackModule } from './notices/feedback/feedback.module';
import { OutreachModule } from './outreach/outreach.module';
import { QueueModule } from './queue/queue.module';
import { RegistryModule } from './registry/registry.module';
import { WebModule } from './web/web.module';

/** Modules every role needs. */
const CORE: Type[] = [
  AppConfigModule,
  AppLoggerModule,
  DatabaseModule,
  QueueModule,
  MetricsModule,
  AuditModule,
  AuthModule,
  RegistryModule,
];
/** HTTP API and pages. */
const API: Type[] = [HealthModule, EventsModule, OutreachModule, FeedbackModule, WebModule];
/** Queue processors. */
const WORKER: Type[] = [EventsWorkerModule];

@Module({})
export class AppModule {
  /** The app for one APP_ROLE: `api` serves HTTP, `worker` runs queue processors, `all` does both. */
  static forRole(role: AppRole): DynamicModule {
    return {
      module: AppModule,
      imports: [...CORE, ...(role !== 'worker' ? API : []), ...(role !== 'api' ? WORKER : [])],
    };
  }
}
