import { DynamicModule, Module, Type } from '@nestjs/common';
import type { AppRole } from './config/app-config';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppLoggerModule } from './common/logger.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { RegistryModule } from './registry/registry.module';

/** Modules every role needs. */
const CORE: Type[] = [AppConfigModule, AppLoggerModule, DatabaseModule, QueueModule, MetricsModule, AuditModule, AuthModule, RegistryModule];
/** HTTP API and pages. */
const API: Type[] = [HealthModule];
/** Queue processors. */
const WORKER: Type[] = [];

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
