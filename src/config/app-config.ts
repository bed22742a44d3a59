// Environment variables (SPEC §8), validated once at start into one typed object.
import { plainToInstance, Transform } from 'class-transformer';
import { availableParallelism } from 'node:os';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
  ValidationError,
} from 'class-validator';

export const APP_ROLES = ['all', 'api', 'worker'] as const;
export type AppRole = (typeof APP_ROLES)[number];
export const DISPATCH_MODES = ['auto', 'review'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;

class EnvironmentVariables {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/impact_notices';

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9:{}_.-]{1,64}$/, { message: 'must be 1-64 chars of letters, digits, : { } _ . -' })
  BULLMQ_PREFIX = 'bull';

  @Transform(toInt)
  @IsInt({ message: 'must be an integer' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  @IsIn(APP_ROLES, { message: `must be one of ${APP_ROLES.join(', ')}` })
  APP_ROLE: AppRole = 'all';

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  OUTBOX_DIR = 'var/outbox';

  @IsString()
  MAIL_FROM = 'Export Compliance <notices@vendor.example>';

  @Matches(/^[A-Za-z0-9.-]+$/, { message: 'must be a domain name' })
  MAIL_DOMAIN = 'vendor.example';

  @IsEmail({ require_tld: false }, { message: 'must be an email address' })
  SUPPORT_EMAIL = 'support@vendor.example';

  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a number (0 means unlimited)' })
  @Min(0)
  MAIL_RATE_PER_SECOND = 0;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(100)
  MAIL_MAX_ATTEMPTS = 8;

  @IsIn(DISPATCH_MODES, { message: `must be one of ${DISPATCH_MODES.join(', ')}` })
  DEFAULT_DISPATCH: DispatchMode = 'review';

  @IsString()
  TEMPLATES_DIR = 'templates';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toInt)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(256)
  WORKER_CONCURRENCY = 4;

  /** Threads that parse and validate a JSON Lines import (0: the importing thread itself). */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer' })
  @Min(0)
  @Max(16)
  IMPORT_PARSE_THREADS = Math.min(4, availableParallelism());

  @Transform(toInt)
  @IsInt({ message: 'must be an integer (milliseconds)' })
  @Min(10)
  MAIL_RETRY_BASE_MS = 2000;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer (milliseconds)' })
  @Min(100)
  RECONCILE_INTERVAL_MS = 5000;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer (seconds)' })
  @Min(5)
  SEND_LEASE_SECONDS = 60;

  @IsOptional()
  @IsString()
  SESSION_SECRET?: string;
}

export type AppConfig = Readonly<Omit<EnvironmentVariables, never>>;

export class InvalidEnvironmentError extends Error {}

function describe(errors: ValidationError[], env: Record<string, string | undefined>): string[] {
  return errors.map((e) => {
    const got = env[e.property];
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    return `  ${e.property}: ${reasons} (got ${JSON.stringify(got)})`;
  });
}

/** Reads SPEC §8 variables from `env`; throws one error naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.keys(new EnvironmentVariables())
      .concat(['SMTP_URL', 'SESSION_SECRET'])
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const config = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new InvalidEnvironmentError(['Invalid environment variables:', ...describe(errors, env)].join('\n'));
  }
  return Object.freeze(config);
}
