import fp from 'fastify-plugin';
import type { AuthService } from '../features/auth/service.js';
import { AppError } from '../lib/errors.js';
import { bearerToken, problemSchema } from '../lib/http.js';
import { strictQuery } from '../lib/strict.js';

export interface StaffAuthOptions {
  auth: Pick<AuthService, 'authenticate'>;
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

/** Staff routes are every /api/v1 route outside /api/v1/public. */
export const isStaffUrl = (url: string) => url.startsWith('/api/v1/') && !url.startsWith('/api/v1/public');

/**
 * Every staff route carries config.roles; the Bearer token is checked before the body is.
 * Register before any route: it tags staff routes for OpenAPI in onRoute, and the app refuses
 * to start (onReady) if a staff route forgot its roles.
 */
export const staffAuth = fp<StaffAuthOptions>(
  async (app, opts) => {
    const staffRoutesWithoutRoles: string[] = [];
    app.addHook('onRoute', (route) => {
      if (!isStaffUrl(route.url)) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!route.config?.roles) staffRoutesWithoutRoles.push(`${methods.join(',')} ${route.url}`);
      if (route.schema) {
        // every secured operation can answer 401 (no, unknown or revoked token) and 403 (role)
        const response = { ...((route.schema.response as Record<string, unknown> | undefined) ?? {}) };
        // as problem+json, keeping a route's own wording of when it answers them
        const said = (r: unknown) => (r as { description?: string } | undefined)?.description;
        response[401] = problemResponse(said(response[401]) ?? 'No Bearer token, or an unknown, revoked or expired one');
        response[403] = problemResponse(said(response[403]) ?? 'The role of the token may not use this operation');
        // every staff route counts against its token's allowance (plugins/staff-rate-limit.ts)
        response[429] = problemResponse(said(response[429]) ?? 'More than PAKN_RATE_LIMIT_STAFF requests a minute with this token, or, from this address without a token that has authenticated, more than a twentieth of that (at least 60); Retry-After says when to try again');
        // unknown query parameters answer 400 naming them (lib/strict.ts)
        route.schema = { ...route.schema, security: [{ bearerAuth: [] }], response, querystring: strictQuery(route.schema.querystring) } as typeof route.schema;
      }
    });

    app.addHook('onReady', async () => {
      if (staffRoutesWithoutRoles.length > 0) {
        throw new Error(`Staff routes without config.roles: ${staffRoutesWithoutRoles.join('; ')}`);
      }
    });

    app.addHook('preValidation', async (req) => {
      const roles = req.routeOptions.config?.roles;
      if (!roles) return;
      const token = bearerToken(req);
      if (!token) throw new AppError(401, 'unauthorized', 'Chưa xác thực (unauthorized)', 'A Bearer token is required');
      const actor = await opts.auth.authenticate(token);
      if (!actor) throw new AppError(401, 'unauthorized', 'Chưa xác thực (unauthorized)', 'The token is unknown, revoked or expired');
      if (!roles.includes(actor.role)) {
        throw new AppError(403, 'forbidden', 'Không có quyền (forbidden)', `Role ${actor.role} may not use this route`);
      }
      req.actor = actor;
    });
  },
  { name: 'staff-auth' },
);
