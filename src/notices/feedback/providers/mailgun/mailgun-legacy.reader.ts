// Mailgun's legacy webhooks (before 2018, still sent by old domain settings): form fields, one event per request.
import type { BounceType, ParsedFeedback } from '../../feedback.types';
import { boundedReason, echo, isoTime, normaliseEmail, normaliseMessageId } from '../../feedback.values';

/**
 * Legacy event names: `bounced` is a permanent bounce; `dropped` is Mailgun not sending, with code 605
 * (previously bounced), 606 (unsubscribed) or 607 (reported spam) and reason `hardfail`, or reason `old`
 * after giving up on a temporary failure; `complained` is a spam report.
 */
function legacyType(form: URLSearchParams): BounceType | null {
  const event = form.get('event');
  if (event === 'bounced') return 'hard';
  if (event === 'complained') return 'complaint';
  if (event !== 'dropped') return null;
  const code = form.get('code');
  if (code === '607') return 'complaint';
  if (code === '606') return 'soft';
  return form.get('reason') === 'hardfail' ? 'hard' : 'soft';
}

/**
 * Mailgun merges the message's custom variables into the same form, so a variable may repeat a field's name.
 * Its own value comes first for most fields and last for token and timestamp (as django-anymail documents from
 * Mailgun's behaviour); each is read from its own end.
 */
export function readLegacyMailgunWebhook(body: string): ParsedFeedback {
  const form = new URLSearchParams(body.trim());
  const type = legacyType(form);
  if (type === null)
    return { kind: 'ignored', reason: `Mailgun legacy ${echo(form.get('event') ?? '(no event)')} event` };

  const last = (key: string): string | null => form.getAll(key).at(-1) ?? null;
  const token = last('token');
  return {
    kind: 'reports',
    skipped: [],
    reports: [
      {
        email: normaliseEmail(form.get('recipient') ?? undefined, 'recipient'),
        type,
        messageId: normaliseMessageId(form.get('Message-Id') ?? form.get('message-id') ?? undefined),
        reason: boundedReason(form.get('error'), form.get('description'), form.get('notification'), form.get('code')),
        provider: 'mailgun',
        // No event id in the legacy form; the token is Mailgun's per-event random value (50 characters).
        providerEventId: token && /^[A-Za-z0-9]{1,100}$/.test(token) ? token : null,
        occurredAt: isoTime(last('timestamp') ?? undefined),
      },
    ],
  };
}
