import type { FastifyInstance } from 'fastify';
import { registerHealthRoutes } from './health/routes.js';
import { registerReferenceRoutes } from './reference/routes.js';

/** Every feature's routes, in one place. */
export async function registerFeatureRoutes(app: FastifyInstance): Promise<void> {
  await registerHealthRoutes(app);
  await registerReferenceRoutes(app);
}
