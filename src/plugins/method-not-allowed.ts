import fp from 'fastify-plugin';
import FindMyWay from 'find-my-way';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from './problem-details.js';

/**
 * Routes known by path, to answer 405 (with Allow) instead of 404 for a wrong method.
 * Register before any route: it collects them in onRoute.
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

    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0];
      const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => methodsRouter.find(m as 'GET', path));
      if (allowed.length > 0) {
        return reply
          .code(405)
          .header('allow', allowed.join(', '))
          .type(PROBLEM_CONTENT_TYPE)
          .send({
            type: PROBLEM_TYPE_BASE + 'method-not-allowed',
            title: 'Phương thức không được hỗ trợ (method not allowed)',
            status: 405,
            detail: `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
            instance: path,
          });
      }
      return reply.code(404).type(PROBLEM_CONTENT_TYPE).send({
        type: PROBLEM_TYPE_BASE + 'not-found',
        title: 'Không tìm thấy (not found)',
        status: 404,
        detail: `No route ${req.method} ${path}`,
        instance: path,
      });
    });
  },
  { name: 'method-not-allowed' },
);
