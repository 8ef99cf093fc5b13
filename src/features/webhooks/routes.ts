import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf, idParam, problemSchema } from '../../lib/http.js';
import { runWebhookJob, webhookIdle } from './job.js';
import {
  deliveryList,
  deliveryParams,
  deliveryQuery,
  deliverySchema,
  redeliverDeadResult,
  testResultSchema,
  webhookInput,
  webhookList,
  webhookListQuery,
  webhookPatch,
  webhookRunResult,
  webhookSchema,
  webhookWithSecretSchema,
} from './schemas.js';

/** admin, or an agency lead for its own agency's subscriptions */
const MANAGERS = { roles: ['admin', 'agency_lead'] as const };
const ADMIN = { roles: ['admin'] as const };
const ERRORS = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
/** a URL's host is looked up (create, a new url, the test ping): 503 when no lookup is free */
const LOOKUP_BUSY = { 503: problemSchema.describe('no DNS lookup of a webhook host was free within 5 s (other hosts answer slowly); nothing was changed or sent: try again after Retry-After (60 s)') };
const PATCH_DESC = 'Changes only the fields the body names; every other field keeps its stored value. Unknown fields are refused (400). A new url is checked as at creation.';

/** Webhook subscriptions of agency systems, their deliveries, and the delivery job on demand. */
export async function registerWebhookRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.webhooks;
  svc.useLogger(app.log.child({ feature: 'webhooks' }));

  r.post(
    '/api/v1/admin/webhooks',
    { config: MANAGERS, schema: { tags: ['admin'], body: webhookInput, response: { 201: webhookWithSecretSchema, ...ERRORS, ...LOOKUP_BUSY } } },
    async (req, reply) => {
      const w = await svc.create(actorOf(req), req.body);
      req.log.info({ webhookId: w.id, agencyId: w.agencyId }, 'webhook subscription created');
      return reply.code(201).send(w);
    },
  );
  r.get(
    '/api/v1/admin/webhooks',
    { config: MANAGERS, schema: { tags: ['admin'], querystring: webhookListQuery, response: { 200: webhookList, ...ERRORS } } },
    async (req) => ({ items: await svc.list(actorOf(req), req.query) }),
  );
  r.get(
    '/api/v1/admin/webhooks/:id',
    { config: MANAGERS, schema: { tags: ['admin'], params: idParam, response: { 200: webhookSchema, ...ERRORS } } },
    async (req) => svc.get(actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/admin/webhooks/:id',
    { config: MANAGERS, schema: { tags: ['admin'], description: PATCH_DESC, params: idParam, body: webhookPatch, response: { 200: webhookSchema, ...ERRORS, ...LOOKUP_BUSY } } },
    async (req) => svc.update(actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/admin/webhooks/:id',
    { config: MANAGERS, schema: { tags: ['admin'], params: idParam } },
    async (req, reply) => {
      await svc.remove(actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );
  r.post(
    '/api/v1/admin/webhooks/:id/rotate-secret',
    { config: MANAGERS, schema: { tags: ['admin'], params: idParam, response: { 200: webhookWithSecretSchema, ...ERRORS } } },
    async (req) => {
      const w = await svc.rotateSecret(actorOf(req), req.params.id);
      req.log.info({ webhookId: w.id }, 'webhook secret rotated');
      return w;
    },
  );
  r.post(
    '/api/v1/admin/webhooks/:id/test',
    { config: MANAGERS, schema: { tags: ['admin'], params: idParam, response: { 200: testResultSchema, ...ERRORS, ...LOOKUP_BUSY } } },
    async (req) => svc.test(actorOf(req), req.params.id),
  );
  r.get(
    '/api/v1/admin/webhooks/:id/deliveries',
    { config: MANAGERS, schema: { tags: ['admin'], params: idParam, querystring: deliveryQuery, response: { 200: deliveryList, ...ERRORS } } },
    async (req) => svc.deliveries(actorOf(req), req.params.id, { status: req.query.status, limit: req.query.limit, cursor: req.query.cursor ? Number(req.query.cursor) : undefined }),
  );
  r.post(
    '/api/v1/admin/webhooks/:id/deliveries/:deliveryId/redeliver',
    { config: MANAGERS, schema: { tags: ['admin'], params: deliveryParams, response: { 200: deliverySchema, ...ERRORS, 409: problemSchema } } },
    async (req) => svc.redeliver(actorOf(req), req.params.id, req.params.deliveryId),
  );
  r.post(
    '/api/v1/admin/webhooks/:id/redeliver-dead',
    { config: MANAGERS, schema: { tags: ['admin'], params: idParam, response: { 200: redeliverDeadResult, ...ERRORS } } },
    async (req) => svc.redeliverDead(actorOf(req), req.params.id),
  );
  r.post(
    '/api/v1/admin/jobs/webhooks/run',
    {
      config: ADMIN,
      schema: {
        tags: ['admin', 'jobs'],
        response: { 200: webhookRunResult, 401: problemSchema, 403: problemSchema, 503: problemSchema.describe('the service is stopping; another instance will run the job') },
      },
    },
    async () => app.services.jobs.run('webhooks', (signal) => runWebhookJob(app.services, signal), { idle: webhookIdle }),
  );
}
