// Hands messages to the SMTP providers of SMTP_URL in order of preference (failing over on 4xx and connection errors),
// or (no SMTP_URL) writes each one as an .eml file into OUTBOX_DIR.
import { mkdirSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { createTransport, type SMTPPoolSentMessageInfo, type StreamSentMessageInfo } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { parseSmtpProviders, type SmtpProviderConfig } from '../../../config/smtp-providers';
import { msToNextSecond } from '../../../queue/rate-counter';
import { CircuitBreaker } from './circuit-breaker';
import { LocalRateGate, ProviderRateGate, type RateGate } from './provider-rate.gate';
import { ProviderMetrics, type ProviderObserver } from './provider.metrics';
import type { NoticeMail } from './mail-message.builder';
import { buildRawMessage } from './raw-message.builder';
import { classifySmtpError, SmtpPermanentError, SmtpTemporaryError } from './smtp-errors';

export interface SendResult {
  /** SMTP reply code of the accepted message (250); 250 for a file written to the outbox. */
  code: number;
  /** The server's final reply, or where the outbox file was written. */
  response: string;
  messageId: string;
  /** The provider that accepted it (SMTP_URL entry name); null for the outbox. */
  provider: string | null;
}

export type TransportConfig = Pick<AppConfig, 'SMTP_URL' | 'OUTBOX_DIR'> &
  Partial<
    Pick<
      AppConfig,
      | 'SMTP_PROVIDERS'
      | 'DKIM_DOMAIN'
      | 'DKIM_SELECTOR'
      | 'DKIM_KEY_PEM'
      | 'SMTP_FAILURES_TO_SET_ASIDE'
      | 'SMTP_SET_ASIDE_MS'
    >
  >;

/** Pool settings; a query string on SMTP_URL (e.g. `?maxConnections=10`) overrides them, as Nodemailer reads it last. */
export const SMTP_POOL_DEFAULTS = {
  maxConnections: 8,
  // Connections are reused until the server closes them: each new one costs a greeting and EHLO.
  maxMessages: Infinity,
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 60_000,
} as const;

// Messages are built from strings only: never let a field point Nodemailer at a file or a URL.
const NO_EXTERNAL_CONTENT = { disableFileAccess: true, disableUrlAccess: true } as const;

/** `<notice-42@vendor.example>` → `notice-42@vendor.example.eml`: the same notice always lands in the same file. */
export function outboxFileName(messageId: string): string {
  const base = messageId
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9._@-]/g, '_')
    .replace(/^\.+/, '_');
  return `${base || 'message'}.eml`;
}

interface Provider {
  config: SmtpProviderConfig;
  smtp: Mail<SMTPPoolSentMessageInfo>;
  breaker: CircuitBreaker;
}

function dkimOptions(config: TransportConfig) {
  if (!config.DKIM_KEY_PEM || !config.DKIM_DOMAIN || !config.DKIM_SELECTOR) return {};
  return {
    dkim: { domainName: config.DKIM_DOMAIN, keySelector: config.DKIM_SELECTOR, privateKey: config.DKIM_KEY_PEM },
  };
}

