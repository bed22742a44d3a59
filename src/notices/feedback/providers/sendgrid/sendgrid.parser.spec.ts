import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedbackParseError, type ParsedFeedback } from '../../feedback.types';
import { SendgridParser } from './sendgrid.parser';

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../../../../test/fixtures/bounces/sendgrid', name), 'utf8');
const parser = new SendgridParser();
const parse = (body: Buffer | string): ParsedFeedback => parser.parse(body, 'application/json');

const DOCS_EVENT = {
  email: 'example@test.com',
  messageId: '14c5d75ce93.dfd.64b469@ismtpd-555',
  provider: 'sendgrid',
  occurredAt: '2017-12-15T00:59:29.000Z',
};

describe('SendgridParser', () => {
  it.each([
    ['bounce.json', 'hard', '500 unknown recipient', '6g4ZI7SA-xmRDv57GoPIPw=='],
    ['blocked.json', 'soft', '500 unknown recipient', '6g4ZI7SA-xmRDv57GoPIPw=='],
    ['dropped.json', 'hard', 'Bounced Address', 'zmzJhfJgAfUSOW80yEbPyw=='],
    ['deferred.json', 'soft', '400 try again later', 't7LEShmowp86DTdUW8M-GQ=='],
    ['spamreport.json', 'complaint', null, '37nvH5QBz858KGVYCM4uOA=='],
  ])('reads the documented %s as %s', (file, type, reason, providerEventId) => {
    expect(parse(fixture(file))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [{ ...DOCS_EVENT, type, reason, providerEventId }],
    });
  });

  it('ignores a batch of deliveries', () => {
    expect(parse(fixture('delivered.json'))).toEqual({
      kind: 'ignored',
      reason: 'no bounce or complaint among 1 SendGrid events',
    });
    expect(parse('[]')).toMatchObject({ kind: 'ignored' });
  });

  it('picks the deferral, bounce, drop and spam report out of the documented batch of every event type', () => {
    const parsed = parse(fixture('every-event-type.json'));
    expect(parsed.kind === 'reports' && parsed.reports.map((r) => [r.type, r.reason])).toEqual([
      ['soft', '400 try again later'],
      ['hard', '500 unknown recipient'],
      ['hard', 'Bounced Address'],
      ['complaint', null],
    ]);
  });

  it('ties a bounce to our notice through smtp-id', () => {
    expect(parse(Buffer.from(fixture('batch-for-notice-1003.json')))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        expect.objectContaining({ type: 'soft', messageId: 'notice-1003@vendor.example' }),
        {
          email: 'ops@acme.example',
          type: 'hard',
          messageId: 'notice-1003@vendor.example',
          reason: '550 5.1.1 The email account that you tried to reach does not exist.',
          provider: 'sendgrid',
          providerEventId: '6g4ZI7SA-xmRDv57GoPIPw==',
          occurredAt: '2026-11-30T09:14:02.000Z',
        },
      ],
    });
  });

  it.each([
    ['Spam Reporting Address', 'complaint'],
    ['Invalid', 'hard'],
    ['Unsubscribed Address', 'soft'],
    ['Spam Content', 'soft'],
    ['Invalid SMTPAPI header', 'soft'],
    ['constructor', 'soft'],
  ])('maps a drop for %s to %s', (reason, type) => {
    const [event] = JSON.parse(fixture('dropped.json'));
    expect(parse(JSON.stringify([{ ...event, reason }]))).toMatchObject({ reports: [{ type }] });
  });

  it('skips unreadable events of a mixed batch and keeps the rest', () => {
    const [bounce] = JSON.parse(fixture('bounce.json'));
    const [open] = JSON.parse(fixture('every-event-type.json')).filter((e: { event: string }) => e.event === 'open');
    const batch = [
      null,
      open,
      { ...bounce, email: undefined },
      'bounce',
      { ...bounce, email: 'Someone@Example.COM' },
      [1],
    ];
    const parsed = parse(JSON.stringify(batch));
    expect(parsed).toMatchObject({ kind: 'reports', reports: [{ email: 'Someone@example.com', type: 'hard' }] });
    expect(parsed.kind === 'reports' && parsed.skipped).toEqual([
      'event 0: is not a SendGrid event: null',
      'event 2: email is missing',
      'event 3: is not a SendGrid event: "bounce"',
      'event 5: is not a SendGrid event: an array',
    ]);
  });

  it('drops an sg_event_id that is not SendGrid-shaped instead of keying on it', () => {
    const [bounce] = JSON.parse(fixture('bounce.json'));
    expect(parse(JSON.stringify([{ ...bounce, sg_event_id: 'x'.repeat(101) }]))).toMatchObject({
      reports: [{ providerEventId: null }],
    });
  });

  it.each([
    ['not JSON', 'event=bounce&email=a@example.com'],
    ['a single event instead of a batch', JSON.stringify(JSON.parse(fixture('bounce.json'))[0])],
    ['a batch in which no event can be read', '[{"event":"bounce"},{"event":"spamreport","email":"not an address"}]'],
    ['a batch of non-events', '[1, "two", null]'],
  ])('refuses %s with a FeedbackParseError', (_what, body) => {
    expect(() => parse(body)).toThrow(FeedbackParseError);
  });
});
