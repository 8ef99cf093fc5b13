import fp from 'fastify-plugin';
import FindMyWay from 'find-my-way';
import { AppError, NotFound } from '../lib/errors.js';
import { PROBLEM_TYPES } from '../lib/problem-types.js';

/**
 * Routes known by path, to answer 405 (with Allow) instead of 404 for a wrong method.
 * Register before any route: it collects them in onRoute. Both answers are errors thrown to the
 * one error handler (problem-details.ts): problem+json, or a page for a browser.
 */
export const methodNotAllowed = fp(
  async (app) => {
    const methodsRouter = FindMyWay({ ignoreTrailingSlash: true });
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const m of methods) {
        if (m === 'HEAD' || m === 'OPTIONS') continue;
        try {
          methodsRouter.on(m as 'GET', route.url, () => {});
        } catch {
          /* same path registered twice with different constraints */
        }
      }
    });

    app.setNotFoundHandler(async (req, reply) => {
      const path = req.url.split('?')[0];
      const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => methodsRouter.find(m as 'GET', path));
      if (allowed.length > 0) {
        reply.header('allow', allowed.join(', '));
        throw new AppError(405, 'method-not-allowed', PROBLEM_TYPES['method-not-allowed'].title, `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
      }
      throw new NotFound(`No route ${req.method} ${path}`);
    });
  },
  { name: 'method-not-allowed' },
);
