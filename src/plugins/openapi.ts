import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const API_VERSION = '1.0.0';

/** The OpenAPI 3.1 document (from the routes' zod schemas) at /openapi.json, and its UI at /docs. */
export const openapi = fp(
  async (app) => {
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
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
