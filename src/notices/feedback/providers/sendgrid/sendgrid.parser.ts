// SendGrid's Event Webhook: a JSON array of events, of which bounces, blocks, drops, deferrals and spam reports concern us.
import {
  FeedbackParseError,
  type BounceParser,
  type BounceReport,
  type BounceType,
  type ParsedFeedback,
} from '../../feedback.types';
import { bodyText, collectReports, field, isRecord, parseJson, str, type JsonRecord } from '../../feedback.payload';
import { boundedReason, echo, isoTime, normaliseEmail, normaliseMessageId } from '../../feedback.values';

/**
 * `dropped` means SendGrid did not even try, because of its own suppression lists or the message. Of the
 * documented drop reasons, "Bounced Address" and "Invalid" say the address is dead (SendGrid will drop every
 * later mail to it too, so it is a hard bounce for us), "Spam Reporting Address" says the recipient reported
 * us before; "Unsubscribed Address", "Invalid SMTPAPI header", "Spam Content" and quota drops are about the
 * list or the message, so they are recorded as soft and change nothing.
 */
const DROP_REASONS = new Map<string, BounceType>([
  ['bounced address', 'hard'],
  ['invalid', 'hard'],
  ['invalid address', 'hard'],
  ['spam reporting address', 'complaint'],
]);

/** Our type for one event, or null when it is no bounce or complaint (processed, delivered, open, click…). */
function eventType(event: JsonRecord): BounceType | null {
  switch (str(event, 'event')) {
    case 'bounce':
      // type "bounce": the receiving server refused the recipient for good; "blocked": it refused the message
      // for now (reputation, content). Events from before `type` existed were all bounces.
      return str(event, 'type') === 'blocked' ? 'soft' : 'hard';
    case 'dropped':
      return DROP_REASONS.get((str(event, 'reason') ?? '').trim().toLowerCase()) ?? 'soft';
    case 'deferred':
      return 'soft';
    case 'spamreport':
      return 'complaint';
    default:
      return null;
  }
}

/**
 * `smtp-id` is the Message-ID header SendGrid saw on the message (ours, when we set one); `sg_message_id` is
 * SendGrid's own id and never ours. `sg_event_id` is SendGrid's documented key for deduplicating events.
 */
export class SendgridParser implements BounceParser {
  readonly provider = 'sendgrid' as const;

  parse(body: Buffer | string, _contentType: string | undefined): ParsedFeedback {
    const events = parseJson(bodyText(body), 'SendGrid event batch');
    if (!Array.isArray(events)) throw new FeedbackParseError('SendGrid event batch is not a JSON array');

    const { reports, skipped } = collectReports(events, 'event', (event): BounceReport | null => {
      if (!isRecord(event) || typeof field(event, 'event') !== 'string') {
        throw new FeedbackParseError(`is not a SendGrid event: ${echo(event)}`);
      }
      const type = eventType(event);
      if (type === null) return null;
      return {
        email: normaliseEmail(field(event, 'email')),
        type,
        messageId: normaliseMessageId(field(event, 'smtp-id')),
        reason: boundedReason(field(event, 'reason'), field(event, 'response'), field(event, 'status')),
        provider: 'sendgrid',
        providerEventId: boundedId(field(event, 'sg_event_id')),
        occurredAt: isoTime(field(event, 'timestamp')),
      };
    });
    if (reports.length === 0 && skipped.length === 0) {
      return { kind: 'ignored', reason: `no bounce or complaint among ${events.length} SendGrid events` };
    }
    return { kind: 'reports', reports, skipped };
  }
}

// SendGrid: "up to 100 characters long and URL safe".
function boundedId(value: unknown): string | null {
  return typeof value === 'string' && /^[A-Za-z0-9_=+/.-]{1,100}$/.test(value) ? value : null;
}
