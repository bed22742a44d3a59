import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedbackParseError, type ParsedFeedback } from '../../feedback.types';
import { SesParser } from './ses.parser';

const fixture = (name: string): Buffer =>
  readFileSync(join(__dirname, '../../../../../test/fixtures/bounces/ses', name));
const SNS_CONTENT_TYPE = 'text/plain; charset=UTF-8';
const parser = new SesParser();
const parse = (body: Buffer | string): ParsedFeedback => parser.parse(body, SNS_CONTENT_TYPE);

/** An SNS Notification envelope around any Message. */
function notification(message: unknown): string {
  const body = JSON.parse(fixture('sns-notification-bounce.txt').toString('utf8'));
  return JSON.stringify({ ...body, Message: typeof message === 'string' ? message : JSON.stringify(message) });
}

describe('SesParser', () => {
  it('reads the SNS subscription confirmation and hands back its SubscribeURL', () => {
    expect(parse(fixture('sns-subscription-confirmation.txt'))).toEqual({
      kind: 'subscription-confirmation',
      subscribeUrl:
        'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
      topicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
    });
  });

  it('refuses a subscription confirmation whose SubscribeURL is not Amazon SNS', () => {
    const body = fixture('sns-subscription-confirmation.txt')
      .toString('utf8')
      .replace('https://sns.us-west-2.amazonaws.com/', 'http://169.254.169.254/');
    expect(() => parse(body)).toThrow('SubscribeURL is not an Amazon SNS https URL: "http://169.254.169.254/');
  });

  it('ignores an unsubscribe confirmation rather than resubscribing', () => {
    expect(parse(fixture('sns-unsubscribe-confirmation.txt'))).toEqual({
      kind: 'ignored',
      reason: 'SNS unsubscribe confirmation for "arn:aws:sns:us-west-2:123456789012:MyTopic"',
    });
  });

  it('reads a permanent bounce with a DSN and the original Message-ID header', () => {
    expect(parse(fixture('sns-notification-bounce.txt'))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'jane@example.com',
          type: 'hard',
          messageId: 'notice-1001@vendor.example',
          reason: 'smtp; 550 5.1.1 <jane@example.com>... User',
          provider: 'ses',
          providerEventId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324:jane@example.com',
          occurredAt: '2016-01-27T14:59:38.237Z',
        },
      ],
    });
  });

  it('reads a complaint with a feedback report', () => {
    expect(parse(fixture('sns-notification-complaint.txt'))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'richard@example.com',
          type: 'complaint',
          messageId: 'custom-message-ID',
          reason: 'abuse',
          provider: 'ses',
          providerEventId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324:richard@example.com',
          occurredAt: '2016-01-27T14:59:38.237Z',
        },
      ],
    });
  });

  it('ignores a delivery notification', () => {
    expect(parse(fixture('sns-notification-delivery.txt'))).toEqual({
      kind: 'ignored',
      reason: 'SES "Delivery" notification',
    });
  });

  it('reads a bare SES bounce (raw message delivery) for every bounced recipient, keyed by feedbackId', () => {
    const parsed = parse(fixture('raw-bounce-without-dsn.json'));
    expect(parsed).toEqual({
      kind: 'reports',
      skipped: [],
      reports: ['jane@example.com', 'richard@example.com'].map((email) => ({
        email,
        type: 'hard',
        messageId: 'custom-message-ID',
        reason: 'Permanent/General',
        provider: 'ses',
        providerEventId: `00000137860315fd-869464a4-8680-4114-98d3-716fe35851f9-000000:${email}`,
        occurredAt: '2016-01-27T14:59:38.237Z',
      })),
    });
  });

  it('reads a bare complaint without a feedback report', () => {
    const parsed = parse(fixture('raw-complaint-without-feedback.json'));
    expect(parsed).toMatchObject({
      kind: 'reports',
      reports: [{ email: 'richard@example.com', type: 'complaint', reason: null }],
    });
  });

  it("reads an event-publishing Bounce and drops SES's own id posing as a Message-ID", () => {
    expect(parse(fixture('event-bounce.json'))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'recipient@example.com',
          type: 'hard',
          messageId: null,
          reason: 'smtp; 550 5.1.1 user unknown',
          provider: 'ses',
          providerEventId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000:recipient@example.com',
          occurredAt: '2017-08-05T00:41:02.669Z',
        },
      ],
    });
  });

  it('reads a DeliveryDelay as a soft bounce', () => {
    expect(parse(fixture('event-delivery-delay.json'))).toMatchObject({
      kind: 'reports',
      reports: [
        { email: 'recipient@example.com', type: 'soft', reason: 'smtp; 421 4.4.1 Unable to connect to remote host' },
      ],
    });
  });

  it.each([
    ['Transient', 'soft'],
    ['Undetermined', 'soft'],
    ['Permanent', 'hard'],
  ])('maps bounceType %s to %s', (bounceType, type) => {
    const ses = JSON.parse(fixture('raw-bounce-without-dsn.json').toString('utf8'));
    ses.bounce.bounceType = bounceType;
    expect(parse(notification(ses))).toMatchObject({ kind: 'reports', reports: [{ type }, { type }] });
  });

  it('ignores the notices SES itself posts when a topic is set up', () => {
    const subscribed = {
      notificationType: 'AmazonSnsSubscriptionSucceeded',
      message:
        "You have successfully subscribed your Amazon SNS topic 'arn:aws:sns:us-west-2:123456789012:MyTopic' to receive 'Bounce' notifications from Amazon SES for identity 'example.com'.",
    };
    expect(parse(notification(subscribed))).toMatchObject({ kind: 'ignored' });
    expect(parse(notification('Successfully validated SNS topic for Amazon SES event publishing.'))).toMatchObject({
      kind: 'ignored',
    });
  });

  it('ignores a complaint whose feedback type says the mail is not spam', () => {
    const ses = JSON.parse(fixture('raw-complaint-without-feedback.json').toString('utf8'));
    ses.complaint.complaintFeedbackType = 'not-spam';
    expect(parse(JSON.stringify(ses))).toEqual({
      kind: 'ignored',
      reason: 'SES complaint with feedback type not-spam',
    });
  });

  it('skips an unreadable recipient and keeps the others', () => {
    const ses = JSON.parse(fixture('raw-bounce-without-dsn.json').toString('utf8'));
    ses.bounce.bouncedRecipients = [{ emailAddress: 'a b@example.com' }, { emailAddress: 'Jane@EXAMPLE.com' }, 'x'];
    const parsed = parse(JSON.stringify(ses));
    expect(parsed).toMatchObject({ kind: 'reports', reports: [{ email: 'Jane@example.com' }] });
    expect(parsed.kind === 'reports' && parsed.skipped).toEqual([
      'recipient 0: emailAddress is not a single email address: "a b@example.com"',
      'recipient 2: is not an object: "x"',
    ]);
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[]'],
    ['a JSON string', '"Notification"'],
    ['an object of no known shape', '{"foo":1}'],
    ['an unknown SNS Type', '{"Type":"Surprise","Message":"{}"}'],
    ['a Notification without Message', '{"Type":"Notification","MessageId":"x"}'],
    ['a Message that is not JSON', notification('Hello world!')],
    ['a Message that is a JSON array', notification([])],
    ['a Bounce without bounce object', notification({ notificationType: 'Bounce', bounce: 'x' })],
    ['a Bounce without recipients', notification({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent' } })],
    [
      'a Bounce with an empty recipient list',
      notification({ notificationType: 'Bounce', bounce: { bouncedRecipients: [] } }),
    ],
    [
      'a Complaint with no readable recipient',
      notification({ notificationType: 'Complaint', complaint: { complainedRecipients: [{}] } }),
    ],
    [
      'a recipient address of a megabyte',
      notification({
        notificationType: 'Bounce',
        bounce: { bouncedRecipients: [{ emailAddress: `${'a'.repeat(1 << 20)}@example.com` }] },
      }),
    ],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('refuses %s with a FeedbackParseError', (_what, body) => {
    expect(() => parse(body)).toThrow(FeedbackParseError);
  });
});
