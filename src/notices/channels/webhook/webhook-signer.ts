// Standard Webhooks signing (https://www.standardwebhooks.com): the headers a receiver checks with `standardwebhooks`.
import { Webhook } from 'standardwebhooks';

export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

// The id travels in a header and is part of the signed content: printable ASCII without spaces keeps both unambiguous.
const DELIVERY_ID = /^[\x21-\x7e]{1,255}$/;

/**
 * Signs `body` (the exact bytes that will be sent) for delivery `deliveryId`. The id must be the same on every retry
 * of one delivery, so a receiver can drop duplicates; the timestamp is the attempt's own (receivers reject one older
 * than five minutes), so a retry is signed again rather than replaying the first attempt's headers.
 */
export function signWebhook(
  secret: string,
  deliveryId: string,
  body: string,
  timestamp: Date = new Date(),
): WebhookSignatureHeaders {
  if (!DELIVERY_ID.test(deliveryId))
    throw new TypeError('webhook delivery id must be 1-255 printable ASCII characters');
  if (Number.isNaN(timestamp.getTime())) throw new TypeError('webhook timestamp is not a valid date');
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signer(secret).sign(deliveryId, timestamp, body),
  };
}

function signer(secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch {
    // The library's own message ("Base64Coder: incorrect characters") does not say which value was wrong.
    throw new TypeError('webhook secret must be "whsec_" followed by base64');
  }
}
