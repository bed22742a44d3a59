// Hands messages to SMTP through Nodemailer's pooled transport, or (no SMTP_URL) writes each one as an .eml file into OUTBOX_DIR.
import { mkdirSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, type SMTPPoolSentMessageInfo, type StreamSentMessageInfo } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { classifySmtpError } from './smtp-errors';

export interface SendResult {
  /** SMTP reply code of the accepted message (250); 250 for a file written to the outbox. */
  code: number;
  /** The server's final reply, or where the outbox file was written. */
  response: string;
  messageId: string;
}

export type TransportConfig = Pick<AppConfig, 'SMTP_URL' | 'OUTBOX_DIR'>;

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
  const base = messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_').replace(/^\.+/, '_');
  return `${base || 'message'}.eml`;
}

function replyCode(response: string | undefined): number {
  const code = Number.parseInt((response ?? '').slice(0, 3), 10);
  return Number.isInteger(code) ? code : 250;
}

@Injectable()
export class MailTransportService implements OnModuleDestroy {
  readonly mode: 'smtp' | 'outbox';
  /** Absolute outbox directory (outbox mode only). */
  readonly outboxDir: string | null;
  private readonly smtp: Mail<SMTPPoolSentMessageInfo> | null;
  private readonly composer: Mail<StreamSentMessageInfo> | null;
  private closed = false;

  constructor(@Inject(APP_CONFIG) config: TransportConfig) {
    if (config.SMTP_URL) {
      this.mode = 'smtp';
      this.outboxDir = null;
      this.composer = null;
      this.smtp = createTransport({ ...SMTP_POOL_DEFAULTS, ...NO_EXTERNAL_CONTENT, pool: true, url: config.SMTP_URL });
    } else {
      this.mode = 'outbox';
      this.outboxDir = resolve(config.OUTBOX_DIR);
      mkdirSync(this.outboxDir, { recursive: true });
      this.smtp = null;
      // CRLF line ends: the file holds the same RFC 5322 bytes an SMTP server would receive.
      this.composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...NO_EXTERNAL_CONTENT });
    }
  }

  /** Without Nest: `MailTransportService.create(loadConfig())`. */
  static create(config: TransportConfig): MailTransportService {
    return new MailTransportService(config);
  }

  /** Sends one message; throws SmtpTemporaryError (retry later) or SmtpPermanentError (give up). */
  async send(message: Mail.Options): Promise<SendResult> {
    try {
      return this.smtp ? await this.sendSmtp(this.smtp, message) : await this.writeOutbox(message);
    } catch (e) {
      throw classifySmtpError(e);
    }
  }

  private async sendSmtp(smtp: Mail<SMTPPoolSentMessageInfo>, message: Mail.Options): Promise<SendResult> {
    const info = await smtp.sendMail(message);
    return { code: replyCode(info.response), response: info.response, messageId: info.messageId };
  }

  private async writeOutbox(message: Mail.Options): Promise<SendResult> {
    const info = await this.composer!.sendMail(message);
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
    return { code: 250, response: `250 written to ${file}`, messageId: info.messageId };
  }

  /** Closes the pool's connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.smtp?.close();
    this.composer?.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
