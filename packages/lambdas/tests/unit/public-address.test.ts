import { describe, expect, it } from 'vitest';
import {
  ipv6Bytes,
  isLoopbackAddress,
  isPublicAddress,
  normaliseHost,
} from '../../src/adapters/public-address.ts';

/** Every special-purpose range the policy refuses, with an address inside it. */
const NON_PUBLIC: readonly (readonly [range: string, address: string])[] = [
  // IPv4
  ['0.0.0.0/8 "this network"', '0.0.0.0'],
  ['0.0.0.0/8 "this network"', '0.1.2.3'],
  ['10.0.0.0/8 private', '10.0.0.5'],
  ['100.64.0.0/10 CGNAT', '100.64.0.1'],
  ['100.64.0.0/10 CGNAT', '100.127.255.254'],
  ['127.0.0.0/8 loopback', '127.0.0.1'],
  ['127.0.0.0/8 loopback', '127.255.255.254'],
  ['169.254.0.0/16 link-local', '169.254.169.254'],
  ['172.16.0.0/12 private', '172.16.0.1'],
  ['172.16.0.0/12 private', '172.31.255.254'],
  ['192.0.0.0/24 IETF protocol assignments', '192.0.0.170'],
  ['192.0.2.0/24 TEST-NET-1', '192.0.2.1'],
  ['192.88.99.0/24 6to4 relay anycast', '192.88.99.1'],
  ['192.168.0.0/16 private', '192.168.1.10'],
  ['198.18.0.0/15 benchmarking', '198.19.255.1'],
  ['198.51.100.0/24 TEST-NET-2', '198.51.100.7'],
  ['203.0.113.0/24 TEST-NET-3', '203.0.113.9'],
  ['224.0.0.0/4 multicast', '224.0.0.1'],
  ['224.0.0.0/4 multicast', '239.255.255.250'],
  ['240.0.0.0/4 reserved', '240.0.0.1'],
  ['255.255.255.255 broadcast', '255.255.255.255'],
  // IPv6
  ['::/128 unspecified', '::'],
  ['::1/128 loopback', '::1'],
  ['::/96 IPv4-compatible', '::127.0.0.1'],
  ['::/96 IPv4-compatible', '::a9fe:a9fe'],
  ['::/96 IPv4-compatible, public IPv4 inside (refused whole)', '::8.8.8.8'],
  ['::ffff:0:0/96 IPv4-mapped, private', '::ffff:10.0.0.1'],
  ['::ffff:0:0/96 IPv4-mapped, loopback', '::ffff:127.0.0.1'],
  ['::ffff:0:0/96 IPv4-mapped, metadata (hex)', '::ffff:a9fe:a9fe'],
  ['64:ff9b::/96 NAT64, private', '64:ff9b::10.0.0.1'],
  ['64:ff9b::/96 NAT64, metadata (hex)', '64:ff9b::a9fe:a9fe'],
  ['64:ff9b::/96 NAT64, loopback', '64:ff9b::7f00:1'],
  ['64:ff9b:1::/48 local-use NAT64 (refused whole)', '64:ff9b:1::808:808'],
  ['64:ff9b:1::/48 local-use NAT64', '64:ff9b:1:ffff::a00:1'],
  ['100::/64 discard', '100::1'],
  ['2001::/23 IETF protocol assignments', '2001:1::1'],
  ['2001::/23 benchmarking 2001:2::/48', '2001:2::1'],
  ['2001::/23 ORCHIDv2 2001:20::/28', '2001:20::1'],
  ['2001::/32 Teredo, client 127.0.0.1 (refused whole)', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
  ['2001::/32 Teredo, public client (refused whole)', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
  ['2001:db8::/32 documentation', '2001:db8::1'],
  ['2002::/16 6to4, 127.0.0.1 inside (refused whole)', '2002:7f00:0001::'],
  ['2002::/16 6to4, 169.254.169.254 inside', '2002:a9fe:a9fe::1'],
  ['2002::/16 6to4, public IPv4 inside (refused whole)', '2002:0808:0808::1'],
  ['3fff::/20 documentation', '3fff::1'],
  ['5f00::/16 SRv6 SIDs', '5f00::1'],
  ['fc00::/7 ULA', 'fc00::1'],
  ['fc00::/7 ULA', 'fd00:ec2::254'],
  ['fe80::/10 link-local', 'fe80::1'],
  ['fe80::/10 link-local, with a zone index', 'fe80::1%eth0'],
  ['fec0::/10 site-local (deprecated)', 'fec0::1'],
  ['ff00::/8 multicast', 'ff02::1'],
  ['ff00::/8 multicast', 'ff0e::101'],
  ['outside 2000::/3, unallocated', '4000::1'],
  ['outside 2000::/3, unallocated', 'e000::1'],
];

const PUBLIC: readonly string[] = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.216.34',
  '100.63.255.255', // just below CGNAT
  '100.128.0.0', // just above CGNAT
  '172.15.255.255', // just below 172.16/12
  '172.32.0.0', // just above 172.16/12
  '192.88.98.255', // just below the 6to4 relay range
  '198.17.255.255', // just below benchmarking
  '223.255.255.255', // the last unicast address before multicast
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '2a00:1450:4001:81b::200e',
  '2620:4f:8000::1', // AS112-v6: globally reachable
  '2001:200::1', // just above 2001::/23
  '2003::1', // just above 6to4
  '::ffff:1.1.1.1', // IPv4-mapped, public IPv4
  '::ffff:808:808', // the same, hex
  '64:ff9b::8.8.8.8', // well-known NAT64, public IPv4 (DNS64)
];

describe('isPublicAddress', () => {
  it.each(NON_PUBLIC)('refuses %s: %s', (_range, address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(PUBLIC)('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each(['', 'localhost', 'example.com', '1.2.3', '010.0.0.1', '[::1]', '::g'])(
    'treats %j, not an IP address, as not public',
    (value) => {
      expect(isPublicAddress(value)).toBe(false);
    },
  );
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1'])(
    '%s is loopback',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(true);
    },
  );

  it.each(['10.0.0.1', '::', '::127.0.0.1', '64:ff9b::127.0.0.1', '2002:7f00:1::', 'localhost'])(
    '%s is not loopback (the sender may still refuse it as non-public)',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );
});

describe('ipv6Bytes', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['64:ff9b::a9fe:a9fe', '0064ff9b0000000000000000a9fea9fe'],
    ['2001:db8::8:800:200c:417a', '20010db80000000000080800200c417a'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
  ])('reads %s', (address, hex) => {
    expect(Buffer.from(ipv6Bytes(address) ?? []).toString('hex')).toBe(hex);
  });

  it.each(['1.2.3.4', 'example.com', ':::'])('reads no IPv6 address in %j', (value) => {
    expect(ipv6Bytes(value)).toBeUndefined();
  });
});

describe('normaliseHost', () => {
  it.each([
    ['[2606:4700:4700::1111]', '2606:4700:4700::1111'],
    ['2606:4700:4700:0:0:0:0:1111', '2606:4700:4700::1111'],
    ['[2606:4700:4700:0::1111]', '2606:4700:4700::1111'],
    ['[::FFFF:10.0.0.1]', '::ffff:a00:1'],
    ['Api.Example.COM.', 'api.example.com'],
    ['*.Example.com', '*.example.com'],
    ['10.0.0.5', '10.0.0.5'],
  ])('%s is %s', (host, normal) => {
    expect(normaliseHost(host)).toBe(normal);
  });
});
