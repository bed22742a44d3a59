import { ipLiteral, nonPublicReason } from './public-address';

describe('nonPublicReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'site-local'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.5', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['2002:a00:1::1', '6to4'],
    ['2001::1', 'Teredo'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(nonPublicReason(address)).toBe(reason);
  });

  it.each(['::7f00:1', '::a00:5', '100::1', '5f00::1'])(
    'refuses %s outside IPv6 global unicast (IPv4-compatible and other special blocks)',
    (address) => {
      expect(nonPublicReason(address)).not.toBeNull();
    },
  );

  it.each(['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.253.0.1'])(
    'allows public IPv4 %s',
    (address) => {
      expect(nonPublicReason(address)).toBeNull();
    },
  );

  it.each(['2001:4860:4860::8888', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows public IPv6 %s', (address) => {
    expect(nonPublicReason(address)).toBeNull();
  });

  it.each(['', 'localhost', 'example.com', '127.1', '0x7f.0.0.1', '[::1]', '10.0.0.256'])(
    'refuses %j, which is not a plain IP literal',
    (value) => {
      expect(nonPublicReason(value)).toBe('not an IP address');
    },
  );
});

describe('ipLiteral', () => {
  it('strips the brackets of an IPv6 URL host', () => {
    expect(ipLiteral('[::1]')).toBe('::1');
    expect(ipLiteral('[::ffff:7f00:1]')).toBe('::ffff:7f00:1');
  });

  it('returns IPv4 literals as they are and null for names', () => {
    expect(ipLiteral('10.0.0.1')).toBe('10.0.0.1');
    expect(ipLiteral('hooks.example.com')).toBeNull();
    expect(ipLiteral('[hooks.example.com]')).toBeNull();
  });
});
