// The Amazon SNS HTTP(S) envelope around SES notifications, and the one URL from it we will ever fetch.
import { FeedbackParseError, type SnsSubscriptionConfirmation } from '../../feedback.types';
import { str, type JsonRecord } from '../../feedback.payload';
import { echo } from '../../feedback.values';

export const SNS_MESSAGE_TYPES = ['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

// Regional SNS endpoints, including GovCloud (us-gov-west-1) and China (amazonaws.com.cn). Capture: region.
const SNS_HOST = /^sns\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/;
// arn:aws:sns:us-west-2:123456789012:MyTopic (also aws-cn, aws-us-gov; FIFO topics end in .fifo).
const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const URL_MAX = 2048;

/** The envelope's Type, when the body is an SNS message at all (SES raw delivery posts the bare notification). */
export function snsMessageType(body: JsonRecord): SnsMessageType | undefined {
  const type = str(body, 'Type');
  return SNS_MESSAGE_TYPES.find((t) => t === type);
}

/**
 * The SubscribeURL of a SubscriptionConfirmation, checked before anyone fetches it: the caller will GET it from
 * inside our network, so a forged confirmation must not turn that into a request to an internal address
 * (http://169.254.169.254/…) or to anyone but SNS. Only `https://sns.<region>.amazonaws.com[.cn]` on the default
 * port, no credentials, `Action=ConfirmSubscription`, and the region of the topic being confirmed.
 */
export function readSubscriptionConfirmation(body: JsonRecord): SnsSubscriptionConfirmation {
  const topicArn = str(body, 'TopicArn');
  const topic = topicArn === undefined ? null : TOPIC_ARN.exec(topicArn);
  if (!topicArn || !topic) throw new FeedbackParseError(`TopicArn is not an SNS topic ARN: ${echo(topicArn)}`);

  const raw = str(body, 'SubscribeURL');
  if (!raw || raw.length > URL_MAX) throw new FeedbackParseError('SubscribeURL is missing');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FeedbackParseError(`SubscribeURL is not a URL: ${echo(raw)}`);
  }
  const host = SNS_HOST.exec(url.hostname);
  if (url.protocol !== 'https:' || !host || url.port !== '' || url.username !== '' || url.password !== '') {
    throw new FeedbackParseError(`SubscribeURL is not an Amazon SNS https URL: ${echo(raw)}`);
  }
  if (url.searchParams.get('Action') !== 'ConfirmSubscription') {
    throw new FeedbackParseError('SubscribeURL does not confirm a subscription');
  }
  if (host[1] !== topic[1]) {
    throw new FeedbackParseError(`SubscribeURL region ${host[1]} is not the topic's region ${topic[1]}`);
  }
  return { kind: 'subscription-confirmation', subscribeUrl: url.href, topicArn };
}
