import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'imp_';

/** A new random token (32 bytes of entropy) as shown once to its owner. */
export function newTokenSecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return value.startsWith(PREFIX) && value.length >= PREFIX.length + 43 && value.length <= 128;
}
