import type { FastifyInstance } from 'fastify';
import { FAVICON_SVG, problemsPage } from './error-pages.js';

/** The site's own small pages: the favicon and the explanation of every problem type. */
export async function registerSiteRoutes(app: FastifyInstance): Promise<void> {
  const problems = problemsPage();
  app.get('/docs/problems', { schema: { hide: true }, config: { htmlErrors: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=3600').send(problems),
  );
  app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=604800').send(FAVICON_SVG),
  );
}
