import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedbackParseError, type ParsedFeedback } from '../../feedback.types';
import { PostmarkParser } from './postmark.parser';
import { originalMessageIdFromDump } from './postmark.dsn';

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../../../../test/fixtures/bounces/postmark', name), 'utf8');
const parser = new PostmarkParser();
const parse = (body: Buffer | string): ParsedFeedback => parser.parse(body, 'application/json');

/** The documented hard bounce with some fields replaced. */
function bounce(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(fixture('bounce-hard.json')), ...changes });
}

describe('PostmarkParser', () => {
  it('reads the documented hard bounce, keeping its 64-bit ID exact', () => {
    expect(parse(Buffer.from(fixture('bounce-hard.json')))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'john@example.com',
          type: 'hard',
          messageId: null,
          reason: 'Test bounce details',
          provider: 'postmark',
          providerEventId: '4323372036854775807',
          occurredAt: '2019-11-05T16:33:54.907Z',
        },
      ],
    });
  });

  it('tells neighbouring 64-bit bounce IDs apart', () => {
    const other = fixture('bounce-hard.json').replace('4323372036854775807', '4323372036854775808');
    expect(parse(other)).toMatchObject({ reports: [{ providerEventId: '4323372036854775808' }] });
  });

  it('reads the documented spam complaint', () => {
    expect(parse(fixture('spam-complaint.json'))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'john@example.com',
          type: 'complaint',
          messageId: null,
          reason: 'Test spam complaint details',
          provider: 'postmark',
          providerEventId: '42',
          occurredAt: '2019-11-05T16:33:54.907Z',
        },
      ],
    });
  });

  it('reads a bounce hook from before RecordType existed', () => {
    expect(parse(fixture('bounce-legacy-2014.json'))).toMatchObject({
      kind: 'reports',
      reports: [
        { email: 'john@example.com', type: 'hard', providerEventId: '42', occurredAt: '2014-08-01T17:28:10.273Z' },
      ],
    });
  });

  it('finds our Message-ID in the returned headers of an included bounce dump, not the DSN’s own', () => {
    expect(parse(fixture('bounce-soft-with-dump.json'))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'ops@acme.example',
          type: 'soft',
          messageId: 'notice-1002@vendor.example',
          reason: 'smtp;452 4.2.2 Mailbox full',
          provider: 'postmark',
          providerEventId: '692560173',
          occurredAt: '2026-11-30T09:14:02.551Z',
        },
      ],
    });
  });

  it('ignores webhooks that report no failure', () => {
    expect(parse(fixture('delivery.json'))).toEqual({ kind: 'ignored', reason: 'Postmark "Delivery" webhook' });
    expect(parse(bounce({ Type: 'AutoResponder', Inactive: false }))).toEqual({
      kind: 'ignored',
      reason: 'Postmark "AutoResponder" bounce (not a delivery failure)',
    });
  });

  it.each([
    ['HardBounce', false, 'hard'],
    ['BadEmailAddress', false, 'hard'],
    ['ManuallyDeactivated', false, 'hard'],
    ['SpamComplaint', true, 'complaint'],
    ['SoftBounce', false, 'soft'],
    ['Transient', false, 'soft'],
    ['DnsError', false, 'soft'],
    ['Blocked', false, 'soft'],
    ['DMARCPolicy', false, 'soft'],
    ['SpamNotification', false, 'soft'],
    ['Unknown', false, 'soft'],
    ['SomethingPostmarkAddsLater', false, 'soft'],
    // Postmark deactivated the address: it will drop every later mail to it.
    ['SoftBounce', true, 'hard'],
    ['SomethingPostmarkAddsLater', true, 'hard'],
  ])('maps Type %s (Inactive %s) to %s', (Type, Inactive, type) => {
    expect(parse(bounce({ Type, Inactive }))).toMatchObject({ kind: 'reports', reports: [{ type }] });
  });

  it('falls back to the type description when Details is empty', () => {
    expect(parse(bounce({ Details: '' }))).toMatchObject({
      reports: [{ reason: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).' }],
    });
  });

  it.each([
    ['not JSON', '<xml/>'],
    ['a JSON array', '[{"RecordType":"Bounce"}]'],
    ['JSON null', 'null'],
    ['an object of no known shape', '{"hello":"world"}'],
    ['a bounce without Email', bounce({ Email: undefined })],
    ['a bounce with an empty Email', bounce({ Email: '  ' })],
    ['a bounce whose Email is a list', bounce({ Email: ['a@example.com', 'b@example.com'] })],
    ['a bounce to two addresses at once', bounce({ Email: 'a@example.com, b@example.com' })],
    ['a bounce whose Email is huge', bounce({ Email: `${'x'.repeat(300_000)}@example.com` })],
    ['an empty body', ''],
  ])('refuses %s with a FeedbackParseError', (_what, body) => {
    expect(() => parse(body)).toThrow(FeedbackParseError);
  });

  it('drops an ID that is not a number instead of trusting it as an idempotency key', () => {
    expect(parse(bounce({ ID: { $gt: '' } }))).toMatchObject({ reports: [{ providerEventId: null }] });
    expect(parse(bounce({ ID: 'x'.repeat(10_000) }))).toMatchObject({ reports: [{ providerEventId: null }] });
  });
});

describe('originalMessageIdFromDump', () => {
  it('is null for a dump without a returned message part', () => {
    expect(originalMessageIdFromDump('Message-ID: <dsn@mx.example.net>\r\n\r\nMailbox full')).toBeNull();
    expect(originalMessageIdFromDump(undefined)).toBeNull();
  });

  it('reads an unfolded header from a message/rfc822 part', () => {
    const dump =
      'Message-ID: <dsn@mx>\nContent-Type: message/rfc822\n\nFrom: a@b\nMessage-Id: <notice-7@vendor.example>\n';
    expect(originalMessageIdFromDump(dump)).toBe('notice-7@vendor.example');
  });
});
