import fastifyCors from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** The read endpoints a browser app on another site may call. */
export const CORS_PATHS = /^\/(?:open311\/v2\/|api\/v1\/public\/)/;
const CORS_METHODS = ['GET', 'HEAD', 'OPTIONS'];
export const CORS_ALLOWED_HEADERS = ['Accept', 'Accept-Language', 'Content-Type'];

/**
 * CORS for GET/HEAD/OPTIONS of /open311/v2/* and /api/v1/public/*, for the origins in
 * PAKN_CORS_ORIGINS (`*` = any; never with credentials). Every other route and method, and
 * every route when the list is empty, carries no CORS header; their preflight is not answered.
 */
export const cors = fp(
  async (app, opts: { origins: string[] }) => {
    const origin = opts.origins.includes('*') ? '*' : opts.origins;
    const enabled = opts.origins.length > 0;
    await app.register(fastifyCors, {
      delegator: (req: FastifyRequest, cb) => {
        const path = req.url.split('?')[0];
        if (!enabled || !CORS_METHODS.includes(req.method) || !CORS_PATHS.test(path)) return cb(null, { origin: false });
        return cb(null, {
          origin,
          credentials: false,
          methods: CORS_METHODS,
          allowedHeaders: CORS_ALLOWED_HEADERS,
          maxAge: 600,
          optionsSuccessStatus: 204,
        });
      },
    });
  },
  { name: 'cors' },
);
