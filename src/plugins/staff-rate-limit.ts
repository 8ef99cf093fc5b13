import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TooManyRequests } from '../lib/errors.js';
import { bearerToken } from '../lib/http.js';

export interface StaffRateLimitOptions {
  /** requests per token per minute, over every staff route together (PAKN_RATE_LIMIT_STAFF) */
  max: number;
}

/**
 * The bucket of a staff request: its token (hashed: the limiter's memory holds no token), or
 * its address when it has none.
 */
export function staffRateKey(req: FastifyRequest): string {
  const token = bearerToken(req);
  return token ? `staff:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : `staff-ip:${req.ip}`;
}

/**
 * One allowance per token across every staff route (a route's own @fastify/rate-limit config
 * would count per route), counted on arrival, before the token is looked up; over it, 429 with
 * Retry-After. Register after @fastify/rate-limit (it provides createRateLimit, and its store).
 */
export const staffRateLimit = fp<StaffRateLimitOptions>(
  async (app, opts) => {
    const limit = app.createRateLimit({ max: opts.max, timeWindow: '1 minute', keyGenerator: staffRateKey });
    app.addHook('onRequest', async (req, reply) => {
      if (!req.routeOptions.config?.roles) return;
      const r = await limit(req);
      if (r.isAllowed) return; // on an allow list (none is configured)
      reply.header('x-ratelimit-limit', String(r.max));
      reply.header('x-ratelimit-remaining', String(r.remaining));
      reply.header('x-ratelimit-reset', String(r.ttlInSeconds));
      if (r.isExceeded) {
        reply.header('retry-after', String(r.ttlInSeconds));
        throw new TooManyRequests(`More than ${opts.max} requests with this token in a minute`, r.ttlInSeconds);
      }
    });
  },
  { name: 'staff-rate-limit', dependencies: ['@fastify/rate-limit'] },
);
