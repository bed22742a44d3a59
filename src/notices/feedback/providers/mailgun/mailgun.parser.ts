// Mailgun webhooks: the current JSON form ({signature, event-data}), and the legacy form-encoded one.
import { FeedbackParseError, type BounceParser, type BounceType, type ParsedFeedback } from '../../feedback.types';
import { bodyText, field, isRecord, mediaType, parseJson, record, str, type JsonRecord } from '../../feedback.payload';
import { boundedReason, echo, isoTime, normaliseEmail, normaliseMessageId } from '../../feedback.values';
import { readLegacyMailgunWebhook } from './mailgun-legacy.reader';

/**
 * A `failed` event is permanent or temporary by its `severity`, which is Mailgun's own verdict. Two permanent
 * reasons are not about a dead address: `suppress-complaint` (Mailgun drops mail to someone who reported it
 * as spam: a complaint) and `suppress-unsubscribe` (the recipient unsubscribed at Mailgun: recorded, nothing
 * more). A `failed` event without a severity is soft: an unclear signal must not suppress an address.
 */
function failureType(event: JsonRecord): BounceType {
  if (str(event, 'severity') !== 'permanent') return 'soft';
  const reason = str(event, 'reason');
  if (reason === 'suppress-complaint') return 'complaint';
  return reason === 'suppress-unsubscribe' ? 'soft' : 'hard';
}

/** "550 5.1.1 The email account…": the SMTP code in front of what the server (or Mailgun) said. */
function deliveryReason(event: JsonRecord): string | null {
  const status = record(event, 'delivery-status');
  const said = boundedReason(field(status, 'message'), field(status, 'description'), field(event, 'reason'));
  const code = field(status, 'code');
  if (!Number.isInteger(code)) return said;
  if (said === null) return String(code);
  return said.startsWith(String(code)) ? said : boundedReason(`${code} ${said}`);
}

/**
 * `message.headers["message-id"]` is the Message-ID Mailgun saw (ours, as we set it over SMTP). The event id is
 * only unique within a day (Mailgun's events documentation), so the event's own timestamp, which Mailgun
 * resends unchanged on retries, is part of the idempotency key. The signature is not checked here: the
 * webhook URL's token authenticates the call.
 */
export class MailgunParser implements BounceParser {
  readonly provider = 'mailgun' as const;

  parse(body: Buffer | string, contentType: string | undefined): ParsedFeedback {
    const text = bodyText(body);
    const media = mediaType(contentType);
    if (media === 'application/x-www-form-urlencoded' || (media === '' && !text.trimStart().startsWith('{'))) {
      return readLegacyMailgunWebhook(text);
    }
    if (media === 'multipart/form-data') throw new FeedbackParseError('Mailgun multipart webhooks are not supported');

    const json = parseJson(text, 'Mailgun webhook');
    const event = record(json, 'event-data');
    if (!isRecord(json) || !event) throw new FeedbackParseError('Mailgun webhook has no event-data object');
    const name = str(event, 'event');
    if (name === undefined) throw new FeedbackParseError('Mailgun event-data has no event');

    let type: BounceType;
    if (name === 'failed') type = failureType(event);
    else if (name === 'complained') type = 'complaint';
    else return { kind: 'ignored', reason: `Mailgun ${echo(name)} event` };

    const id = str(event, 'id');
    const timestamp = field(event, 'timestamp');
    const eventKey = id && /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : null;
    return {
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: normaliseEmail(field(event, 'recipient'), 'recipient'),
          type,
          messageId: normaliseMessageId(field(record(event, 'message', 'headers'), 'message-id')),
          reason: name === 'complained' ? null : deliveryReason(event),
          provider: 'mailgun',
          providerEventId: eventKey && typeof timestamp === 'number' ? `${eventKey}:${timestamp}` : eventKey,
          occurredAt: isoTime(timestamp),
        },
      ],
    };
  }
}
