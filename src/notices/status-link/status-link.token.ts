// The unguessable token in a customer's status link (SPEC §4): names one customer, valid for one case, under LINK_SECRET.
import { createHmac, timingSafeEqual } from 'node:crypto';

// 18 bytes = 144 bits (the SPEC asks for an unguessable value; 128 bits is the floor), and a multiple of 3 so the
// base64url form has no partial last character that several spellings could decode to.
const MAC_BYTES = 18;
const MAC_CHARS = 24;
// Customer ids are short (a bigserial or a ref); anything longer is garbage and is refused before any work.
const MAX_CUSTOMER_ID_LENGTH = 200;
// At most 3 UTF-8 bytes per UTF-16 unit, 4 base64 characters per 3 bytes, then the dot and the MAC.
const MAX_TOKEN_LENGTH = Math.ceil((MAX_CUSTOMER_ID_LENGTH * 3 * 4) / 3) + 1 + MAC_CHARS;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * `base64url(customerId) . base64url(HMAC-SHA256(secret, JSON ['status-link:v1', caseId, customerId])[0..18])`.
 * The customer id travels in the token so the page can find the customer without a stored lookup; the MAC binds it to
 * the case, so a customer's token for one case opens nothing in another, and changing the secret invalidates every
 * token.
 */
export function createStatusToken(secret: string, caseId: string, customerId: string): string {
  requireSecret(secret);
  if (customerId === '' || customerId.length > MAX_CUSTOMER_ID_LENGTH) {
    throw new RangeError(`status link customer id must be 1-${MAX_CUSTOMER_ID_LENGTH} characters`);
  }
  return `${Buffer.from(customerId, 'utf8').toString('base64url')}.${mac(secret, caseId, customerId)}`;
}

/**
 * The customer id `token` was made for with this case, or null: tampered, another case's, made under another secret,
 * or garbage of any kind (never throws on the token). The whole expected token is compared in constant time.
 */
export function verifyStatusToken(secret: string, caseId: string, token: string): string | null {
  requireSecret(secret);
  if (typeof token !== 'string' || typeof caseId !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const encodedId = token.slice(0, dot);
  if (!BASE64URL.test(encodedId)) return null;
  const customerId = Buffer.from(encodedId, 'base64url').toString('utf8');
  if (customerId === '' || customerId.length > MAX_CUSTOMER_ID_LENGTH) return null;

  // Rebuilt from the decoded id, not from the given spelling: base64 decoding ignores a last character's spare bits,
  // so "MR" and "MQ" both decode to "1", and only the canonical one may pass.
  const expected = Buffer.from(createStatusToken(secret, caseId, customerId), 'utf8');
  const given = Buffer.from(token, 'utf8');
  // timingSafeEqual throws on unequal lengths; the length is not secret (every valid token for an id has the same).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return customerId;
}

function mac(secret: string, caseId: string, customerId: string): string {
  // JSON keeps the fields apart: with "case:customer" a case "a:b" and customer "c" would sign the same text as
  // case "a" and customer "b:c".
  const message = JSON.stringify(['status-link:v1', caseId, customerId]);
  return createHmac('sha256', secret).update(message, 'utf8').digest().subarray(0, MAC_BYTES).toString('base64url');
}

// An empty secret would make every link forgeable; a missing LINK_SECRET is a configuration bug, so it throws.
function requireSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('LINK_SECRET must be set');
}
