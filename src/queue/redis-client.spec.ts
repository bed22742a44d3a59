import { clusterOptions } from './redis-client';

describe('clusterOptions', () => {
  it('puts REDIS_URL credentials and TLS under redisOptions, for every node, without host, port or database', () => {
    const o = clusterOptions('rediss://app:s%40cret@ignored.example:6380', { maxRetriesPerRequest: null });
    expect(o.redisOptions).toMatchObject({
      username: 'app',
      password: 's@cret',
      tls: {},
      maxRetriesPerRequest: null,
    });
    expect(o.redisOptions).not.toHaveProperty('host');
    expect(o.redisOptions).not.toHaveProperty('port');
    expect(o.redisOptions).not.toHaveProperty('db');
  });

  it('has no TLS and no credentials for a plain redis:// URL', () => {
    const o = clusterOptions('redis://127.0.0.1:6379');
    expect(o.redisOptions?.tls).toBeUndefined();
    expect(o.redisOptions?.password).toBeUndefined();
  });
});
