// Amazon SES feedback as SNS delivers it over HTTPS (JSON sent as text/plain), or as SES posts it bare (raw delivery).
import { FeedbackParseError, type BounceParser, type ParsedFeedback } from '../../feedback.types';
import { bodyText, isRecord, parseJson, str } from '../../feedback.payload';
import { echo } from '../../feedback.values';
import { readSesNotification } from './ses-notification.mapper';
import { readSubscriptionConfirmation, snsMessageType } from './sns-envelope.reader';

// What SES publishes once to a topic set as a configuration set's event destination: plain text, not JSON.
const EVENT_DESTINATION_CHECK = /^Successfully validated SNS topic for Amazon SES event publishing\.?$/;

/**
 * The content type is not looked at: SNS always says `text/plain; charset=UTF-8` whatever it sends, and raw
 * message delivery says what it likes. The body's shape tells the cases apart.
 */
export class SesParser implements BounceParser {
  readonly provider = 'ses' as const;

  parse(body: Buffer | string, _contentType: string | undefined): ParsedFeedback {
    const json = parseJson(bodyText(body), 'SNS message');
    if (!isRecord(json)) throw new FeedbackParseError('SNS message is not a JSON object');

    switch (snsMessageType(json)) {
      case 'SubscriptionConfirmation':
        return readSubscriptionConfirmation(json);
      case 'UnsubscribeConfirmation':
        // Confirming it again would resubscribe us; whoever unsubscribed meant it.
        return { kind: 'ignored', reason: `SNS unsubscribe confirmation for ${echo(str(json, 'TopicArn'))}` };
      case 'Notification':
        return this.notification(json);
      default:
        if (str(json, 'Type') !== undefined) throw new FeedbackParseError('SNS message Type is not one SNS sends');
        return readSesNotification(json, undefined);
    }
  }

  private notification(envelope: Record<string, unknown>): ParsedFeedback {
    const message = str(envelope, 'Message');
    if (message === undefined) throw new FeedbackParseError('SNS Notification has no Message');
    if (EVENT_DESTINATION_CHECK.test(message.trim())) return { kind: 'ignored', reason: message.trim() };
    const notification = parseJson(message, 'SNS Notification Message');
    if (!isRecord(notification)) throw new FeedbackParseError('SNS Notification Message is not a JSON object');
    return readSesNotification(notification, str(envelope, 'MessageId'));
  }
}
