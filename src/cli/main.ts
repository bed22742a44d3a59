// `npm run cli -- <command>`: operator commands that run against the same database and queues as the service.
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { InvalidEnvironmentError, loadConfig } from '../config/app-config';
import { ensureDatabase } from '../database/ensure-database';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.DATABASE_URL);
  await CommandFactory.run(CliModule, {
    logger: ['error', 'warn'],
    errorHandler: (e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(1);
    },
    serviceErrorHandler: (e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(1);
    },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof InvalidEnvironmentError ? e.message : `error: ${(e as Error).message}`}\n`);
  process.exit(1);
});
