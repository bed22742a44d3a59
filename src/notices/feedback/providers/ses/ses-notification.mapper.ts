// An Amazon SES feedback notification (or event-publishing record) read into our reports.
import { FeedbackParseError, type BounceReport, type BounceType, type ParsedFeedback } from '../../feedback.types';
import { collectReports, field, isRecord, record, str, type JsonRecord } from '../../feedback.payload';
import { boundedReason, echo, isoTime, normaliseEmail, normaliseMessageId } from '../../feedback.values';

/** How one kind of SES feedback maps to us: where its recipients are, and what each one's report says. */
interface Feedback {
  recipientsKey: string;
  type: (recipient: JsonRecord) => BounceType;
  reason: (recipient: JsonRecord) => string | null;
}

// SES's own kinds that are no bounce or complaint (Delivery, Send, Open…) are ignored; these are the ones we read.
const FEEDBACK_KEYS: Record<string, string> = {
  Bounce: 'bounce',
  Complaint: 'complaint',
  DeliveryDelay: 'deliveryDelay',
};

/**
 * Reads one SES notification. Feedback notifications call their kind `notificationType`, event publishing
 * calls it `eventType`; the bodies are the same. `snsMessageId` (the envelope's MessageId, stable across SNS
 * retries) keys idempotency when there is an envelope; the SES feedbackId does when SES posted directly.
 */
export function readSesNotification(notification: JsonRecord, snsMessageId: string | undefined): ParsedFeedback {
  const kind = str(notification, 'notificationType') ?? str(notification, 'eventType');
  if (kind === undefined) throw new FeedbackParseError('SES notification has no notificationType or eventType');
  if (!Object.hasOwn(FEEDBACK_KEYS, kind)) return { kind: 'ignored', reason: `SES ${echo(kind)} notification` };
  const key = FEEDBACK_KEYS[kind];

  const object = record(notification, key);
  if (!object) throw new FeedbackParseError(`SES ${kind} notification has no ${key} object`);
  const feedback = describe(kind, object);
  if (!feedback) return { kind: 'ignored', reason: 'SES complaint with feedback type not-spam' };

  const recipients = field(object, feedback.recipientsKey);
  if (!Array.isArray(recipients) || recipients.length === 0) {
    throw new FeedbackParseError(`SES ${kind} notification has no ${feedback.recipientsKey}`);
  }
  const messageId = originalMessageId(record(notification, 'mail'));
  const occurredAt = isoTime(field(object, 'timestamp'));
  const eventKey = snsMessageId ?? str(object, 'feedbackId');
  const { reports, skipped } = collectReports(recipients, 'recipient', (recipient): BounceReport => {
    if (!isRecord(recipient)) throw new FeedbackParseError(`is not an object: ${echo(recipient)}`);
    const email = normaliseEmail(field(recipient, 'emailAddress'), 'emailAddress');
    return {
      email,
      type: feedback.type(recipient),
      messageId,
      reason: feedback.reason(recipient),
      provider: 'ses',
      providerEventId: eventKey ? `${eventKey}:${email}` : null,
      occurredAt,
    };
  });
  return { kind: 'reports', reports, skipped };
}

function describe(kind: string, object: JsonRecord): Feedback | null {
  if (kind === 'Bounce') {
    // Permanent: the address will never take mail (including SES's own suppression list); Transient and
    // Undetermined may pass another day.
    const bounceType = str(object, 'bounceType');
    const summary = boundedReason([bounceType, str(object, 'bounceSubType')].filter(Boolean).join('/'));
    return {
      recipientsKey: 'bouncedRecipients',
      type: () => (bounceType === 'Permanent' ? 'hard' : 'soft'),
      reason: (r) => boundedReason(field(r, 'diagnosticCode'), field(r, 'status')) ?? summary,
    };
  }
  if (kind === 'Complaint') {
    // ARF "not-spam" is a recipient saying the message is NOT spam (RFC 5965 / IANA feedback types).
    const feedbackType = str(object, 'complaintFeedbackType');
    if (feedbackType === 'not-spam') return null;
    const reason = boundedReason(feedbackType, str(object, 'complaintSubType'));
    return { recipientsKey: 'complainedRecipients', type: () => 'complaint', reason: () => reason };
  }
  // DeliveryDelay: SES is still trying; like SendGrid's "deferred", worth recording, nothing more.
  const delayType = str(object, 'delayType');
  return {
    recipientsKey: 'delayedRecipients',
    type: () => 'soft',
    reason: (r) => boundedReason(field(r, 'diagnosticCode'), field(r, 'status'), delayType),
  };
}

/**
 * The Message-ID we set, when SES was told to include original headers. SES rewrites the header when it
 * sends, so the original is in `mail.headers`, or in `commonHeaders.messageId`. When the message had none,
 * both hold SES's own id (the same as `mail.messageId`): that is no notice of ours, so it is dropped.
 */
function originalMessageId(mail: JsonRecord | undefined): string | null {
  const headers = field(mail, 'headers');
  const header = Array.isArray(headers)
    ? headers.find((h) => str(h, 'name')?.toLowerCase() === 'message-id')
    : undefined;
  const id =
    normaliseMessageId(str(header, 'value')) ?? normaliseMessageId(str(record(mail, 'commonHeaders'), 'messageId'));
  const sesId = str(mail, 'messageId');
  if (id === null || (sesId && (id === sesId || id.startsWith(`${sesId}@`)))) return null;
  return id;
}
