import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { clientAddress } from '../lib/client-address.js';
import { TooManyRequests } from '../lib/errors.js';
import { bearerToken } from '../lib/http.js';

export interface StaffRateLimitOptions {
  /** requests per token per minute, over every staff route together (PAKN_RATE_LIMIT_STAFF) */
  max: number;
}

/** The longest token authentication looks up (features/auth/service.ts); longer ones are refused unread. */
const MAX_TOKEN_LENGTH = 200;
/**
 * Requests a minute per address with a token this process has not yet seen authenticate (or
 * none): a twentieth of the per-token allowance, at least 60 (60 at the default 1,200).
 */
export const unverifiedPerAddress = (max: number) => Math.max(60, Math.ceil(max / 20));
/** Tokens remembered as having authenticated (hashes); the set starts over when full. */
const KNOWN_TOKENS = 10_000;

/**
 * The bucket of a staff request: its token (hashed: the limiter's memory holds no token), or
 * its address (an IPv6 one by its /64, lib/client-address.ts) when it has none or one too long
 * to be a token.
 */
export function staffRateKey(req: FastifyRequest): string {
  const token = bearerToken(req);
  return token && token.length <= MAX_TOKEN_LENGTH ? `staff:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : `staff-ip:${clientAddress(req)}`;
}

/**
 * One allowance per token across every staff route (a route's own @fastify/rate-limit config
 * would count per route), counted on arrival, before the token is looked up; over it, 429 with
 * Retry-After. A token this process has not yet seen authenticate (made up, revoked, or new
 * here) and a request without one also count against a small allowance of their address, so
 * made-up tokens can neither keep the database busy nor push real tokens' counts out of the
 * limiter's memory. Register after @fastify/rate-limit (it provides createRateLimit).
 */
export const staffRateLimit = fp<StaffRateLimitOptions>(
  async (app, opts) => {
    // `cache`: the counts kept (least recently used go first); the store takes it, the types omit it
    const perToken = app.createRateLimit({ max: opts.max, timeWindow: '1 minute', keyGenerator: staffRateKey, cache: 50_000 } as Parameters<typeof app.createRateLimit>[0]);
    const unverifiedMax = unverifiedPerAddress(opts.max);
    const unverified = app.createRateLimit({ max: unverifiedMax, timeWindow: '1 minute', keyGenerator: (r) => `staff-new:${clientAddress(r)}` });
    const known = new Set<string>();
    const keyOf = new WeakMap<FastifyRequest, string>();

    app.addHook('onRequest', async (req, reply) => {
      if (!req.routeOptions.config?.roles) return;
      const key = staffRateKey(req);
      keyOf.set(req, key);
      if (!known.has(key)) {
        const u = await unverified(req);
        if (!u.isAllowed && u.isExceeded) {
          throw new TooManyRequests(`More than ${unverifiedMax} requests a minute from this address without a token that has authenticated`, u.ttlInSeconds);
        }
      }
      const r = await perToken(req);
      if (r.isAllowed) return; // on an allow list (none is configured)
      reply.header('x-ratelimit-limit', String(r.max));
      reply.header('x-ratelimit-remaining', String(r.remaining));
      reply.header('x-ratelimit-reset', String(r.ttlInSeconds));
      if (r.isExceeded) throw new TooManyRequests(`More than ${opts.max} requests a minute with this token`, r.ttlInSeconds);
    });

    // after authentication (preValidation): the token is real, its requests count on it alone
    app.addHook('preHandler', async (req) => {
      const key = req.actor ? keyOf.get(req) : undefined;
      if (!key || known.has(key)) return;
      if (known.size >= KNOWN_TOKENS) known.clear();
      known.add(key);
    });
  },
  { name: 'staff-rate-limit', dependencies: ['@fastify/rate-limit'] },
);
