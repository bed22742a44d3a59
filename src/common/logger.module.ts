import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** Query values named token or _csrf, also percent-encoded inside another value (a login redirect's `next`). */
const SECRET_PARAM = /((?:[?&]|%3F|%26)(?:token|_csrf)(?:=|%3D))(?:(?!%26)[^&#\s])*/gi;
/** Anything shaped like an API token (see token-secret.ts), wherever it sits. */
const TOKEN_SHAPE = /imp_[\w-]{20,}/g;

/** A URL as it may be logged: secrets in its query, however encoded, replaced. */
export function scrubUrl(url: string): string {
  return url.replace(SECRET_PARAM, '$1[redacted]').replace(TOKEN_SHAPE, '[redacted]');
}

/** Structured JSON logs with a request id; tokens and cookies never reach a log line. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          genReqId: (req: IncomingMessage) => {
            const given = req.headers['x-request-id'];
            return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
          },
          redact: {
            paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.body.token'],
            censor: '[redacted]',
          },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: scrubUrl(req.url),
            }),
            res: (res: { statusCode: number; headers?: Record<string, unknown> }) => {
              const location = res.headers?.location;
              if (typeof location !== 'string') return res;
              return { ...res, headers: { ...res.headers, location: scrubUrl(location) } };
            },
          },
          autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
        },
      }),
    }),
  ],
})
export class AppLoggerModule {}
