// A customer webhook endpoint's signing secret (SPEC §4): made where an endpoint is set (the API, a registry import).
import { randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
// 32 bytes: the spec asks for 24 to 64, and 32 is the HMAC-SHA256 output size, so nothing is gained beyond it.
const SECRET_BYTES = 32;

/** A new endpoint secret, `whsec_` + base64 of 32 random bytes, the form `new Webhook(secret)` accepts. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}
