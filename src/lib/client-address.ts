import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';

/**
 * The client a per-address limit counts: the request's address (behind PAKN_TRUST_PROXY, the one
 * the proxy reports), an IPv6 address as its /64 network and an IPv4-mapped one as the IPv4
 * address. One IPv6 subscriber is handed a whole /64 and can use any address in it, so counting
 * IPv6 addresses one by one would give an abuser as many allowances as it likes. The same
 * grouping as @fastify/rate-limit's own default key, for the limits that build their own key.
 */
export const clientAddress = (req: FastifyRequest): string => normalizeIP(req.ip, 64);

/**
 * fastify's `trustProxy` for PAKN_TRUST_PROXY (config.ts): off, the proxies' addresses and
 * networks (proxy-addr checks each hop), or their number — the hops nearest the service (i = 0
 * is the socket's peer) are theirs. fastify itself reads a bare number as "trust none", so the
 * number becomes a check of the hop's position.
 */
export function trustProxyOption(setting: false | number | string[]): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}
