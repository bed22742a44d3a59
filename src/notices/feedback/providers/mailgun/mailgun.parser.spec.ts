import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedbackParseError, type ParsedFeedback } from '../../feedback.types';
import { MailgunParser } from './mailgun.parser';

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../../../../test/fixtures/bounces/mailgun', name), 'utf8');
const parser = new MailgunParser();
const parse = (body: Buffer | string, contentType: string | undefined = 'application/json'): ParsedFeedback =>
  parser.parse(body, contentType);
const FORM = 'application/x-www-form-urlencoded';

/** The documented permanent failure with event-data fields replaced. */
function failed(changes: Record<string, unknown>): string {
  const body = JSON.parse(fixture('failed-permanent.json'));
  return JSON.stringify({ ...body, 'event-data': { ...body['event-data'], ...changes } });
}

describe('MailgunParser', () => {
  it("reads Mailgun's permanent-failure sample (a drop to a previously bounced address) as hard", () => {
    expect(parse(Buffer.from(fixture('failed-permanent.json')))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'alice@example.com',
          type: 'hard',
          messageId: '20130503192659.13651.20287@sandbox137ba8eb5c17406295e77c3c72985e71.mailgun.org',
          reason: '605 Not delivering to previously bounced address',
          provider: 'mailgun',
          providerEventId: 'G9Bn5sl1TC6nu79C8C0bwg:1521233195.375624',
          occurredAt: '2018-03-16T20:46:35.376Z',
        },
      ],
    });
  });

  it('reads the temporary-failure sample as soft, with the SMTP code and text', () => {
    expect(parse(fixture('failed-temporary.json'))).toMatchObject({
      kind: 'reports',
      reports: [
        {
          email: 'alice@example.com',
          type: 'soft',
          reason:
            '452 4.2.2 The email account that you tried to reach is over quota. Please direct 4.2.2 the recipient to 4.2.2 https://support.example.com/mail/?p=422',
          providerEventId: 'Fs7-5t81S2ispqxqDw2U4Q:1521472262.908181',
          occurredAt: '2018-03-19T15:11:02.908Z',
        },
      ],
    });
  });

  it('reads the complaint sample', () => {
    expect(parse(fixture('complained.json'))).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'alice@example.com',
          type: 'complaint',
          messageId: '20110215055645.25246.63817@sandbox137ba8eb5c17406295e77c3c72985e71.mailgun.org',
          reason: null,
          provider: 'mailgun',
          providerEventId: '-Agny091SquKnsrW2NEKUA:1521233123.501324',
          occurredAt: '2018-03-16T20:45:23.501Z',
        },
      ],
    });
  });

  it('ties a real bounce to our notice through message.headers.message-id', () => {
    expect(parse(fixture('failed-permanent-for-notice-1004.json'))).toMatchObject({
      reports: [
        {
          email: 'ops@acme.example',
          type: 'hard',
          messageId: 'notice-1004@vendor.example',
          reason:
            "550 5.1.1 The email account that you tried to reach does not exist. Please try 5.1.1 double-checking the recipient's email address for typos",
        },
      ],
    });
  });

  it('ignores an opened event', () => {
    expect(parse(fixture('opened.json'))).toEqual({ kind: 'ignored', reason: 'Mailgun "opened" event' });
  });

  it.each([
    [{ severity: 'permanent', reason: 'bounce' }, 'hard'],
    [{ severity: 'permanent', reason: 'suppress-complaint' }, 'complaint'],
    [{ severity: 'permanent', reason: 'suppress-unsubscribe' }, 'soft'],
    [{ severity: 'temporary', reason: 'suppress-bounce' }, 'soft'],
    [{ severity: undefined }, 'soft'],
  ])('maps a failure %j to %s', (changes, type) => {
    expect(parse(failed(changes))).toMatchObject({ reports: [{ type }] });
  });

  it('reads a legacy form-encoded drop of a previously bounced address', () => {
    expect(parse(fixture('legacy-dropped.txt'), `${FORM}; charset=utf-8`)).toEqual({
      kind: 'reports',
      skipped: [],
      reports: [
        {
          email: 'bounce@example.com',
          type: 'hard',
          messageId: '20160421180324.70521.79375.96884DDB@example.com',
          reason: 'Not delivering to previously bounced address',
          provider: 'mailgun',
          providerEventId: 'a3fe1fa1640349ac552b84ddde373014b4c41645830c8dd3fc',
          occurredAt: '2016-04-21T17:55:30.000Z',
        },
      ],
    });
  });

  it('reads a legacy bounce, even without a content type', () => {
    expect(parser.parse(fixture('legacy-bounced.txt'), undefined)).toMatchObject({
      reports: [
        { email: 'noreply@example.com', type: 'hard', messageId: '20160421175529.19495.89030.B3AE3728@example.com' },
      ],
    });
  });

  it.each([
    ['code=607&reason=hardfail&event=dropped&recipient=a%40example.com', 'complaint'],
    ['code=606&reason=hardfail&event=dropped&recipient=a%40example.com', 'soft'],
    ['code=499&reason=old&event=dropped&recipient=a%40example.com', 'soft'],
    ['event=complained&recipient=a%40example.com', 'complaint'],
  ])('maps the legacy form %s to %s', (form, type) => {
    expect(parse(form, FORM)).toMatchObject({ reports: [{ type }] });
  });

  it("takes Mailgun's own token and event when custom variables repeat their names", () => {
    const form = 'event=bounced&recipient=a%40example.com&token=fromavariable&event=opened&token=mailguntoken1';
    expect(parse(form, FORM)).toMatchObject({ reports: [{ type: 'hard', providerEventId: 'mailguntoken1' }] });
  });

  it('ignores legacy events that are no failure', () => {
    expect(parse('event=delivered&recipient=a%40example.com', FORM)).toEqual({
      kind: 'ignored',
      reason: 'Mailgun legacy "delivered" event',
    });
  });

  it.each([
    ['not JSON', '{"event-data": '],
    ['JSON without event-data', '{"signature":{}}'],
    ['event-data that is a string', '{"event-data":"failed"}'],
    ['event-data without event', '{"event-data":{"recipient":"a@example.com"}}'],
    ['a failure without recipient', failed({ recipient: undefined })],
    ['a failure whose recipient is a number', failed({ recipient: 42 })],
    ['a failure to a display-name address', failed({ recipient: 'Alice <alice@example.com>' })],
    ['a JSON array', '[]'],
  ])('refuses %s with a FeedbackParseError', (_what, body) => {
    expect(() => parse(body)).toThrow(FeedbackParseError);
  });

  it('refuses a legacy failure without recipient, and multipart bodies', () => {
    expect(() => parse('event=bounced&code=550', FORM)).toThrow(FeedbackParseError);
    expect(() => parse('--x\r\n\r\n--x--', 'multipart/form-data; boundary=x')).toThrow(FeedbackParseError);
  });
});
