import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from './webhook-secret';

describe('generateWebhookSecret', () => {
  it('returns whsec_ and the base64 of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('returns a different secret each time', () => {
    const secrets = new Set(Array.from({ length: 50 }, generateWebhookSecret));
    expect(secrets.size).toBe(50);
  });

  it('is accepted by the standardwebhooks Webhook constructor', () => {
    for (let i = 0; i < 20; i++) expect(() => new Webhook(generateWebhookSecret())).not.toThrow();
  });
});
