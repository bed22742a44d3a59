import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { MetricsModule } from '../metrics/metrics.module';
import { QueueModule } from '../queue/queue.module';
import { RegistryModule } from '../registry/registry.module';
import { DemoCommand } from './demo.command';
import { DemoRepository } from './demo.repository';
import { EventsPublishCommand } from './events-publish.command';
import { RegistryGenerateCommand } from './registry-generate.command';
import { RegistryImportCommand } from './registry-import.command';
import { UsersCreateCommand } from './users-create.command';

@Module({
  imports: [AppConfigModule, DatabaseModule, MetricsModule, QueueModule, AuditModule, AuthModule, RegistryModule],
  providers: [
    UsersCreateCommand,
    RegistryImportCommand,
    RegistryGenerateCommand,
    EventsPublishCommand,
    DemoCommand,
    DemoRepository,
  ],
})
export class CliModule {}
