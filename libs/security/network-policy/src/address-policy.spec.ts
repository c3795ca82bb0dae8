import { blockedAddressReason, hostAsAddress } from './address-policy';

describe('blockedAddressReason', () => {
  it.each([['8.8.8.8'], ['93.184.215.14'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8'], ['64:ff9b::808:808'], ['2002:808:808::1']])(
    'lets the public address %s through',
    (address) => {
      expect(blockedAddressReason(address)).toBeNull();
    },
  );

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.0.1', 'private'],
    ['fc00::1', 'uniqueLocal'],
    ['169.254.1.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['::ffff:0:a00:1', 'private'],
  ])('blocks %s as %s', (address, range) => {
    expect(blockedAddressReason(address)).toBe(`is in a blocked range (${range})`);
  });

  it.each([['169.254.169.254'], ['100.100.100.200'], ['192.0.0.192'], ['fd00:ec2::254'], ['::ffff:169.254.169.254'], ['64:ff9b::a9fe:a9fe']])(
    'blocks the metadata address %s',
    (address) => {
      expect(blockedAddressReason(address)).toBe('is a cloud metadata address');
    },
  );

  it('blocks deprecated IPv4-compatible IPv6 and local-use NAT64, whose target cannot be judged', () => {
    expect(blockedAddressReason('::7f00:1')).toBe('is in a blocked range (deprecated IPv4-compatible IPv6)');
    expect(blockedAddressReason('::808:808')).toBe('is in a blocked range (deprecated IPv4-compatible IPv6)');
    expect(blockedAddressReason('64:ff9b:1:a9fe:a9:fe00::')).toBe('is in a blocked range (local-use NAT64)');
  });

  it('refuses what is not an address', () => {
    expect(blockedAddressReason('example.com')).toBe('is not an IP address');
  });
});

describe('hostAsAddress', () => {
  it('parses IPv4, bracketed IPv6 and the legacy IPv4 forms', () => {
    expect(hostAsAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(hostAsAddress('[::1]')).toBe('::1');
    expect(hostAsAddress('[::ffff:7f00:1]')).toBe('::ffff:7f00:1');
    expect(hostAsAddress('127.1')).toBe('127.0.0.1');
    expect(hostAsAddress('2130706433')).toBe('127.0.0.1');
  });

  it('returns null for host names', () => {
    expect(hostAsAddress('example.com')).toBeNull();
    expect(hostAsAddress('localhost')).toBeNull();
  });
});
