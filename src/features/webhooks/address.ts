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

/** How long a webhook host's name may take to resolve once its lookup runs; also the longest wait for a free lookup. */
export const DNS_TIMEOUT_MS = 5_000;
/** Host names looked up at once, per process (one system lookup per name at a time). */
export const DNS_MAX_IN_FLIGHT = 2;

/**
 * No lookup could start within the time: other hosts' lookups hold every slot. Not the host's
 * fault: a delivery is put back without counting an attempt, a subscription request gets 503.
 */
export class LookupBusy extends Error {
  constructor(host: string, timeoutMs: number) {
    super(`no DNS lookup was free within ${timeoutMs / 1000} s (other webhook hosts answer slowly); ${host} was not looked up`);
    this.name = 'LookupBusy';
  }
}

/**
 * The system resolver (dns.lookup: /etc/hosts, then DNS, as every other client on the machine),
 * bounded for the webhooks. A lookup runs on one of libuv's four threads, which compression,
 * file reads and the crypto pool share, and the system resolver can take half a minute on a
 * name server that does not answer: an agency's broken DNS must neither hold a delivery nor a
 * request that saves a subscription, nor take the threads the rest of the service needs, nor
 * fail other agencies' deliveries. So:
 * - one system lookup per host name at a time: callers asking for a name being looked up share
 *   that lookup, waiting or not (a host whose name server is silent holds one thread, however
 *   many messages wait for it);
 * - at most `maxInFlight` names at once; a lookup that timed out keeps its slot until the system
 *   answers (its thread is still busy); other names wait their turn, first come first served;
 * - a caller waits at most `timeoutMs` for its name's lookup to start (else LookupBusy: no slot,
 *   not its host's fault), then at most `timeoutMs` for the answer (else RefusedUrl: "did not
 *   resolve within 5 s"; joining a lookup that has run for a while, the time counts from joining).
 */
export function boundedLookup(resolve: HostLookup = lookup as HostLookup, opts: { timeoutMs?: number; maxInFlight?: number } = {}): HostLookup {
  const timeoutMs = opts.timeoutMs ?? DNS_TIMEOUT_MS;
  const maxInFlight = opts.maxInFlight ?? DNS_MAX_IN_FLIGHT;
  type Answer = Array<{ address: string; family: number }>;
  /** the system lookup in flight per host name */
  const running = new Map<string, Promise<Answer>>();
  /** callers whose name has no lookup yet and no slot, oldest first */
  const waiting: Array<{ host: string; start: () => void }> = [];
  const startWaiting = () => {
    for (;;) {
      // a waiter whose name is being looked up joins that lookup (no slot needed)
      const joining = waiting.findIndex((w) => running.has(w.host));
      if (joining >= 0) waiting.splice(joining, 1)[0].start();
      else if (running.size < maxInFlight && waiting.length > 0) waiting.shift()!.start();
      else return;
    }
  };
  const shared = (host: string, o: { all: true; verbatim: true }): Promise<Answer> => {
    let p = running.get(host);
    if (!p) {
      // a resolver that throws at once still frees its slot (a rejected promise, not a throw)
      p = Promise.resolve().then(() => resolve(host, o));
      running.set(host, p);
      const done = () => {
        running.delete(host);
        startWaiting();
      };
      p.then(done, done);
    }
    return p;
  };
  return (host, o) =>
    new Promise<Answer>((resolveOut, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout;
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const start = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(() => reject(new RefusedUrl(`host ${host} did not resolve within ${timeoutMs / 1000} s`))), timeoutMs);
        shared(host, o).then(
          (a) => finish(() => resolveOut(a)),
          (err: unknown) => finish(() => reject(err)),
        );
      };
      if (running.has(host) || running.size < maxInFlight) {
        start();
        return;
      }
      const entry = { host, start };
      waiting.push(entry);
      timer = setTimeout(() => {
        const i = waiting.indexOf(entry);
        if (i >= 0) waiting.splice(i, 1);
        finish(() => reject(new LookupBusy(host, timeoutMs)));
      }, timeoutMs);
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
      if (err instanceof RefusedUrl || err instanceof LookupBusy) throw err;
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
