// The RFC 5322 bytes of a notice in one Buffer, written in one pass: the message MailComposer makes of the same
// options (header values encoded and folded by Nodemailer's mime-funcs and MimeNode), without a MIME tree and a
// stream pipeline per part.
import { encodeWord, encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import type { NoticeMail } from './mail-message.builder';

// A node with no content, used only for MimeNode.encodeHeaderValue on the address headers: parsed, punycoded, quoted or
// RFC 2047-encoded in base64 (the notice's textEncoding). It keeps no state between calls; one serves the process.
const addressEncoder = new MimeNode(false, { textEncoding: 'B' });

/** Where MimeNode folds (RFC 5322: ≤ 78; the mail builder bounds every value, so no line nears 998). */
const FOLD_AT = 76;
/** Base64 characters per body line (RFC 2045). */
const LINE = 76;
/** Input bytes encoded at a time (whole lines): a digest of tens of MB never becomes one base64 string on the heap. */
const CHUNK = 57 * 1024;
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

function line(key: string, encoded: string): string {
  return encoded.trim() ? `${foldLines(`${key}: ${encoded}`, FOLD_AT)}\r\n` : '';
}

/** An unstructured header (Subject, X-…) as MimeNode encodes it: base64 words where needed, controls forced in one. */
function textLine(key: string, value: string): string {
  const text = value.replace(/\r?\n|\r/g, ' ');
  return line(key, CONTROL.test(text) ? encodeWord(text, 'B', 52) : encodeWords(text, 'B', 52, true));
}

function addressLine(key: 'From' | 'To' | 'Reply-To', value: string | NoticeMail['to']): string {
  return line(key, addressEncoder.encodeHeaderValue(key, value));
}

// MAIL_FROM is the same on every notice: its encoded line is kept.
let lastFrom: { value: string; line: string } | null = null;
function fromLine(value: string): string {
  if (lastFrom?.value !== value) lastFrom = { value, line: addressLine('From', value) };
  return lastFrom.line;
}

/** `Tue, 01 Dec 2026 10:59:12 +0000`, as MimeNode writes it. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT/, '+0000');
}

function base64Length(bytes: number): number {
  const chars = Math.ceil(bytes / 3) * 4;
  return chars + 2 * Math.max(Math.ceil(chars / LINE) - 1, 0);
}

/**
 * Writes `src` as base64 lines of 76 characters joined by CRLF (none after the last) into `out` at `pos`; returns the
 * end. Each chunk's base64 is written at the tail of the chunk's slot and its lines are moved forward into place.
 */
function writeBase64(src: Buffer, out: Buffer, pos: number): number {
  const end = pos + base64Length(src.length);
  for (let from = 0; from < src.length; from += CHUNK) {
    const b64 = src.toString('base64', from, Math.min(from + CHUNK, src.length));
    const lines = Math.ceil(b64.length / LINE);
    const last = from + CHUNK >= src.length;
    // The chunk's slot is its base64 plus a CRLF after each line (but the message's last): stage it at the slot's end.
    const staged = pos + 2 * (last ? lines - 1 : lines);
    out.write(b64, staged, 'latin1');
    for (let i = 0; i < b64.length; i += LINE) {
      const n = Math.min(LINE, b64.length - i);
      out.copyWithin(pos, staged + i, staged + i + n);
      pos += n;
      if (pos < end) {
        out[pos++] = 0x0d;
        out[pos++] = 0x0a;
      }
    }
  }
  return pos;
}

const PART_HEAD = (type: string) => `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n`;

/**
 * The notice as it goes on the wire (CRLF line ends): its headers in MailComposer's order (the extra headers, From,
 * To, Reply-To, Subject, Message-ID, Date, MIME-Version, Content-Type), then multipart/alternative with the text and
 * HTML parts in base64 (an empty part is left out, as MailComposer does). The boundary derives from the Message-ID
 * (baseBoundary) so that a retry sends the same bytes; it cannot occur in the body, since it holds `=_` and base64
 * lines never do.
 */
export function buildRawMessage(mail: NoticeMail, date: Date = new Date()): Buffer {
  let head = '';
  for (const [key, value] of Object.entries(mail.headers)) head += textLine(key, value);
  head +=
    fromLine(mail.from) +
    addressLine('To', mail.to) +
    addressLine('Reply-To', mail.replyTo) +
    textLine('Subject', mail.subject) +
    line('Message-ID', addressEncoder.encodeHeaderValue('Message-ID', mail.messageId)) +
    `Date: ${rfc5322Date(date)}\r\nMIME-Version: 1.0\r\n`;

  const parts = [
    { type: 'text/plain', content: mail.text },
    { type: 'text/html', content: mail.html },
  ].filter((p) => p.content.length > 0);
  // Strings (UTF-8: a local part may be non-ASCII) and bodies to write in base64, in order.
  const segments: (string | Buffer)[] = [];
  if (parts.length === 1 || parts.length === 0) {
    const part = parts[0] ?? { type: 'text/plain', content: '' };
    segments.push(head + PART_HEAD(part.type), Buffer.from(part.content, 'utf8'), '\r\n');
  } else {
    const boundary = `=_notice_${mail.baseBoundary}`;
    segments.push(`${head}Content-Type: multipart/alternative;\r\n boundary="${boundary}"\r\n\r\n`);
    for (const part of parts) {
      segments.push(`--${boundary}\r\n${PART_HEAD(part.type)}`, Buffer.from(part.content, 'utf8'), '\r\n');
    }
    segments.push(`--${boundary}--\r\n`);
  }

  let size = 0;
  for (const s of segments) size += typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : base64Length(s.length);
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const s of segments) pos = typeof s === 'string' ? pos + out.write(s, pos, 'utf8') : writeBase64(s, out, pos);
  if (pos !== size) throw new Error(`raw message: wrote ${pos} of ${size} bytes`);
  return out;
}
