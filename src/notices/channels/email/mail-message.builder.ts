// Turns a rendered notice into Nodemailer message options: addresses as objects, sanitised headers, a Message-ID stable across retries.
import { createHash } from 'node:crypto';
import type Mail from 'nodemailer/lib/mailer';
import type { AppConfig } from '../../../config/app-config';
import type { NoticeRenderInput, RenderedNotice } from '../../../domain/notice.types';

export type MailConfig = Pick<AppConfig, 'MAIL_FROM' | 'MAIL_DOMAIN' | 'SUPPORT_EMAIL'>;

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;
const HEADER_MAX = 200;
const NAME_MAX = 200;
// One @, no whitespace, controls or the characters that separate or quote addresses in a header.
const ADDRESS = /^[^\s\u0000-\u001F\u007F<>()[\]\\,;:"@]+@[^\s\u0000-\u001F\u007F<>()[\]\\,;:"@]+$/;

/**
 * The message of one notice: Nodemailer message options narrowed to what a notice has, so that one builder can turn
 * it into bytes (raw-message.builder.ts) and a bare Nodemailer loop can still send it as options (the bench baseline).
 */
export interface NoticeMail {
  from: string;
  to: Mail.Address;
  replyTo: string | Mail.Address;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Extra headers, in the order they are written. */
  headers: Record<string, string>;
  baseBoundary: string;
  textEncoding: 'base64';
}

export class InvalidRecipientError extends Error {
  override readonly name = 'InvalidRecipientError';
}

/** A header value on one line: CR, LF and other control characters become spaces. */
export function sanitizeHeaderValue(value: string, max = HEADER_MAX): string {
  const line = value.replace(CONTROL, ' ').trim();
  return line.length > max ? line.slice(0, max) : line;
}

/** A display name that cannot break out of its header: one line, bounded. Nodemailer quotes or encodes the rest. */
export function sanitizeDisplayName(name: string): string {
  const line = name
    .replace(CONTROL, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return line.length > NAME_MAX ? line.slice(0, NAME_MAX) : line;
}

/** An address is used as given, or refused: rewriting someone's address would mail a stranger. */
export function checkedAddress(address: string): string {
  const trimmed = address.trim();
  if (!ADDRESS.test(trimmed)) throw new InvalidRecipientError(`not a usable email address: ${JSON.stringify(address)}`);
  return trimmed;
}

/** `<notice-{id}@{MAIL_DOMAIN}>`, the same on every attempt; test sends are marked so they never collide with a real notice. */
export function noticeMessageId(noticeId: string, domain: string, isTest = false): string {
  const id = noticeId.replace(/[^A-Za-z0-9._-]/g, '-');
  return `<${isTest ? 'test-' : ''}notice-${id}@${domain}>`;
}

/**
 * The message for one notice. Reply-To: the account manager on enterprise notices that have one, else
 * SUPPORT_EMAIL. No Date is set (it is stamped when the message is encoded, at send time); the multipart boundary
 * derives from the Message-ID, so a retry sends the same bytes apart from the Date header.
 */
export function buildMailMessage(input: NoticeRenderInput, rendered: RenderedNotice, config: MailConfig): NoticeMail {
  const messageId = noticeMessageId(input.noticeId, config.MAIL_DOMAIN, input.isTest);
  const manager = input.tier === 'enterprise' ? input.customer?.accountManager : null;
  const headers: Record<string, string> = {
    'X-Case-Id': sanitizeHeaderValue(input.event.caseId),
    'X-Event-Id': sanitizeHeaderValue(input.event.eventId),
    'X-Notice-Kind': sanitizeHeaderValue(input.kind),
    // The catalogue the renderer actually used (a pt-BR contact reads pt), never the contact's raw tag.
    'Content-Language': sanitizeHeaderValue(rendered.locale),
    // Asks auto-responders (out-of-office) not to answer a notice.
    'Auto-Submitted': 'auto-generated',
  };
  if (input.kind !== 'am-digest' && input.customer) headers['X-Customer-Ref'] = sanitizeHeaderValue(input.customer.ref);
  if (input.isTest) headers['X-Test-Notice'] = 'yes';

  return {
    from: config.MAIL_FROM,
    to: { name: sanitizeDisplayName(input.recipient.name), address: checkedAddress(input.recipient.email) },
    replyTo: manager
      ? { name: sanitizeDisplayName(manager.name), address: checkedAddress(manager.email) }
      : config.SUPPORT_EMAIL,
    subject: sanitizeHeaderValue(rendered.subject, 500),
    text: rendered.text,
    html: rendered.html,
    messageId,
    headers,
    baseBoundary: createHash('sha256').update(messageId).digest('hex').slice(0, 24),
    // What buildRawMessage writes (parts and RFC 2047 words in base64), said for Nodemailer too: left to itself it picks
    // quoted-printable for mostly-ASCII parts, which it encodes in JavaScript (≈1.2 ms of CPU per notice here).
    textEncoding: 'base64',
  };
}
