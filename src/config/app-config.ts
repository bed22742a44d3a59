// Environment variables (SPEC §8), validated once at start into one typed object.
import { plainToInstance, Transform } from 'class-transformer';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseEnv } from 'node:util';
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
  ValidateBy,
} from 'class-validator';
import { hashTagOf, parseClusterNodes, type RedisClusterNode } from './redis-cluster';
import { parseSmtpProviders, redactUrl, type SmtpProviderConfig } from './smtp-providers';

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

  /**
   * Seed nodes of a Redis Cluster, `host:port,host:port,…`; set, every connection is a cluster client (REDIS_URL then
   * gives only the credentials and `rediss:` TLS) and BULLMQ_PREFIX must be a hash tag.
   */
  @IsOptional()
  @ValidateBy({
    name: 'redisClusterNodes',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && parseClusterNodes(v).problems.length === 0,
      defaultMessage: (a) =>
        `must be host:port entries, comma-separated: ${parseClusterNodes(String(a?.value ?? '')).problems.join('; ')}`,
    },
  })
  REDIS_CLUSTER_NODES?: string;

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

  /** One or more smtp(s):// URLs, comma-separated, in order of preference; each may carry `?rate=N&maxMessageBytes=N`. */
  @IsOptional()
  @ValidateBy({
    name: 'smtpProviders',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && parseSmtpProviders(v).problems.length === 0,
      defaultMessage: (a) =>
        `must be an smtp:// or smtps:// URL, or several comma-separated: ${parseSmtpProviders(String(a?.value ?? '')).problems.join('; ')}`,
    },
  })
  SMTP_URL?: string;

  /** A provider whose sends fail this many times in a row is set aside (circuit open) for SMTP_SET_ASIDE_MS. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  SMTP_FAILURES_TO_SET_ASIDE = 3;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer (milliseconds)' })
  @Min(100)
  SMTP_SET_ASIDE_MS = 30_000;

  @IsOptional()
  @Matches(/^[A-Za-z0-9.-]+$/, { message: 'must be a domain name' })
  DKIM_DOMAIN?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'must be a DNS label (the selector)' })
  DKIM_SELECTOR?: string;

  /** A PEM private key, or the path of a file holding one. */
  @IsOptional()
  @IsString()
  DKIM_PRIVATE_KEY?: string;

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

  /**
   * How many contact notices (in send order, after the digests) an event's apply writes before it commits and
   * sending starts; the rest are written in a second transaction while the first ones go out.
   */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer (notices)' })
  @Min(1)
  PLAN_FIRST_NOTICES = 20000;

  @IsOptional()
  @IsString()
  SESSION_SECRET?: string;

  @IsIn(['development', 'production', 'test'], { message: 'must be development, production or test' })
  NODE_ENV = 'development';

  /** Signs the customers' status links (SPEC §4); required in production. Changing it invalidates every link. */
  @IsOptional()
  @Matches(/^.{32,}$/s, { message: 'must be at least 32 characters (a long random string)' })
  LINK_SECRET?: string;

  /** The `?token=` the providers' bounce webhooks must carry; unset: those webhooks answer 401 to everything. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,}$/, { message: 'must be at least 16 printable characters without spaces' })
  BOUNCE_WEBHOOK_TOKEN?: string;

  /** Lets customer webhooks use http:// and private addresses (tests, internal endpoints). */
  @Transform(({ value }) =>
    value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value,
  )
  @IsIn([true, false], { message: 'must be true or false' })
  WEBHOOK_ALLOW_PRIVATE = false;

  /** How long one webhook call may take, connect to last byte, before it counts as failed and is retried. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer (milliseconds)' })
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;
}

export type AppConfig = Readonly<
  EnvironmentVariables & {
    /** SMTP_URL parsed: empty when unset (outbox mode). */
    SMTP_PROVIDERS: readonly SmtpProviderConfig[];
    /** REDIS_CLUSTER_NODES parsed: empty when unset (one Redis at REDIS_URL). */
    REDIS_CLUSTER: readonly RedisClusterNode[];
    /** The DKIM signing key (PEM) read from DKIM_PRIVATE_KEY, or null without DKIM. */
    DKIM_KEY_PEM: string | null;
  }
>;

export class InvalidEnvironmentError extends Error {}

const SECRET = new Set(['DKIM_PRIVATE_KEY', 'SESSION_SECRET', 'LINK_SECRET', 'BOUNCE_WEBHOOK_TOKEN']);

function describe(errors: ValidationError[], env: Record<string, string | undefined>): string[] {
  return errors.map((e) => {
    const got = env[e.property];
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    // Secrets are never echoed; URLs lose their passwords.
    if (SECRET.has(e.property)) return `  ${e.property}: ${reasons}`;
    const shown = e.property === 'SMTP_URL' && got ? got.split(',').map(redactUrl).join(',') : got;
    return `  ${e.property}: ${reasons} (got ${JSON.stringify(shown)})`;
  });
}

