import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedbackParseError, type SnsSubscriptionConfirmation } from '../../feedback.types';
import { readSubscriptionConfirmation } from './sns-envelope.reader';

const fixture = (name: string): Buffer =>
  readFileSync(join(__dirname, '../../../../../test/fixtures/bounces/ses', name));
const read = (body: string): SnsSubscriptionConfirmation => readSubscriptionConfirmation(JSON.parse(body));

/** A SubscriptionConfirmation as SNS sends it, with another SubscribeURL. */
function confirmation(subscribeUrl: unknown, topicArn = 'arn:aws:sns:us-west-2:123456789012:MyTopic'): string {
  const body = JSON.parse(fixture('sns-subscription-confirmation.txt').toString('utf8'));
  return JSON.stringify({ ...body, SubscribeURL: subscribeUrl, TopicArn: topicArn });
}

describe('readSubscriptionConfirmation', () => {
  it('accepts SNS in China and GovCloud regions', () => {
    const cn = confirmation(
      'https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription&Token=abc',
      'arn:aws-cn:sns:cn-north-1:123456789012:Bounces',
    );
    expect(read(cn)).toMatchObject({
      kind: 'subscription-confirmation',
      topicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:Bounces',
    });
    const gov = confirmation(
      'https://sns.us-gov-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc',
      'arn:aws-us-gov:sns:us-gov-west-1:123456789012:Bounces.fifo',
    );
    expect(read(gov)).toMatchObject({ kind: 'subscription-confirmation' });
  });

  it.each([
    ['the instance metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['plain http to SNS', 'http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=abc'],
    ['another host', 'https://evil.example/?Action=ConfirmSubscription'],
    ['an SNS-looking suffix', 'https://sns.us-west-2.amazonaws.com.evil.example/?Action=ConfirmSubscription'],
    ['credentials before the host', 'https://sns.us-west-2.amazonaws.com@evil.example/?Action=ConfirmSubscription'],
    ['user info on the SNS host', 'https://user:pw@sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription'],
    ['another port', 'https://sns.us-west-2.amazonaws.com:8443/?Action=ConfirmSubscription'],
    ['a bare amazonaws.com host', 'https://amazonaws.com/?Action=ConfirmSubscription'],
    ['another AWS service', 'https://s3.us-west-2.amazonaws.com/?Action=ConfirmSubscription'],
    [
      'an SNS action other than confirming',
      'https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
    ],
    ['another region than the topic', 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc'],
    ['no URL at all', 'not a url'],
    ['a number', 42],
    ['nothing', null],
  ])('refuses a SubscribeURL pointing to %s', (_what, url) => {
    expect(() => read(confirmation(url))).toThrow(FeedbackParseError);
  });

  it('refuses a confirmation whose TopicArn is not an SNS topic', () => {
    const url = 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=abc';
    expect(() => read(confirmation(url, 'arn:aws:s3:::bucket'))).toThrow(/TopicArn/);
  });
});
