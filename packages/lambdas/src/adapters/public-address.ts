import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a webhook may reach: public unicast only (the IANA special-purpose address
 * registries for IPv4 and IPv6 are refused). Pure: no DNS, no network.
 *
 * IPv6 is public only inside global unicast `2000::/3`, which leaves out, among others, `::/128`,
 * `::1`, IPv4-compatible `::/96`, local-use NAT64 `64:ff9b:1::/48`, discard `100::/64`, ULA
 * `fc00::/7`, link-local `fe80::/10`, site-local `fec0::/10` and multicast `ff00::/8`; inside it,
 * the IETF protocol assignments `2001::/23` (Teredo `2001::/32` among them), documentation
 * `2001:db8::/32` and `3fff::/20`, and 6to4 `2002::/16` are refused too. Two forms that wrap an IPv4
 * address are judged by the address they wrap: IPv4-mapped `::ffff:0:0/96` (what a dual-stack
 * resolver may answer) and well-known NAT64 `64:ff9b::/96` (what DNS64 answers in an IPv6-only
 * network). The other forms that embed one are refused whole rather than decoded: IPv4-compatible
 * (deprecated since RFC 4291), 6to4 (deprecated by RFC 7526) and Teredo (obfuscated client
 * address) are transition mechanisms no webhook backend needs, and local-use NAT64 places the IPv4
 * address where its operator chooses.
 */
const NON_PUBLIC_IPV4 = blockList('ipv4', [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud instance metadata)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, 255.255.255.255 (limited broadcast) included
]);

/** IANA's global unicast space: every public IPv6 address is inside it. */
const GLOBAL_UNICAST_IPV6 = blockList('ipv6', [['2000::', 3]]);

/** The special-purpose ranges inside `2000::/3`. */
const NON_PUBLIC_GLOBAL_IPV6 = blockList('ipv6', [
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID…
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (deprecated)
  ['3fff::', 20], // documentation
]);

/** The forms judged by the IPv4 address in their last 32 bits. */
const IPV4_MAPPED = blockList('ipv6', [['::ffff:0:0', 96]]);
const NAT64_WELL_KNOWN = blockList('ipv6', [['64:ff9b::', 96]]);

const LOOPBACK = blockList('ipv4', [['127.0.0.0', 8]]);
LOOPBACK.addAddress('::1', 'ipv6');

function blockList(
  type: 'ipv4' | 'ipv6',
  subnets: readonly (readonly [network: string, prefix: number])[],
): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, type);
  return list;
}

/** The 16 bytes of a valid IPv6 address (zone index dropped), or undefined for anything else. */
export function ipv6Bytes(address: string): Uint8Array | undefined {
  let text = address.split('%')[0] ?? '';
  if (isIP(text) !== 6) return undefined;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const [head = '', tail] = text.split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const words = [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function last32Bits(address: string): string {
  return Array.from(ipv6Bytes(address)?.subarray(12) ?? [0, 0, 0, 0]).join('.');
}

/** `address` without its IPv6 zone index (`fe80::1%eth0`), for `BlockList`. */
function withoutZone(address: string): string {
  return address.split('%')[0] ?? '';
}

/**
 * Whether an IP address may be a webhook destination: public unicast, per the IANA special-purpose
 * registries (see the module comment for the IPv6 forms that embed an IPv4 address). Anything that
 * is not an IP address is not public.
 */
export function isPublicAddress(address: string): boolean {
  const ip = withoutZone(address);
  switch (isIP(ip)) {
    case 4:
      return !NON_PUBLIC_IPV4.check(ip, 'ipv4');
    case 6: {
      if (IPV4_MAPPED.check(ip, 'ipv6') || NAT64_WELL_KNOWN.check(ip, 'ipv6')) {
        return isPublicAddress(last32Bits(ip));
      }
      return GLOBAL_UNICAST_IPV6.check(ip, 'ipv6') && !NON_PUBLIC_GLOBAL_IPV6.check(ip, 'ipv6');
    }
    default:
      return false;
  }
}

/** Whether an IP address is loopback: `127.0.0.0/8`, `::1`, or `127.0.0.0/8` IPv4-mapped. */
export function isLoopbackAddress(address: string): boolean {
  const ip = withoutZone(address);
  switch (isIP(ip)) {
    case 4:
      return LOOPBACK.check(ip, 'ipv4');
    case 6:
      return (
        LOOPBACK.check(ip, 'ipv6') ||
        (IPV4_MAPPED.check(ip, 'ipv6') && LOOPBACK.check(last32Bits(ip), 'ipv4'))
      );
    default:
      return false;
  }
}

/**
 * A host as the policy compares it: lower case, without the brackets of an IPv6 literal (which
 * `URL#hostname` keeps) or a trailing dot, IPv6 in its canonical (RFC 5952) form, so
 * `[2606:4700:4700:0::1111]` and `2606:4700:4700::1111` are the same host.
 */
export function normaliseHost(host: string): string {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (isIP(name) !== 6 || name.includes('%')) return name;
  return new URL(`http://[${name}]/`).hostname.slice(1, -1);
}