const OPTIONAL = [
  'REDIS_CLUSTER_NODES',
  'SMTP_URL',
  'SESSION_SECRET',
  'DKIM_DOMAIN',
  'DKIM_SELECTOR',
  'DKIM_PRIVATE_KEY',
  'LINK_SECRET',
  'BOUNCE_WEBHOOK_TOKEN',
];

/**
 * The process environment, over the `.env` file of the working directory when there is one (SPEC §8: the
 * environment wins). Jest runs (NODE_ENV=test) skip the file, so a developer's own .env never leaks into tests.
 */
export function environment(file = '.env'): Record<string, string | undefined> {
  if (process.env.NODE_ENV === 'test' || !existsSync(file)) return process.env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...process.env };
}

/** DKIM needs all three variables; the key is PEM text (`\n` escapes allowed) or a file path. */
function dkimKey(config: EnvironmentVariables): { pem: string | null; problems: string[] } {
  const set = [config.DKIM_DOMAIN, config.DKIM_SELECTOR, config.DKIM_PRIVATE_KEY].filter((v) => v).length;
  if (set === 0) return { pem: null, problems: [] };
  if (set < 3) {
    return { pem: null, problems: ['  DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: set all three to sign, or none'] };
  }
  const value = config.DKIM_PRIVATE_KEY!.replace(/\\n/g, '\n');
  if (value.includes('-----BEGIN')) return { pem: value, problems: [] };
  try {
    const pem = readFileSync(value, 'utf8');
    if (pem.includes('-----BEGIN')) return { pem, problems: [] };
    return { pem: null, problems: [`  DKIM_PRIVATE_KEY: the file ${value} holds no PEM key`] };
  } catch (e) {
    return {
      pem: null,
      problems: [`  DKIM_PRIVATE_KEY: neither a PEM key nor a readable file (${(e as Error).message})`],
    };
  }
}

/**
 * On a Redis Cluster, BullMQ's scripts touch several keys of a queue at once, so every key must hash to one slot: the
 * prefix has to carry a hash tag. A cluster also has only database 0.
 */
function clusterProblems(
  config: EnvironmentVariables,
  env: Record<string, string | undefined>,
  invalid: Set<string>,
): string[] {
  if (!config.REDIS_CLUSTER_NODES) return [];
  const problems: string[] = [];
  const prefix = config.BULLMQ_PREFIX;
  if (!invalid.has('BULLMQ_PREFIX') && hashTagOf(prefix) === null) {
    const suggestion = /^[A-Za-z0-9:_.-]+$/.test(prefix) ? `{${prefix}}` : '{impact}';
    const got = env.BULLMQ_PREFIX ? JSON.stringify(prefix) : `the default ${JSON.stringify(prefix)}`;
    problems.push(
      `  BULLMQ_PREFIX: with REDIS_CLUSTER_NODES set, must be a Redis Cluster hash tag so that every key of a queue ` +
        `hashes to one slot; set BULLMQ_PREFIX=${suggestion} (got ${got})`,
    );
  }
  const db = invalid.has('REDIS_URL') ? '' : new URL(config.REDIS_URL).pathname.replace(/^\//, '');
  if (db !== '' && db !== '0') {
    problems.push(
      `  REDIS_URL: with REDIS_CLUSTER_NODES set, must not select a database (a Redis Cluster has only database 0; got /${db})`,
    );
  }
  return problems;
}

/** Reads SPEC §8 variables from `env`; throws one error naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = environment()): AppConfig {
  const present = Object.fromEntries(
    Object.keys(new EnvironmentVariables())
      .concat(OPTIONAL)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const config = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  const problems = describe(errors, env);
  const dkim = errors.length === 0 ? dkimKey(config) : { pem: null, problems: [] };
  problems.push(...dkim.problems);
  problems.push(...clusterProblems(config, env, new Set(errors.map((e) => e.property))));
  if (config.NODE_ENV === 'production' && !config.LINK_SECRET && errors.every((e) => e.property !== 'LINK_SECRET')) {
    problems.push("  LINK_SECRET: required when NODE_ENV=production (signs the customers' status links)");
  }
  if (problems.length > 0) {
    throw new InvalidEnvironmentError(['Invalid environment variables:', ...problems].join('\n'));
  }
  const SMTP_PROVIDERS = config.SMTP_URL ? parseSmtpProviders(config.SMTP_URL).providers : [];
  const REDIS_CLUSTER = config.REDIS_CLUSTER_NODES ? parseClusterNodes(config.REDIS_CLUSTER_NODES).nodes : [];
  return Object.freeze(Object.assign(config, { SMTP_PROVIDERS, REDIS_CLUSTER, DKIM_KEY_PEM: dkim.pem }));
}