/** Nodemailer options that send `raw` as it is: the envelope and Message-ID are read from the notice, not the bytes. */
function rawOptions(message: NoticeMail, raw: Buffer): Mail.Options {
  return { raw, envelope: { from: message.from, to: message.to }, messageId: message.messageId };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function replyCode(response: string | undefined): number {
  const code = Number.parseInt((response ?? '').slice(0, 3), 10);
  return Number.isInteger(code) ? code : 250;
}

@Injectable()
export class MailTransportService implements OnModuleDestroy {
  readonly mode: 'smtp' | 'outbox';
  /** Absolute outbox directory (outbox mode only). */
  readonly outboxDir: string | null;
  private readonly providers: Provider[];
  private readonly composer: Mail<StreamSentMessageInfo> | null;
  private readonly gate: RateGate;
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) config: TransportConfig,
    @Optional() gate?: ProviderRateGate,
    @Optional() private readonly observer?: ProviderMetrics,
  ) {
    const providers = config.SMTP_PROVIDERS ?? (config.SMTP_URL ? parseSmtpProviders(config.SMTP_URL).providers : []);
    this.gate = gate ?? new LocalRateGate();
    const dkim = dkimOptions(config);
    this.providers = providers.map((p) => ({
      config: p,
      smtp: createTransport({ ...SMTP_POOL_DEFAULTS, ...NO_EXTERNAL_CONTENT, ...dkim, pool: true, url: p.url }),
      breaker: new CircuitBreaker({
        failuresToOpen: config.SMTP_FAILURES_TO_SET_ASIDE ?? 3,
        coolDownMs: config.SMTP_SET_ASIDE_MS ?? 30_000,
      }),
    }));
    if (this.providers.length > 0) {
      this.mode = 'smtp';
      this.outboxDir = null;
      this.composer = null;
    } else {
      this.mode = 'outbox';
      this.outboxDir = resolve(config.OUTBOX_DIR);
      mkdirSync(this.outboxDir, { recursive: true });
      // The file holds the bytes an SMTP server would receive (raw, CRLF line ends, signed when DKIM is set).
      this.composer = createTransport({
        streamTransport: true,
        buffer: true,
        ...NO_EXTERNAL_CONTENT,
        ...dkim,
      });
    }
    (this.observer as ProviderObserver | undefined)?.watch(() => this.providerStates());
  }

  /** Without Nest: `MailTransportService.create(loadConfig())`. */
  static create(config: TransportConfig): MailTransportService {
    return new MailTransportService(config);
  }

  /** Each provider's name and whether this process has set it aside. */
  providerStates() {
    return this.providers.map((p) => ({ provider: p.config.name, state: p.breaker.state }));
  }

  /**
   * Sends one message; throws SmtpTemporaryError (retry later) or SmtpPermanentError (give up), with the provider
   * that answered. A 4xx or connection error moves on to the next provider at once; a provider whose own rate is
   * spent this second is passed over for the next one, and when only such providers are left we wait for the next
   * second. Set-aside providers are skipped until their cool-down ends, unless all of them are set aside.
   *
   * The message is encoded once, into the bytes every provider is offered (and measured against its maxMessageBytes):
   * Nodemailer wraps them in one raw node and only signs and writes them; no MIME tree is composed per send.
   */
  async send(message: NoticeMail): Promise<SendResult> {
    let raw: Buffer;
    try {
      raw = buildRawMessage(message);
    } catch (e) {
      // Encoding is pure: the same notice would fail the same way on every retry.
      throw new SmtpPermanentError(null, `the message could not be built: ${(e as Error).message}`, 'EMESSAGE');
    }
    if (this.composer) {
      try {
        return await this.writeOutbox(message, raw);
      } catch (e) {
        throw classifySmtpError(e);
      }
    }
    const tried = new Set<Provider>();
    let lastTemporary: SmtpTemporaryError | null = null;
    let tooLarge = 0;
    for (;;) {
      let rateSpent = false;
      // Set-aside providers are passed over while another can be tried; when every one is set aside they are
      // tried all the same (in order), since there is nowhere else to send and a retry later costs an attempt.
      for (const force of [false, true]) {
        if (force && (tried.size > tooLarge || rateSpent)) break;
        for (const p of this.providers) {
          if (tried.has(p)) continue;
          if (p.config.maxMessageBytes !== null && raw.length > p.config.maxMessageBytes) {
            tried.add(p);
            tooLarge += 1;
            continue;
          }
          if (!force && !p.breaker.tryAcquire()) continue;
          if (p.config.rate > 0 && !(await this.gate.tryTake(p.config.name, p.config.rate))) {
            if (!force) p.breaker.abandon();
            rateSpent = true;
            continue;
          }
          tried.add(p);
          try {
            const res = await this.sendVia(p, message, raw);
            p.breaker.success();
            this.observer?.sent(p.config.name);
            return res;
          } catch (e) {
            const err = classifySmtpError(e);
            err.provider = p.config.name;
            this.observer?.failed(p.config.name, err.temporary ? 'temporary' : 'permanent');
            if (!err.temporary) {
              // The provider answered: it is up, the message is what it refused.
              p.breaker.success();
              throw err;
            }
            p.breaker.failure();
            lastTemporary = err;
          }
        }
      }
      if (!rateSpent) break;
      await sleep(msToNextSecond());
    }
    if (lastTemporary) throw lastTemporary;
    if (tooLarge === this.providers.length) {
      throw new SmtpPermanentError(
        null,
        `message of ${raw.length} bytes is larger than every SMTP provider accepts`,
        'EMESSAGESIZE',
      );
    }
    const aside = this.providers.filter((p) => p.breaker.state !== 'closed').map((p) => p.config.name);
    throw new SmtpTemporaryError(
      null,
      `every SMTP provider that could take this message is set aside (${aside.join(', ')})`,
      'ESETASIDE',
    );
  }

  private async sendVia(p: Provider, message: NoticeMail, raw: Buffer): Promise<SendResult> {
    const info = await p.smtp.sendMail(rawOptions(message, raw));
    return {
      code: replyCode(info.response),
      response: info.response,
      messageId: info.messageId || message.messageId,
      provider: p.config.name,
    };
  }

  private async writeOutbox(message: NoticeMail, raw: Buffer): Promise<SendResult> {
    const info = await this.composer!.sendMail(rawOptions(message, raw));
    const dir = this.outboxDir!;
    const file = join(dir, outboxFileName(info.messageId));
    // Written aside and renamed: a crash never leaves half a message, and a retry replaces the file.
    const temp = join(dir, `.${outboxFileName(info.messageId)}.${process.pid}.tmp`);
    try {
      await writeFile(temp, info.message as Buffer);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(dir, { recursive: true });
      await writeFile(temp, info.message as Buffer);
    }
    await rename(temp, file);
    return { code: 250, response: `250 written to ${file}`, messageId: info.messageId, provider: null };
  }

  /** Closes the pools' connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.providers) p.smtp.close();
    this.composer?.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
