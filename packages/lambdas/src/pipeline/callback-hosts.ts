import { isIP } from 'node:net';

/**
 * What an entry of the webhook's host allowlist (`CALLBACK_ALLOWED_HOSTS`, infra's context
 * `callbackAllowedHosts`) may be, spelled for the messages that refuse one.
 */
export const CALLBACK_HOST_FORMS =
  'hosts such as api.example.com or *.example.com, or IP addresses such as 2001:db8::1';

const HOST_PATTERN =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Whether `entry` (trimmed, lower case) can be on the allowlist: an exact host
 * (`api.example.com`), every subdomain of one (`*.example.com`, not `example.com` itself), an
 * IPv4 address, or an IPv6 address with or without brackets (the webhook sender compares both
 * sides in canonical form). Not a URL, a port or an IPv6 zone index (`fe80::1%eth0` names an
 * interface of one machine, never a webhook's host).
 *
 * @example
 * isCallbackHostEntry('*.toq.com.br'); // true
 * isCallbackHostEntry('[2001:db8::1]'); // true
 * isCallbackHostEntry('https://api.toq.com.br/'); // false
 */
export function isCallbackHostEntry(entry: string): boolean {
  return (
    HOST_PATTERN.test(entry) ||
    (!entry.includes('%') && isIP(entry.replace(/^\[(.*)\]$/, '$1')) === 6)
  );
}
