import { loadConfig } from './app-config';

describe('loadConfig', () => {
  it('gives working defaults for a newcomer', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.APP_ROLE).toBe('all');
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.OUTBOX_DIR).toBe('var/outbox');
    expect(c.DEFAULT_DISPATCH).toBe('review');
    expect(c.BULLMQ_PREFIX).toBe('bull');
  });

  it('converts numbers', () => {
    const c = loadConfig({ PORT: '8080', MAIL_RATE_PER_SECOND: '12.5', MAIL_MAX_ATTEMPTS: '3' });
    expect(c.PORT).toBe(8080);
    expect(c.MAIL_RATE_PER_SECOND).toBe(12.5);
    expect(c.MAIL_MAX_ATTEMPTS).toBe(3);
  });

  it('names every bad variable and what it expects', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'abc', APP_ROLE: 'boss', DATABASE_URL: 'mysql://x', SMTP_URL: 'http://x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid environment variables:/);
    expect(message).toMatch(/PORT: .*must be an integer.*"abc"/);
    expect(message).toMatch(/APP_ROLE: must be one of all, api, worker \(got "boss"\)/);
    expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(message).toMatch(/SMTP_URL: must be an smtp/);
    expect(message).not.toMatch(/REDIS_URL/);
  });
});
