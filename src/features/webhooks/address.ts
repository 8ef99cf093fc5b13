/**
 * Where a webhook may be sent (no request forgery): https only, and never to an address of the
 * service's own network — loopback, private, shared (CGNAT), link-local (cloud metadata),
 * multicast, reserved, IPv6 unique-local, nor IPv4-mapped or NAT64 forms of them. Checked when a
 * subscription is made or changed, and again before each delivery, whose connection then goes to
 * the very address checked (no second DNS lookup that could answer differently).
 * `allowPrivate` (PAKN_WEBHOOK_ALLOW_PRIVATE=1: intranet deployments, tests) lifts both rules.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local (fd00:ec2::254 metadata too)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
  ['100::', 64], // discard
  ['64:ff9b:1::', 48], // local-use NAT64
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), -compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:(?:0:)?|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const a = parseInt(hex[1], 16);
    const b = parseInt(hex[2], 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return null;
}

/** Whether an IP address belongs to the service's own network (or is otherwise not a public host). */
export function isForbiddenAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return blocked.check(ip, 'ipv4');
  if (v === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true;
}

export interface Target {
  url: URL;
  /** the address the connection goes to */
  address: string;
  family: 4 | 6;
}

/** A webhook URL that may not be used, with why (a 400 naming `url`, or a delivery's last error). */
export class RefusedUrl extends Error {}

/** Parses and checks a webhook URL's form (no DNS). */
export function parseWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedUrl('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) throw new RefusedUrl('must be an https:// URL');
  if (url.username || url.password) throw new RefusedUrl('must not carry a user name or password');
  if (url.hash) throw new RefusedUrl('must not carry a #fragment');
  return url;
}

/** The lookup resolveTarget asks: every address of a host name, as the system resolver gives them. */
export type HostLookup = (host: string, opts: { all: true; verbatim: true }) => Promise<Array<{ address: string; family: number }>>;

/** How long a webhook host's name may take to resolve, waiting for a free lookup included. */
export const DNS_TIMEOUT_MS = 5_000;
/** Webhook lookups in flight at once, per process. */
export const DNS_MAX_IN_FLIGHT = 2;

/**
 * The system resolver (dns.lookup: /etc/hosts, then DNS, as every other client on the machine),
 * bounded for the webhooks. A lookup runs on one of libuv's four threads, which compression,
 * file reads and the crypto pool share, and the system resolver can take half a minute on a
 * name server that does not answer: an agency's broken DNS must neither hold a delivery nor a
 * request that saves a subscription, nor take the threads the rest of the service needs. So at
 * most `maxInFlight` lookups run at once (a lookup that timed out keeps its slot until the
 * system answers: its thread is still busy), the others wait their turn, and the whole wait is
 * bounded by `timeoutMs`, after which the host counts as not resolving (a delivery is retried
 * with its usual backoff; a subscription is refused with 400 naming `url`).
 */
export function boundedLookup(resolve: HostLookup = lookup as HostLookup, opts: { timeoutMs?: number; maxInFlight?: number } = {}): HostLookup {
  const timeoutMs = opts.timeoutMs ?? DNS_TIMEOUT_MS;
  const maxInFlight = opts.maxInFlight ?? DNS_MAX_IN_FLIGHT;
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };
  return (host, o) =>
    new Promise((resolveOut, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        const i = waiting.indexOf(start);
        if (i >= 0) waiting.splice(i, 1);
        reject(new RefusedUrl(`host ${host} did not resolve within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      function start() {
        if (done) return;
        inFlight++;
        resolve(host, o).then(
          (a) => {
            release();
            if (done) return;
            done = true;
            clearTimeout(timer);
            resolveOut(a);
          },
          (err: unknown) => {
            release();
            if (done) return;
            done = true;
            clearTimeout(timer);
            reject(err);
          },
        );
      }
      if (inFlight < maxInFlight) start();
      else waiting.push(start);
    });
}

/**
 * Resolves the URL's host and checks every address it resolves to (any forbidden one refuses the
 * URL: a name that resolves to a public and a private address is not used). Returns the address to
 * connect to. A lookup that fails, or does not answer in time (boundedLookup), refuses the URL.
 */
export async function resolveTarget(raw: string, allowPrivate: boolean, resolve: HostLookup = lookup as HostLookup): Promise<Target> {
  const url = parseWebhookUrl(raw, allowPrivate);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await resolve(host, { all: true, verbatim: true });
    } catch (err) {
      if (err instanceof RefusedUrl) throw err;
      throw new RefusedUrl(`host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new RefusedUrl(`host ${host} does not resolve`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isForbiddenAddress(a.address));
    // the address itself is not repeated: the answer must not map the service's own network
    if (bad) throw new RefusedUrl('resolves to a loopback, private, link-local or reserved address');
  }
  const first = addresses[0];
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
