// Whether a failed send is tried again, and after how long: pure, so the policy is tested without a clock or a server.
import { SmtpPermanentError } from '../channels/email/smtp-errors';

/** Longest wait between two attempts, before jitter. */
export const MAX_BACKOFF_MS = 15 * 60_000;
/** Each wait is spread over ±20 % so that notices refused together do not all come back in the same instant. */
export const JITTER = 0.2;

/** `permanent`: the channel said the same message will never go through (an SMTP 5xx); anything else may. */
export type FailureKind = 'temporary' | 'permanent';

export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'fail' };

export interface FailedAttempt {
  /** The attempt that just failed, counted from 1 (a claim adds one to the notice's attempts). */
  attempt: number;
  maxAttempts: number;
  /** The wait after the first attempt; it doubles with each further one. */
  baseMs: number;
  failure: FailureKind;
  /** A number in [0, 1), as Math.random gives. */
  random?: () => number;
}

/** What the transport has not sorted as permanent counts as temporary: the attempt limit bounds it. */
export function failureKind(error: unknown): FailureKind {
  return error instanceof SmtpPermanentError ? 'permanent' : 'temporary';
}

/** The wait before the attempt after `attempt`: base × 2^(attempt−1), capped, then jittered by ±JITTER. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
  return exponential * (1 - JITTER + random() * 2 * JITTER);
}

/** A permanent failure, or the last allowed attempt, fails the notice; anything else is tried again after a backoff. */
export function nextAttempt({ attempt, maxAttempts, baseMs, failure, random }: FailedAttempt): RetryDecision {
  if (failure === 'permanent' || attempt >= maxAttempts) return { action: 'fail' };
  return { action: 'retry', delayMs: backoffMs(attempt, baseMs, random) };
}

/** The outcome fields a failed attempt gets from the policy: `failed`, or `retrying` with when to try again. */
export function failedAttemptState(
  decision: RetryDecision,
  now = Date.now(),
): { status: 'failed' } | { status: 'retrying'; retryAt: Date } {
  return decision.action === 'fail'
    ? { status: 'failed' }
    : { status: 'retrying', retryAt: new Date(now + decision.delayMs) };
}
