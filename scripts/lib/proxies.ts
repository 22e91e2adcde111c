// Which peer may tell us the client's address (decision 013). The portal runs behind a
// reverse proxy (Caddy, nginx, a load balancer): its socket peer is the proxy, and the
// client is in X-Forwarded-For, which anyone can also write. So the header is read only
// when the peer is one of TRUSTED_PROXIES, and then from the right: the client is the
// right-most address that is not itself a trusted proxy. Express's proxy-addr does that walk.
import { isIPv4, isIPv6 } from 'node:net';
import proxyaddr from 'proxy-addr';

export type Trust = (address: string, hop: number) => boolean;

/** An entry of TRUSTED_PROXIES that is not an address, a CIDR range or a named range. */
export class TrustedProxiesError extends Error {}

/** proxy-addr's named ranges, accepted as entries. */
const NAMED = ['loopback', 'linklocal', 'uniquelocal'];

/** The entries of a comma-separated TRUSTED_PROXIES value. */
export function trustedProxyEntries(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/**
 * The trust function for TRUSTED_PROXIES ("10.0.0.5, 172.18.0.0/16, ::1, loopback"). An
 * empty value trusts no one: the socket's peer is the client.
 */
export function compileTrust(value: string | undefined): Trust {
  const entries = trustedProxyEntries(value);
  for (const entry of entries) {
    if (NAMED.includes(entry)) continue;
    const [address, bits, ...rest] = entry.split('/');
    const ok =
      rest.length === 0 &&
      (isIPv4(address!) || isIPv6(address!)) &&
      (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIPv4(address!) ? 32 : 128)));
    if (!ok)
      throw new TrustedProxiesError(
        `TRUSTED_PROXIES has an invalid entry (${JSON.stringify(entry)}): expected IP addresses or CIDR ranges such as 10.0.0.5, 172.18.0.0/16 or ::1, separated by commas`,
      );
  }
  if (!entries.length) return () => false;
  try {
    return proxyaddr.compile(entries);
  } catch (error) {
    throw new TrustedProxiesError(`TRUSTED_PROXIES is invalid: ${(error as Error).message}`);
  }
}

/**
 * One client, one key: an IPv4-mapped IPv6 address (::ffff:192.0.2.1, as a dual-stack
 * socket reports IPv4 peers) is its IPv4 address, and IPv6 is written in its canonical form.
 */
export function normalizeAddress(address: string): string {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase(); // a zone index (fe80::1%eth0)
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

interface PeerRequest {
  socket: { remoteAddress?: string | undefined };
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The client's address: the socket's peer, unless that peer is trusted; then, walking
 * X-Forwarded-For from the right, the first address that is not trusted (or the left-most
 * one, when every hop is trusted). Every X-Forwarded-For header counts, in order.
 */
export function clientAddress(req: PeerRequest, trust: Trust): string {
  const peer = req.socket.remoteAddress;
  if (!peer) return 'unknown';
  const header = req.headers['x-forwarded-for'];
  const forwarded = Array.isArray(header) ? header.join(', ') : header;
  const address = proxyaddr(
    { socket: { remoteAddress: peer }, headers: { 'x-forwarded-for': forwarded } } as unknown as Parameters<
      typeof proxyaddr
    >[0],
    trust,
  );
  return normalizeAddress(address || peer);
}
