import { environment, loadConfig } from './app-config';

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

describe('SMTP_URL with several providers', () => {
  it('parses each provider with its own rate and size limit, in order', () => {
    const c = loadConfig({
      SMTP_URL: 'smtp://u:p@a.example:2525?rate=14&maxMessageBytes=10485760&maxConnections=3, smtps://b.example',
    });
    expect(c.SMTP_PROVIDERS).toEqual([
      {
        name: 'a.example:2525',
        url: 'smtp://u:p@a.example:2525?maxConnections=3',
        rate: 14,
        maxMessageBytes: 10485760,
      },
      { name: 'b.example:465', url: 'smtps://b.example', rate: 0, maxMessageBytes: null },
    ]);
  });

  it('names the bad entry and never shows its password', () => {
    let message = '';
    try {
      loadConfig({ SMTP_URL: 'smtp://ok.example,smtp://user:hunter2@bad.example?rate=fast,not a url' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid environment variables:\n {2}SMTP_URL: /);
    expect(message).toMatch(/entry 2 \("smtp:\/\/user:\*\*\*@bad\.example\?rate=fast"\): rate must be a number/);
    expect(message).toMatch(/entry 3 \("not a url"\) is not a URL/);
    expect(message).not.toMatch(/hunter2/);
    expect(message).not.toMatch(/entry 1/);
  });

  it('gives distinct names to one host listed twice', () => {
    const c = loadConfig({ SMTP_URL: 'smtp://h.example:25,smtp://h.example:25' });
    expect(c.SMTP_PROVIDERS.map((p) => p.name)).toEqual(['h.example:25', 'h.example:25#2']);
  });
});

describe('DKIM settings', () => {
  it('wants all three variables or none, and never echoes the key', () => {
    expect(() => loadConfig({ DKIM_DOMAIN: 'vendor.example' })).toThrow(/set all three to sign, or none/);
    let message = '';
    try {
      loadConfig({
        DKIM_DOMAIN: 'vendor.example',
        DKIM_SELECTOR: 's1',
        DKIM_PRIVATE_KEY: '/nonexistent/secret-key.pem',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/DKIM_PRIVATE_KEY: neither a PEM key nor a readable file/);
  });

  it('takes PEM text with \\n escapes as the key', () => {
    const c = loadConfig({
      DKIM_DOMAIN: 'vendor.example',
      DKIM_SELECTOR: 's1',
      DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----',
    });
    expect(c.DKIM_KEY_PEM).toBe('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----');
  });
});

describe('.env file', () => {
  const { mkdtempSync, writeFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
  const { join } = jest.requireActual<typeof import('node:path')>('node:path');
  const { tmpdir } = jest.requireActual<typeof import('node:os')>('node:os');

  it('is read when present, and the environment wins', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'env-')), '.env');
    writeFileSync(file, 'PORT=4100\nMAIL_DOMAIN=from-file.example\n# a comment\nAPP_ROLE="worker"\n');
    const saved = { NODE_ENV: process.env.NODE_ENV, PORT: process.env.PORT };
    process.env.NODE_ENV = 'development';
    process.env.PORT = '4200';
    try {
      const c = loadConfig(environment(file));
      expect(c.PORT).toBe(4200);
      expect(c.MAIL_DOMAIN).toBe('from-file.example');
      expect(c.APP_ROLE).toBe('worker');
      expect(environment(join(file, '..', 'missing.env'))).toBe(process.env);
    } finally {
      process.env.NODE_ENV = saved.NODE_ENV;
      if (saved.PORT === undefined) delete process.env.PORT;
      else process.env.PORT = saved.PORT;
    }
  });
});

describe('secrets of the public routes', () => {
  it('requires LINK_SECRET in production, and never echoes a bad one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/LINK_SECRET: required when NODE_ENV=production/);
    let message = '';
    try {
      loadConfig({ LINK_SECRET: 'short-secret-value', BOUNCE_WEBHOOK_TOKEN: 'has spaces in it, not ok' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/LINK_SECRET: must be at least 32 characters/);
    expect(message).toMatch(/BOUNCE_WEBHOOK_TOKEN: must be at least 16 printable/);
    expect(message).not.toMatch(/short-secret-value|has spaces/);
    const c = loadConfig({ NODE_ENV: 'production', LINK_SECRET: 'x'.repeat(40), WEBHOOK_ALLOW_PRIVATE: 'true' });
    expect(c.LINK_SECRET).toHaveLength(40);
    expect(c.WEBHOOK_ALLOW_PRIVATE).toBe(true);
    expect(loadConfig({}).WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE: must be true or false/);
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('is off by default: one Redis at REDIS_URL, prefix bull', () => {
    const c = loadConfig({});
    expect(c.REDIS_CLUSTER).toEqual([]);
    expect(c.BULLMQ_PREFIX).toBe('bull');
  });

  it('parses the seed nodes', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001', BULLMQ_PREFIX: '{impact}' });
    expect(c.REDIS_CLUSTER).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
    ]);
  });

  it('names the variable and the bad entry', () => {
    const message = problems({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1', BULLMQ_PREFIX: '{impact}' });
    expect(message).toBe(
      'Invalid environment variables:\n' +
        '  REDIS_CLUSTER_NODES: must be host:port entries, comma-separated: entry 2 ("127.0.0.1") is not host:port ' +
        '(got "127.0.0.1:7000,127.0.0.1")',
    );
  });

  it('refuses a prefix without a hash tag, the default one included, and says what to set', () => {
    expect(problems({ REDIS_CLUSTER_NODES: 'r:7000' })).toBe(
      'Invalid environment variables:\n' +
        '  BULLMQ_PREFIX: with REDIS_CLUSTER_NODES set, must be a Redis Cluster hash tag so that every key of a queue ' +
        'hashes to one slot; set BULLMQ_PREFIX={bull} (got the default "bull")',
    );
    expect(problems({ REDIS_CLUSTER_NODES: 'r:7000', BULLMQ_PREFIX: 'impact:prod' })).toMatch(
      /BULLMQ_PREFIX: .*set BULLMQ_PREFIX=\{impact:prod\} \(got "impact:prod"\)$/,
    );
    expect(problems({ REDIS_CLUSTER_NODES: 'r:7000', BULLMQ_PREFIX: '{}x' })).toMatch(
      /set BULLMQ_PREFIX=\{impact\} \(got "\{\}x"\)$/,
    );
    expect(problems({ REDIS_CLUSTER_NODES: 'r:7000', BULLMQ_PREFIX: 'app{impact}' })).toBe('');
  });

  it('leaves the prefix alone on one node', () => {
    expect(loadConfig({ BULLMQ_PREFIX: 'impact' }).BULLMQ_PREFIX).toBe('impact');
  });

  it('refuses a database number in REDIS_URL on a cluster, and reports every problem at once', () => {
    const message = problems({ REDIS_CLUSTER_NODES: 'r:7000,x', REDIS_URL: 'redis://:secret@r:7000/2' });
    expect(message).toMatch(/REDIS_CLUSTER_NODES: .*entry 2 \("x"\)/);
    expect(message).toMatch(/BULLMQ_PREFIX: /);
    expect(message).toMatch(/REDIS_URL: with REDIS_CLUSTER_NODES set, must not select a database .*got \/2\)/);
    expect(message).not.toMatch(/secret/);
    expect(problems({ REDIS_CLUSTER_NODES: 'r:7000', BULLMQ_PREFIX: '{i}', REDIS_URL: 'redis://r:7000/0' })).toBe('');
  });
});
