// Builds and starts the app for a role; shared by main.ts, the CLI and the tests.
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import typeis from 'type-is';
import { AppModule } from './app.module';
import { AppConfig, AppRole, loadConfig } from './config/app-config';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { BOUNCE_WEBHOOK_AUTH, WEBHOOKS_PREFIX } from './common/api';
import { appValidationPipe } from './common/validation';
import { ensureDatabase } from './database/ensure-database';

const isJson = (req: IncomingMessage) => typeis(req, ['application/json', 'application/*+json']) !== false;

/** JSON bodies are small; registry imports stream through their own parser. */
const JSON_BODY_LIMIT = '1mb';

/**
 * The OpenAPI document of every controller the app holds. Reads only metadata, so it also works on an app created in
 * preview mode (nothing connected), which is how `dist/src/openapi.js` writes it to a file for the linter.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Impact notices API')
    .setDescription(
      'Suspension events, cases, customer registry and outreach control. Every /api/v1 route needs a Bearer token.',
    )
    .setVersion('1')
    // Relative to where the document is served, so Swagger UI at /api/docs calls the host that serves it.
    .addServer('/', 'this service: the API, the webhooks and the pages share one origin')
    .addBearerAuth()
    .addApiKey(
      { type: 'apiKey', in: 'query', name: 'token', description: 'BOUNCE_WEBHOOK_TOKEN, set on the provider' },
      BOUNCE_WEBHOOK_AUTH,
    )
    .build();
  // A private service (package.json says UNLICENSED): the document says so rather than leaving the licence out.
  config.info.license = { name: 'UNLICENSED: proprietary, no licence is granted' };
  return SwaggerModule.createDocument(app, config);
}

export function configureHttpApp(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(appValidationPipe());
  // Providers' bounce webhooks are read raw by their own parsers (SNS posts JSON as text/plain; signatures need bytes).
  app.useBodyParser('json', {
    limit: JSON_BODY_LIMIT,
    type: (req) => !(req.url ?? '').startsWith(`/${WEBHOOKS_PREFIX}/`) && isJson(req),
  });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app));
}

export interface Started {
  app: INestApplication | INestApplicationContext;
  config: AppConfig;
  url?: string;
}

export async function startApp(role?: AppRole, opts: { port?: number } = {}): Promise<Started> {
  const config = loadConfig();
  const effectiveRole = role ?? config.APP_ROLE;
  await ensureDatabase(config.DATABASE_URL);
  const module = AppModule.forRole(effectiveRole);
  if (effectiveRole === 'worker') {
    const app = await NestFactory.createApplicationContext(module, { bufferLogs: true, abortOnError: false });
    app.useLogger(app.get(Logger));
    await app.init();
    return { app, config };
  }
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  configureHttpApp(app);
  await app.listen(opts.port ?? config.PORT, '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return { app, config, url: `http://127.0.0.1:${port}` };
}
