import { classifySmtpError, SmtpPermanentError, SmtpTemporaryError } from '../channels/email/smtp-errors';
import {
  backoffMs,
  failedAttemptState,
  failureKind,
  MAX_BACKOFF_MS,
  nextAttempt,
  type FailedAttempt,
} from './retry-policy';

// random() = 0.5 is the middle of the jitter range: the wait is the bare exponential.
const middle = () => 0.5;
const lowest = () => 0;
const highest = () => 1 - Number.EPSILON;

const attempt = (over: Partial<FailedAttempt>): FailedAttempt => ({
  attempt: 1,
  maxAttempts: 8,
  baseMs: 2000,
  failure: 'temporary',
  random: middle,
  ...over,
});

describe('backoffMs', () => {
  it('doubles from the base with each attempt', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, 2000, middle))).toEqual([2000, 4000, 8000, 16_000, 32_000]);
  });

  it('spreads each wait over ±20 %, never outside', () => {
    expect(backoffMs(3, 1000, lowest)).toBeCloseTo(3200, 6);
    expect(backoffMs(3, 1000, highest)).toBeCloseTo(4800, 6);
    for (let r = 0; r < 1; r += 0.01) {
      const ms = backoffMs(3, 1000, () => r);
      expect(ms).toBeGreaterThanOrEqual(3200 - 1e-6);
      expect(ms).toBeLessThan(4800);
    }
  });

  it('caps the exponential at 15 minutes before the jitter', () => {
    // 2 s × 2^9 = 17 min 4 s: over the cap; 2 s × 2^8 = 8 min 32 s: under it.
    expect(backoffMs(9, 2000, middle)).toBe(512_000);
    expect(backoffMs(10, 2000, middle)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(40, 2000, middle)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(40, 2000, lowest)).toBeCloseTo(0.8 * MAX_BACKOFF_MS, 6);
    expect(backoffMs(40, 2000, highest)).toBeCloseTo(1.2 * MAX_BACKOFF_MS, 6);
  });

  it('draws a fresh jitter from Math.random when none is given', () => {
    const spy = jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      expect(backoffMs(1, 1000)).toBeCloseTo(800, 6);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('nextAttempt', () => {
  it('retries a temporary failure with the backoff of the attempt that failed', () => {
    expect(nextAttempt(attempt({ attempt: 1, baseMs: 200 }))).toEqual({ action: 'retry', delayMs: 200 });
    expect(nextAttempt(attempt({ attempt: 3, baseMs: 200, random: lowest }))).toEqual({
      action: 'retry',
      delayMs: backoffMs(3, 200, lowest),
    });
  });

  it('retries up to the attempt before MAIL_MAX_ATTEMPTS and fails at it', () => {
    expect(nextAttempt(attempt({ attempt: 5, maxAttempts: 6 })).action).toBe('retry');
    expect(nextAttempt(attempt({ attempt: 6, maxAttempts: 6 }))).toEqual({ action: 'fail' });
    // A notice claimed once more than allowed (attempts went past the limit meanwhile) fails as well.
    expect(nextAttempt(attempt({ attempt: 7, maxAttempts: 6 }))).toEqual({ action: 'fail' });
  });

  it('fails a single-attempt policy at once', () => {
    expect(nextAttempt(attempt({ attempt: 1, maxAttempts: 1 }))).toEqual({ action: 'fail' });
  });

  it('fails a permanent failure at the first attempt', () => {
    expect(nextAttempt(attempt({ attempt: 1, failure: 'permanent' }))).toEqual({ action: 'fail' });
  });
});

describe('which delivery errors are retried', () => {
  // Shapes as Nodemailer builds them, sorted by the transport as every send error is.
  const fromNodemailer = (props: Record<string, unknown>, message = 'Message failed') =>
    classifySmtpError(Object.assign(new Error(message), props));
  const decide = (error: unknown) => nextAttempt(attempt({ failure: failureKind(error) })).action;

  it.each([421, 450, 451, 452, 503])('retries a %i reply', (responseCode) => {
    expect(decide(fromNodemailer({ code: 'EENVELOPE', responseCode, response: `${responseCode} later` }))).toBe(
      'retry',
    );
  });

  it.each([550, 551, 552, 553, 554])('fails a %i reply at once', (responseCode) => {
    expect(decide(fromNodemailer({ code: 'EENVELOPE', responseCode, response: `${responseCode} never` }))).toBe('fail');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKET'])('retries %s (no reply at all)', (code) => {
    expect(decide(fromNodemailer({ code }, 'connect failed'))).toBe('retry');
  });

  it('retries a failed login (our credentials, not the message)', () => {
    expect(decide(fromNodemailer({ code: 'EAUTH', responseCode: 535, response: '535 Invalid login' }))).toBe('retry');
  });

  it('fails an unusable envelope without a reply at once', () => {
    expect(decide(fromNodemailer({ code: 'EENVELOPE' }, 'No recipients defined'))).toBe('fail');
  });

  it('counts only a permanent delivery error as permanent', () => {
    expect(failureKind(new SmtpPermanentError(550, '550 no'))).toBe('permanent');
    expect(failureKind(new SmtpTemporaryError(451, '451 later'))).toBe('temporary');
    expect(failureKind(new Error('something odd'))).toBe('temporary');
    expect(failureKind(undefined)).toBe('temporary');
  });
});

describe('failedAttemptState', () => {
  it('fails, or retries at now + the delay', () => {
    expect(failedAttemptState({ action: 'fail' }, 1000)).toEqual({ status: 'failed' });
    expect(failedAttemptState({ action: 'retry', delayMs: 250 }, 1000)).toEqual({
      status: 'retrying',
      retryAt: new Date(1250),
    });
  });
});
