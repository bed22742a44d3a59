import { randomBytes } from 'node:crypto';
import { createStatusToken, verifyStatusToken } from './status-link.token';

const secret = 'link-secret-for-tests-0123456789abcdef';
const caseId = 'export-halt-2026-11';

describe('createStatusToken', () => {
  it('is base64url(customer id), a dot and a 144-bit MAC, URL-safe as it is', () => {
    const token = createStatusToken(secret, caseId, '17');
    expect(token).toMatch(/^MTc\.[A-Za-z0-9_-]{24}$/);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('is the same for the same inputs and differs for every other input', () => {
    const token = createStatusToken(secret, caseId, '17');
    expect(createStatusToken(secret, caseId, '17')).toBe(token);
    expect(createStatusToken(secret, caseId, '18')).not.toBe(token);
    expect(createStatusToken(secret, 'other-case', '17')).not.toBe(token);
    expect(createStatusToken(`${secret}x`, caseId, '17')).not.toBe(token);
  });

  it('refuses an empty secret and an empty or overlong customer id', () => {
    expect(() => createStatusToken('', caseId, '17')).toThrow('LINK_SECRET must be set');
    expect(() => createStatusToken(secret, caseId, '')).toThrow(RangeError);
    expect(() => createStatusToken(secret, caseId, '1'.repeat(201))).toThrow(RangeError);
  });
});

describe('verifyStatusToken', () => {
  it.each(['17', '9007199254740993', 'ACME-001', 'Müller GmbH 株式会社', 'a.b:c/d?e'])(
    'gives back the customer id %j for its own case',
    (customerId) => {
      expect(verifyStatusToken(secret, caseId, createStatusToken(secret, caseId, customerId))).toBe(customerId);
    },
  );

  it('refuses the token under any other case id', () => {
    const token = createStatusToken(secret, caseId, '17');
    for (const other of ['export-halt-2026-12', 'EXPORT-HALT-2026-11', `${caseId} `, '', `${caseId}:17`]) {
      expect(verifyStatusToken(secret, other, token)).toBeNull();
    }
  });

  it("refuses another customer's token for another case, and a swap of the two halves", () => {
    const mine = createStatusToken(secret, caseId, '17');
    const theirs = createStatusToken(secret, 'other-case', '18');
    expect(verifyStatusToken(secret, caseId, theirs)).toBeNull();
    const [myId, myMac] = mine.split('.');
    const [theirId, theirMac] = theirs.split('.');
    expect(verifyStatusToken(secret, caseId, `${theirId}.${myMac}`)).toBeNull();
    expect(verifyStatusToken(secret, 'other-case', `${myId}.${theirMac}`)).toBeNull();
  });

  it('keeps case and customer apart: case "a:b" with customer "c" is not case "a" with customer "b:c"', () => {
    const mac = createStatusToken(secret, 'a', 'b:c').split('.')[1];
    const forged = `${Buffer.from('c').toString('base64url')}.${mac}`;
    expect(verifyStatusToken(secret, 'a:b', forged)).toBeNull();
  });

  it('refuses every token once the secret changes', () => {
    const tokens = ['1', '2', '17', 'ACME-001'].map((id) => createStatusToken(secret, caseId, id));
    for (const token of tokens) expect(verifyStatusToken('rotated-link-secret', caseId, token)).toBeNull();
  });

  it('refuses the token with any single character changed', () => {
    const token = createStatusToken(secret, caseId, '12345');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        const tampered = token.slice(0, i) + c + token.slice(i + 1);
        expect(verifyStatusToken(secret, caseId, tampered)).toBeNull();
      }
    }
  });

  it('refuses the token with a character added or removed anywhere', () => {
    const token = createStatusToken(secret, caseId, '12345');
    for (let i = 0; i <= token.length; i++) {
      expect(verifyStatusToken(secret, caseId, token.slice(0, i) + 'A' + token.slice(i))).toBeNull();
      if (i < token.length)
        expect(verifyStatusToken(secret, caseId, token.slice(0, i) + token.slice(i + 1))).toBeNull();
    }
  });

  // Base64 decoding ignores the spare bits of a last character: "MR" decodes to "1" like the canonical "MQ" does.
  it('refuses a second spelling of the customer id that decodes to the same bytes', () => {
    const token = createStatusToken(secret, caseId, '1');
    expect(token.startsWith('MQ.')).toBe(true);
    expect(Buffer.from('MR', 'base64url').toString()).toBe('1');
    expect(verifyStatusToken(secret, caseId, `MR${token.slice(2)}`)).toBeNull();
    expect(verifyStatusToken(secret, caseId, `MQ==${token.slice(2)}`)).toBeNull();
  });

  it('returns null, never throws, for garbage of every kind', () => {
    const garbage: unknown[] = [
      '',
      '.',
      '..',
      'MTc.',
      '.abc',
      'MTc..abc',
      'MTc.abc.def',
      'not base64!.also not',
      'a'.repeat(10 * 1024),
      `MTc.${'A'.repeat(10 * 1024)}`,
      `${'A'.repeat(10 * 1024)}.${'A'.repeat(24)}`,
      '😀😀😀.😀😀😀',
      'MTc.\u0000\u0000',
      '\ud800.\udfff',
      'MTc.%41%42',
      '+/+/.+/+/',
      undefined,
      null,
      17,
      {},
      ['MTc', 'x'],
    ];
    for (let i = 0; i < 200; i++) garbage.push(randomBytes(1 + (i % 64)).toString(i % 2 ? 'base64url' : 'latin1'));
    for (const token of garbage) {
      expect(() => verifyStatusToken(secret, caseId, token as string)).not.toThrow();
      expect(verifyStatusToken(secret, caseId, token as string)).toBeNull();
    }
  });

  it('refuses a well-formed token whose id decodes to invalid UTF-8', () => {
    const token = createStatusToken(secret, caseId, '\ufffd');
    const invalid = Buffer.from([0xff]).toString('base64url');
    expect(verifyStatusToken(secret, caseId, `${invalid}.${token.split('.')[1]}`)).toBeNull();
  });

  it('throws when the secret is missing: a configuration bug, not a bad link', () => {
    expect(() => verifyStatusToken('', caseId, 'MTc.abc')).toThrow('LINK_SECRET must be set');
  });
});
