// Reading an untrusted webhook body: bytes to text to JSON, and narrowing what comes out without ever trusting its shape.
import { TextDecoder } from 'node:util';
import { FeedbackParseError, type BounceReport } from './feedback.types';

/**
 * Far above any real payload (a SendGrid batch of a thousand events is under 1 MB; a Postmark bounce dump
 * rarely passes a few hundred KB), low enough that JSON.parse of a hostile body stays cheap.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type JsonRecord = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text: UTF-8 (a BOM dropped), bounded. A parsed object is refused: parsers need the raw bytes. */
export function bodyText(body: unknown): string {
  let text: string;
  if (Buffer.isBuffer(body)) {
    if (body.length > MAX_BODY_BYTES) throw new FeedbackParseError(`body is over ${MAX_BODY_BYTES} bytes`);
    try {
      text = utf8.decode(body);
    } catch {
      throw new FeedbackParseError('body is not UTF-8 text');
    }
  } else if (typeof body === 'string') {
    if (body.length > MAX_BODY_BYTES) throw new FeedbackParseError(`body is over ${MAX_BODY_BYTES} characters`);
    text = body;
  } else {
    throw new FeedbackParseError('body must be the raw request bytes or text');
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new FeedbackParseError('body is empty');
  return text;
}

/** JSON.parse that reports bad JSON as a FeedbackParseError naming what was expected. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FeedbackParseError(`${what} is not JSON (${(err as Error).message})`);
  }
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when value is an object; never throws on null, arrays or primitives. */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** A nested object, or undefined: `record(x, 'mail', 'commonHeaders')`. */
export function record(value: unknown, ...path: string[]): JsonRecord | undefined {
  let current = value;
  for (const key of path) current = field(current, key);
  return isRecord(current) ? current : undefined;
}

/** A string field, or undefined when absent or of another type. */
export function str(value: unknown, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === 'string' ? found : undefined;
}

/** The media type of a Content-Type header, lower-cased, without parameters: `text/plain; charset=UTF-8` → `text/plain`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
}

/**
 * Reads each item of a batch into a report. `read` returns null for an item that is no bounce or complaint,
 * and throws FeedbackParseError for one that cannot be read: that item is named in `skipped` and the others
 * still count, because refusing a whole batch for one bad item would make the provider resend the good ones
 * forever. Only when no item at all can be read is the batch itself unreadable.
 */
export function collectReports<T>(
  items: readonly T[],
  label: string,
  read: (item: T, index: number) => BounceReport | null,
): { reports: BounceReport[]; skipped: string[] } {
  const reports: BounceReport[] = [];
  const skipped: string[] = [];
  items.forEach((item, index) => {
    try {
      const report = read(item, index);
      if (report) reports.push(report);
    } catch (err) {
      if (!(err instanceof FeedbackParseError)) throw err;
      skipped.push(`${label} ${index}: ${err.message}`);
    }
  });
  if (items.length > 0 && skipped.length === items.length) {
    const more = skipped.length > 1 ? ` (and ${skipped.length - 1} more)` : '';
    throw new FeedbackParseError(`no ${label} could be read: ${skipped[0]}${more}`);
  }
  return { reports, skipped };
}
