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
