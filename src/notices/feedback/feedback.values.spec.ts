import { FeedbackParseError } from './feedback.types';
import { bodyText, collectReports, MAX_BODY_BYTES } from './feedback.payload';
import { boundedReason, echo, isoTime, normaliseEmail, normaliseMessageId } from './feedback.values';

describe('normaliseEmail', () => {
  it.each([
    ['ops@acme.example', 'ops@acme.example'],
    ['  Ops.Team@ACME.Example \n', 'Ops.Team@acme.example'],
    ['<jane@Example.COM>', 'jane@example.com'],
    ['first+tag@sub.example.co.uk', 'first+tag@sub.example.co.uk'],
    ['Jörg@Bücher.example', 'Jörg@bücher.example'],
  ])('reads %j as %j', (raw, email) => {
    expect(normaliseEmail(raw)).toBe(email);
  });

  it.each([
    ['nothing', undefined],
    ['null', null],
    ['a number', 42],
    ['an empty string', '   '],
    ['no @', 'ops.acme.example'],
    ['two @', 'a@b@example.com'],
    ['no local part', '@example.com'],
    ['no domain', 'ops@'],
    ['a display name', 'Ops <ops@acme.example>'],
    ['two addresses', 'a@example.com, b@example.com'],
    ['an address with a CR LF', 'ops@acme.example\r\nBcc: x@evil.example'],
    ['a quoted local part', '"a b"@example.com'],
    ['a local part over 64 characters', `${'a'.repeat(65)}@example.com`],
    ['an address over 254 characters', `a@${'b'.repeat(253)}.example`],
  ])('refuses %s', (_what, raw) => {
    expect(() => normaliseEmail(raw)).toThrow(FeedbackParseError);
  });

  it('names the field and never echoes more than a short prefix', () => {
    let message = '';
    try {
      normaliseEmail(`${'x'.repeat(100_000)}`, 'emailAddress');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.startsWith('emailAddress is not a single email address: "xxx')).toBe(true);
    expect(message.length).toBeLessThan(150);
  });
});

describe('normaliseMessageId', () => {
  it.each([
    ['<notice-42@vendor.example>', 'notice-42@vendor.example'],
    [' notice-42@vendor.example ', 'notice-42@vendor.example'],
    ['custom-message-ID', 'custom-message-ID'],
    ['', null],
    ['<>', null],
    ['two words', null],
    ['<a@b>\r\nX-Injected: 1', null],
    ['x'.repeat(999), null],
    [42, null],
  ])('reads %j as %j', (raw, id) => {
    expect(normaliseMessageId(raw)).toBe(id);
  });
});

describe('boundedReason', () => {
  it('takes the first non-empty candidate, on one line', () => {
    expect(boundedReason(undefined, '', '  ', 'smtp; 550 5.1.1\r\n  user unknown', 'later')).toBe(
      'smtp; 550 5.1.1 user unknown',
    );
    expect(boundedReason(550)).toBe('550');
    expect(boundedReason(null, {}, [], NaN)).toBeNull();
  });

  it('cuts a huge reason short', () => {
    expect(boundedReason('y'.repeat(50_000))).toHaveLength(1001);
  });
});

describe('isoTime', () => {
  it.each([
    ['2019-11-05T16:33:54.9070259Z', '2019-11-05T16:33:54.907Z'],
    ['2014-08-01T13:28:10.2735393-04:00', '2014-08-01T17:28:10.273Z'],
    [1513299569, '2017-12-15T00:59:29.000Z'],
    [1521233195.375624, '2018-03-16T20:46:35.376Z'],
    ['1461261330', '2016-04-21T17:55:30.000Z'],
    ['yesterday', null],
    [1e20, null],
    [-1, null],
    [{}, null],
    ['9'.repeat(100), null],
  ])('reads %j as %j', (raw, iso) => {
    expect(isoTime(raw)).toBe(iso);
  });
});

describe('echo', () => {
  it('quotes strings, names other kinds and never serialises them', () => {
    expect(echo('a@b')).toBe('"a@b"');
    expect(echo({ deep: [[[]]] })).toBe('an object');
    expect(echo([1])).toBe('an array');
    expect(echo(undefined)).toBe('undefined');
  });
});

describe('bodyText', () => {
  it('decodes UTF-8 bytes and drops a BOM', () => {
    expect(bodyText(Buffer.from('\uFEFF{"a":"ü"}', 'utf8'))).toBe('{"a":"ü"}');
  });

  it.each([
    ['an over-long body', Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)],
    ['invalid UTF-8', Buffer.from([0xc3, 0x28])],
    ['an empty body', Buffer.alloc(0)],
    ['an object', { a: 1 }],
  ])('refuses %s', (_what, body) => {
    expect(() => bodyText(body)).toThrow(FeedbackParseError);
  });
});

describe('collectReports', () => {
  it('lets a programming error through instead of counting it as a bad item', () => {
    expect(() =>
      collectReports([1], 'item', () => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
