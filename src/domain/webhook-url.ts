// The check a webhook URL passes when an endpoint is set (and again before each call): scheme, credentials, host.
import { ipLiteral, nonPublicReason } from './public-address';

export interface WebhookUrlPolicy {
  /** WEBHOOK_ALLOW_PRIVATE: plain http and private addresses are allowed (tests, internal endpoints). */
  allowPrivate: boolean;
}

/** `url` is the normalised form to store and call; `error` names the reason and can be shown in a 400 as it is. */
export type WebhookUrlCheck = { ok: true; url: string } | { ok: false; error: string };

// Longer URLs are not endpoints anyone types; the cap keeps stored rows and error messages small.
const MAX_URL_LENGTH = 2048;

/**
 * Validates a webhook endpoint URL. Host names are not resolved here: what a name points to can change after it
 * was set (DNS rebinding), so the resolved address is checked when connecting (SafeHttpClient) instead.
 */
export function validateWebhookUrl(url: string, policy: WebhookUrlPolicy): WebhookUrlCheck {
  if (typeof url !== 'string' || url.trim() === '') return fail('webhook URL is empty');
  if (url.length > MAX_URL_LENGTH) return fail(`webhook URL is longer than ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('webhook URL is not a valid absolute URL');
  }
  const allowed = policy.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(parsed.protocol)) {
    return fail(
      `webhook URL scheme "${parsed.protocol}" is not allowed; use ${policy.allowPrivate ? 'https or http' : 'https'}`,
    );
  }
  // Credentials in a URL end up in logs and on the customer page; a receiver authenticates us by the signature.
  if (parsed.username !== '' || parsed.password !== '')
    return fail('webhook URL must not contain a user name or password');
  if (parsed.hostname === '') return fail('webhook URL has no host');
  if (policy.allowPrivate) return { ok: true, url: parsed.href };

  const literal = ipLiteral(parsed.hostname);
  if (literal !== null) {
    const reason = nonPublicReason(literal);
    if (reason !== null) return fail(`webhook URL host ${parsed.hostname} is not a public address (${reason})`);
  }
  // RFC 6761: "localhost" and its subdomains always resolve to loopback, so say so now rather than at the first call.
  const name = parsed.hostname.replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return fail(`webhook URL host ${parsed.hostname} is not a public address (loopback name)`);
  }
  return { ok: true, url: parsed.href };
}

function fail(error: string): WebhookUrlCheck {
  return { ok: false, error };
}
