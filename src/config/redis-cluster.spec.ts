import { hashTagOf, parseClusterNodes } from './redis-cluster';

describe('parseClusterNodes', () => {
  it('reads host:port entries, IPv6 in brackets, spaces around entries', () => {
    expect(parseClusterNodes('10.0.0.1:7000, redis-b.internal:7001 ,[::1]:7002')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      problems: [],
    });
  });

  it('names each bad entry by position and value', () => {
    const { problems } = parseClusterNodes('a:1,b,c:0,,d:70000,redis://e:6379,bad_host!:1,::1:7000');
    expect(problems).toEqual([
      'entry 2 ("b") is not host:port',
      'entry 3 ("c:0") has a port outside 1-65535',
      'entry 4 ("") is empty',
      'entry 5 ("d:70000") has a port outside 1-65535',
      'entry 6 ("redis://e:6379") is not host:port',
      'entry 7 ("bad_host!:1") has an invalid host name',
      'entry 8 ("::1:7000") is not host:port',
    ]);
  });
});

describe('hashTagOf', () => {
  it.each([
    ['{impact}', 'impact'],
    ['{impact}:prod', 'impact'],
    ['app{impact}', 'impact'],
    ['{a}{b}', 'a'],
  ])('%s hashes by %s', (prefix, tag) => expect(hashTagOf(prefix)).toBe(tag));

  it.each(['bull', '{}', '{}{impact}', '{impact', 'impact}', '}{impact'])(
    '%s has no hash tag (its keys would spread over slots)',
    (prefix) => expect(hashTagOf(prefix)).toBeNull(),
  );
});
