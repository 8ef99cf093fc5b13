import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { transform, transformObject } from '../openapi/document.js';
import { documentRoute, TAGS } from '../openapi/operations.js';

export const API_VERSION = '1.0.0';

/** The OpenAPI 3.1 document (from the routes' zod schemas) at /openapi.json, and its UI at /docs. */
export const openapi = fp(
  async (app) => {
    // operationId, summary, description, tags, error responses and examples of every route
    // from one table (openapi/operations.ts); registered before the feature routes
    app.addHook('onRoute', documentRoute);
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'pakn — phản ánh, kiến nghị của doanh nghiệp',
          description:
            'Case handling for a province\'s business hotline: intake, routing, legal clock in working days, ' +
            'agency workflow, escalation, monthly publication and inspection. Errors are application/problem+json (RFC 9457).',
          version: API_VERSION,
        },
        servers: [{ url: app.config.PUBLIC_BASE_URL, description: 'This installation (PUBLIC_BASE_URL)' }],
        tags: TAGS,
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
        },
      },
      transform,
      transformObject,
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
