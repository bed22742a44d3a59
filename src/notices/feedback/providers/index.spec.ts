import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedbackParseError, WEBHOOK_PROVIDERS, type ParsedFeedback } from '../feedback.types';
import { BOUNCE_PARSERS, bounceParserFor } from './index';

const FIXTURES = join(__dirname, '../../../../test/fixtures/bounces');

/** What each provider sends as Content-Type (SNS: text/plain, whatever the body). */
function contentType(provider: string, file: string): string {
  if (provider === 'ses') return 'text/plain; charset=UTF-8';
  return file.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json';
}

/** Parsing either returns a ParsedFeedback or throws FeedbackParseError; anything else (a TypeError) fails. */
function outcome(parse: () => ParsedFeedback): string {
  try {
    return parse().kind;
  } catch (err) {
    if (err instanceof FeedbackParseError) return 'error';
    throw err;
  }
}

describe('bounce parser registry', () => {
  it('has one parser per webhook provider, each naming itself', () => {
    expect(Object.keys(BOUNCE_PARSERS).sort()).toEqual([...WEBHOOK_PROVIDERS].sort());
    for (const provider of WEBHOOK_PROVIDERS) expect(bounceParserFor(provider)?.provider).toBe(provider);
  });

  it.each(['api', 'SES', '__proto__', 'constructor', 'toString', ''])('has no parser for %j', (name) => {
    expect(bounceParserFor(name)).toBeUndefined();
  });

  it('reads every fixture of every provider into what its README says, never an error', () => {
    const kinds: Record<string, string> = {};
    for (const provider of WEBHOOK_PROVIDERS) {
      for (const file of readdirSync(join(FIXTURES, provider))) {
        const body = readFileSync(join(FIXTURES, provider, file));
        kinds[`${provider}/${file}`] = outcome(() => BOUNCE_PARSERS[provider].parse(body, contentType(provider, file)));
      }
    }
    expect(kinds).toEqual({
      'ses/event-bounce.json': 'reports',
      'ses/event-delivery-delay.json': 'reports',
      'ses/raw-bounce-without-dsn.json': 'reports',
      'ses/raw-complaint-without-feedback.json': 'reports',
      'ses/sns-notification-bounce.txt': 'reports',
      'ses/sns-notification-complaint.txt': 'reports',
      'ses/sns-notification-delivery.txt': 'ignored',
      'ses/sns-subscription-confirmation.txt': 'subscription-confirmation',
      'ses/sns-unsubscribe-confirmation.txt': 'ignored',
      'postmark/bounce-hard.json': 'reports',
      'postmark/bounce-legacy-2014.json': 'reports',
      'postmark/bounce-soft-with-dump.json': 'reports',
      'postmark/delivery.json': 'ignored',
      'postmark/spam-complaint.json': 'reports',
      'sendgrid/batch-for-notice-1003.json': 'reports',
      'sendgrid/blocked.json': 'reports',
      'sendgrid/bounce.json': 'reports',
      'sendgrid/deferred.json': 'reports',
      'sendgrid/delivered.json': 'ignored',
      'sendgrid/dropped.json': 'reports',
      'sendgrid/every-event-type.json': 'reports',
      'sendgrid/spamreport.json': 'reports',
      'mailgun/complained.json': 'reports',
      'mailgun/failed-permanent-for-notice-1004.json': 'reports',
      'mailgun/failed-permanent.json': 'reports',
      'mailgun/failed-temporary.json': 'reports',
      'mailgun/legacy-bounced.txt': 'reports',
      'mailgun/legacy-dropped.txt': 'reports',
      'mailgun/opened.json': 'ignored',
    });
  });
});

describe('every parser, given hostile input', () => {
  const huge = 'x'.repeat(2_000_000);
  const hostile: [string, unknown][] = [
    ['an empty body', ''],
    ['whitespace', ' \n\t '],
    ['garbage bytes', Buffer.from([0, 159, 146, 150, 255])],
    ['a lone UTF-8 BOM', '\uFEFF'],
    ['not JSON', 'hello, world'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
    ['a JSON number', '1e309'],
    ['a JSON string', '"bounce"'],
    ['an empty object', '{}'],
    ['an empty array', '[]'],
    ['an array of nulls', '[null,null]'],
    ['deeply nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['a prototype-polluting object', '{"__proto__":{"event":"bounce"},"constructor":{"prototype":{}}}'],
    ['fields of the wrong types', '{"Type":1,"Message":{},"event-data":[],"RecordType":null,"Email":{}}'],
    [
      'a huge string value',
      JSON.stringify({ Type: 'Notification', Message: huge, Email: huge, 'event-data': { event: huge } }),
    ],
    ['a body over the size limit', Buffer.alloc(9 * 1024 * 1024, 0x20)],
    ['a parsed object instead of bytes', { event: 'bounce' }],
    ['undefined instead of bytes', undefined],
  ];

  describe.each(WEBHOOK_PROVIDERS.map((p) => [p]))('%s', (provider) => {
    it.each(hostile)('answers %s with a result or a FeedbackParseError, never a TypeError', (_what, body) => {
      for (const type of [undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
        expect(['reports', 'ignored', 'subscription-confirmation', 'error']).toContain(
          outcome(() => BOUNCE_PARSERS[provider].parse(body as string, type)),
        );
      }
    });

    it('reports no bounce from garbage', () => {
      for (const [, body] of hostile) {
        let parsed: ParsedFeedback | null = null;
        try {
          parsed = BOUNCE_PARSERS[provider].parse(body as string, 'application/json');
        } catch (err) {
          expect(err).toBeInstanceOf(FeedbackParseError);
        }
        if (parsed?.kind === 'reports') expect(parsed.reports).toEqual([]);
      }
    });
  });
});
