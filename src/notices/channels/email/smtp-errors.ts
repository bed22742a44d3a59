// Delivery failures sorted into "try again later" and "never again", the distinction the sender's retry policy needs.

/** What a failed delivery left us: the SMTP reply when the server gave one, else the local error. */
export abstract class SmtpDeliveryError extends Error {
  abstract readonly temporary: boolean;

  constructor(
    /** SMTP reply code (e.g. 451, 550); null when no reply was received (connection error, timeout). */
    readonly code: number | null,
    /** The server's reply text, or the local error message when there was no reply. */
    readonly response: string,
    /** Nodemailer or Node error code, e.g. ECONNECTION, ETIMEDOUT, EENVELOPE, ECONNREFUSED. */
    readonly errorCode: string | null = null,
  ) {
    super(response);
  }

  /** The SMTP provider (SMTP_URL entry name) that gave this answer; null for the outbox or before any provider was tried. */
  provider: string | null = null;
}

/** 4xx replies, connection errors and timeouts: the same message may go through later. */
export class SmtpTemporaryError extends SmtpDeliveryError {
  override readonly name = 'SmtpTemporaryError';
  readonly temporary = true;
}

/** 5xx replies (and messages that can never be built): retrying would get the same answer. */
export class SmtpPermanentError extends SmtpDeliveryError {
  override readonly name = 'SmtpPermanentError';
  readonly temporary = false;
}

// Errors without a reply that a retry cannot fix: the message or its envelope is unusable as it is.
const PERMANENT_WITHOUT_REPLY = new Set([
  'EENVELOPE',
  'EMESSAGE',
  'EMAXRECIPIENTS',
  'ECONFIG',
  'EFILEACCESS',
  'EURLACCESS',
  'EREQUIRETLS',
]);
// Credentials belong to us, not to the message: a 535 must not fail every notice for good.
const OUR_SIDE = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/**
 * Sorts any error thrown by a Nodemailer send (or by writing the outbox) into a temporary or a
 * permanent delivery error. RFC 5321: 4yz is transient, 5yz permanent, except 503 (bad sequence
 * of commands), which says the session was in the wrong state, not that the message was refused.
 * Anything unrecognised is temporary: the sender's attempt limit bounds it.
 */
export function classifySmtpError(err: unknown): SmtpTemporaryError | SmtpPermanentError {
  if (err instanceof SmtpTemporaryError || err instanceof SmtpPermanentError) return err;
  const e: ErrorLike = typeof err === 'object' && err !== null ? (err as ErrorLike) : { message: String(err) };
  const replyCode =
    typeof e.responseCode === 'number' && e.responseCode >= 200 && e.responseCode < 600 ? e.responseCode : null;
  const errorCode = typeof e.code === 'string' ? e.code : null;
  const original = typeof e.originalCode === 'string' ? e.originalCode : null;
  const message = typeof e.message === 'string' && e.message ? e.message : 'Unknown delivery error';
  const reply = typeof e.response === 'string' && e.response ? e.response.trim() : null;
  const response = reply ?? (errorCode ? `${original ?? errorCode}: ${message}` : message);
  const codeLabel = original ?? errorCode;

  if (errorCode !== null && OUR_SIDE.has(errorCode)) return new SmtpTemporaryError(replyCode, response, codeLabel);
  if (replyCode !== null) {
    const permanent = replyCode >= 500 && replyCode !== 503;
    return permanent
      ? new SmtpPermanentError(replyCode, response, codeLabel)
      : new SmtpTemporaryError(replyCode, response, codeLabel);
  }
  if (errorCode !== null && PERMANENT_WITHOUT_REPLY.has(errorCode)) {
    return new SmtpPermanentError(null, response, codeLabel);
  }
  return new SmtpTemporaryError(null, response, codeLabel);
}
