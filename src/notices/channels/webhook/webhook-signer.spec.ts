import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateWebhookSecret } from '../../../domain/webhook-secret';
import { signWebhook } from './webhook-signer';

const body = JSON.stringify({ type: 'notice.suspended', caseId: 'export-halt-2026-11', customer: { ref: 'ACME-001' } });

describe('signWebhook', () => {
  const secret = generateWebhookSecret();

  it('produces headers a standardwebhooks receiver verifies', () => {
    const headers = signWebhook(secret, 'msg_d-42-7', body);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('signs "id.timestamp.body" with HMAC-SHA256 under the decoded secret, as the specification says', () => {
    const at = new Date('2026-11-26T09:00:00.750Z');
    const headers = signWebhook(secret, 'msg_1', body, at);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`msg_1.1795683600.${body}`).digest('base64');
    expect(headers).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1795683600',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('keeps the id of a retry and signs it with the retry time', () => {
    const first = signWebhook(secret, 'msg_retry', body, new Date('2026-11-26T09:00:00Z'));
    const retry = signWebhook(secret, 'msg_retry', body, new Date('2026-11-26T09:04:00Z'));
    expect(retry['webhook-id']).toBe(first['webhook-id']);
    expect(retry['webhook-timestamp']).toBe(String(Number(first['webhook-timestamp']) + 240));
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
  });

  it('fails verification for another body, another secret or another id', () => {
    const headers = signWebhook(secret, 'msg_2', body);
    const receiver = new Webhook(secret);
    expect(() => receiver.verify(body.replace('ACME-001', 'ACME-002'), { ...headers })).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow(WebhookVerificationError);
    expect(() => receiver.verify(body, { ...headers, 'webhook-id': 'msg_3' })).toThrow(WebhookVerificationError);
  });

  it('signs the exact bytes, non-ASCII text included', () => {
    const text = JSON.stringify({ customer: { name: 'Müller & Söhne 株式会社 <script>' } });
    expect(new Webhook(secret).verify(text, { ...signWebhook(secret, 'msg_4', text) })).toEqual(JSON.parse(text));
  });

  it.each(['', 'has space', 'line\r\nbreak', 'x'.repeat(256), 'nön-ascii'])('refuses the delivery id %j', (id) => {
    expect(() => signWebhook(secret, id, body)).toThrow('webhook delivery id must be 1-255 printable ASCII characters');
  });

  it('refuses an invalid timestamp', () => {
    expect(() => signWebhook(secret, 'msg_5', body, new Date('nope'))).toThrow('webhook timestamp is not a valid date');
  });

  it('refuses a secret that is not base64 with a message naming the secret', () => {
    expect(() => signWebhook('whsec_not*base64!', 'msg_6', body)).toThrow(
      'webhook secret must be "whsec_" followed by base64',
    );
    expect(() => signWebhook('whsec_', 'msg_6', body)).toThrow('webhook secret must be "whsec_" followed by base64');
  });
});
