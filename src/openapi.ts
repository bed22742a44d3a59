// `node dist/src/openapi.js [FILE]`: writes the API's OpenAPI document (JSON) without connecting to PostgreSQL or Redis.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { AppModule } from './app.module';
import { openApiDocument } from './bootstrap';

async function main(): Promise<void> {
  // Preview mode resolves the module graph and reads the decorators but instantiates no provider: no connection opens.
  const app = await NestFactory.create(AppModule.forRole('api'), { preview: true, logger: false, abortOnError: false });
  const json = `${JSON.stringify(openApiDocument(app), null, 2)}\n`;
  const file = process.argv[2];
  if (file) writeFileSync(file, json);
  else process.stdout.write(json);
  await app.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`openapi: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
