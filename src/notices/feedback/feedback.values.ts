// The few values every provider hands us in its own spelling (addresses, Message-IDs, reasons, times), put in ours.
import { FeedbackParseError } from './feedback.types';

const EMAIL_MAX = 254; // RFC 5321 path limit
const LOCAL_MAX = 64;
const MESSAGE_ID_MAX = 998; // RFC 5322 line limit: nothing longer is a header we sent
const REASON_MAX = 1000;
const ECHO_MAX = 80;
// One @, nothing that separates, quotes or brackets addresses, no whitespace or controls. Quoted local parts
// ("a b"@x) are refused: no registry contact has one, and a refused report is better than a wrong match.
const ADDRESS = /^[^\s\u0000-\u001F\u007F<>()[\]\\,;:"@]+@[^\s\u0000-\u001F\u007F<>()[\]\\,;:"@]+$/;
const MESSAGE_ID = /^[^\s\u0000-\u001F\u007F<>]+$/;
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

/** A bad value named in an error message: a string quoted and cut short, anything else by its kind (never serialised). */
export function echo(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

/**
 * The recipient address as we store it: trimmed, one pair of `<>` dropped, the domain lower-cased (domains are
 * case-insensitive, local parts need not be, so that stays as the provider wrote it). Anything that is not one
 * plain address is a FeedbackParseError.
 */
export function normaliseEmail(value: unknown, field = 'email'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new FeedbackParseError(`${field} is missing`);
  const trimmed = value.trim().replace(/^<(.*)>$/, '$1');
  const at = trimmed.lastIndexOf('@');
  if (trimmed.length > EMAIL_MAX || !ADDRESS.test(trimmed) || at > LOCAL_MAX) {
    throw new FeedbackParseError(`${field} is not a single email address: ${echo(value)}`);
  }
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/**
 * A Message-ID without its `<>`, or null when the value cannot be one we sent. A bad Message-ID never fails a
 * report: without it the report still means the latest notice to the address.
 */
export function normaliseMessageId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const id = value.trim().replace(/^<(.*)>$/, '$1');
  return id.length > 0 && id.length <= MESSAGE_ID_MAX && MESSAGE_ID.test(id) ? id : null;
}

/** The first non-empty text among the candidates, on one line and bounded, or null. */
export function boundedReason(...candidates: unknown[]): string | null {
  for (const candidate of candidates) {
    const text =
      typeof candidate === 'number' && Number.isFinite(candidate) ? String(candidate) : (candidate as string);
    if (typeof text !== 'string') continue;
    const line = text.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
    if (line !== '') return line.length > REASON_MAX ? `${line.slice(0, REASON_MAX)}…` : line;
  }
  return null;
}

// Unix seconds between 2001 and 2286: anything else is not a timestamp a provider sent about a recent mail.
const SECONDS_MIN = 1e9;
const SECONDS_MAX = 1e10;

/**
 * An ISO 8601 UTC time from an ISO string, or from Unix seconds (a number, or digits as SendGrid and Mailgun
 * send them); null when the value is none of these. Times are informative, so a bad one never fails a report.
 */
export function isoTime(value: unknown): string | null {
  let ms: number;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{9,11}(\.\d+)?$/.test(value.trim()))) {
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds < SECONDS_MIN || seconds >= SECONDS_MAX) return null;
    ms = Math.round(seconds * 1000);
  } else if (typeof value === 'string' && value.length <= 64) {
    ms = Date.parse(value);
  } else {
    return null;
  }
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
