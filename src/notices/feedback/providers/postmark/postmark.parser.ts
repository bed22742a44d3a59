// Postmark's bounce and spam-complaint webhooks: one JSON record per request.
import { FeedbackParseError, type BounceParser, type ParsedFeedback } from '../../feedback.types';
import { bodyText, field, isRecord, parseJson, str } from '../../feedback.payload';
import { boundedReason, echo, isoTime, normaliseEmail } from '../../feedback.values';
import { postmarkBounceType } from './postmark.bounce-types';
import { originalMessageIdFromDump } from './postmark.dsn';

// Postmark bounce IDs are 64-bit (its own sample is 4323372036854775807); JSON.parse would round two
// neighbouring IDs to the same double and make one bounce look like a retry of the other. Only the key
// `"ID"` is rewritten: inside a JSON string a quote is escaped, so this cannot match text within a value.
const LONG_ID = /("ID"\s*:\s*)(-?\d{16,})(?=\s*[,}])/g;

const RECORD_TYPES = new Set(['Bounce', 'SpamComplaint']);

/**
 * Postmark's MessageID is Postmark's own id for the message, not our Message-ID header; the webhook carries
 * no headers, so our id is only found when the bounce dump is included ("Include bounce content"), and
 * otherwise the report means the latest notice to the address.
 */
export class PostmarkParser implements BounceParser {
  readonly provider = 'postmark' as const;

  parse(body: Buffer | string, _contentType: string | undefined): ParsedFeedback {
    const json = parseJson(bodyText(body).replace(LONG_ID, '$1"$2"'), 'Postmark webhook');
    if (!isRecord(json)) throw new FeedbackParseError('Postmark webhook is not a JSON object');

    const recordType = str(json, 'RecordType');
    if (recordType !== undefined && !RECORD_TYPES.has(recordType)) {
      return { kind: 'ignored', reason: `Postmark ${echo(recordType)} webhook` };
    }
    // Bounce hooks from before RecordType existed are still bounce records: they have Type and Email.
    if (recordType === undefined && (str(json, 'Type') === undefined || field(json, 'Email') === undefined)) {
      throw new FeedbackParseError('Postmark webhook has no RecordType and is not a bounce record');
    }

    const email = normaliseEmail(field(json, 'Email'), 'Email');
    const bounceType = str(json, 'Type');
    const type =
      recordType === 'SpamComplaint' ? 'complaint' : postmarkBounceType(bounceType, field(json, 'Inactive') === true);
    if (type === null)
      return { kind: 'ignored', reason: `Postmark ${echo(bounceType)} bounce (not a delivery failure)` };

    const id = field(json, 'ID');
    const eventId = (typeof id === 'string' && /^\d{1,20}$/.test(id)) || Number.isSafeInteger(id) ? String(id) : null;
    return {
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email,
          type,
          messageId: originalMessageIdFromDump(str(json, 'Content')),
          reason: boundedReason(str(json, 'Details'), str(json, 'Description'), str(json, 'Name'), bounceType),
          provider: 'postmark',
          providerEventId: eventId,
          occurredAt: isoTime(field(json, 'BouncedAt')),
        },
      ],
    };
  }
}
