import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, idParam, problemSchema } from '../../lib/http.js';
import {
  agencyInput,
  agencyPatch,
  agencySchema,
  categoryInput,
  categoryPatch,
  categorySchema,
  listOf,
  localityInput,
  localityPatch,
  localitySchema,
  meSchema,
  publicAgencySchema,
  tokenCreated,
  tokenInput,
  tokenSchema,
  userInput,
  userPatch,
  userSchema,
} from './schemas.js';

const ADMIN = { roles: ['admin'] as const };
const PATCH_DESC = 'Changes only the fields the body names; every other field keeps its stored value. Unknown fields are refused (400).';
const STAFF_READ = { roles: ['admin', 'coordinator', 'inspector', 'agency_staff', 'agency_lead'] as const };

export async function registerReferenceRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const ref = app.services.reference;

  // ---- public form data
  r.get('/api/v1/public/categories', { schema: { tags: ['public'], summary: 'Categories (lĩnh vực) for the form', response: { 200: listOf(categorySchema) } } }, async () => ({
    items: await ref.listCategories({ activeOnly: true }),
  }));
  r.get('/api/v1/public/localities', { schema: { tags: ['public'], summary: 'Communes and wards', response: { 200: listOf(localitySchema) } } }, async () => ({
    items: await ref.listLocalities({ activeOnly: true }),
  }));
  r.get('/api/v1/public/agencies', { schema: { tags: ['public'], summary: 'Agencies active today (no contact addresses)', response: { 200: listOf(publicAgencySchema) } } }, async () => ({
    items: (await ref.listAgencies({ activeOnly: true })).map(({ id, code, name, shortName, kind, parentId }) => ({ id, code, name, shortName, kind, parentId })),
  }));

  // ---- agencies
  r.get('/api/v1/agencies', { config: STAFF_READ, schema: { tags: ['reference'], summary: 'Agency directory for staff', response: { 200: listOf(agencySchema) } } }, async () => ({
    items: await ref.listAgencies(),
  }));
  // ---- who the token belongs to (an agency's own system finds its agency id here)
  r.get('/api/v1/me', { config: STAFF_READ, schema: { tags: ['reference'], response: { 200: meSchema } } }, async (req) => {
    const a = actorOf(req);
    const agency = a.agencyId == null ? null : await ref.getAgency(a.agencyId);
    return { userId: a.userId, name: a.name, role: a.role, agencyId: a.agencyId, agencyName: agency?.name ?? null };
  });
  r.get('/api/v1/admin/agencies', { config: ADMIN, schema: { tags: ['admin'], response: { 200: listOf(agencySchema) } } }, async () => ({ items: await ref.listAgencies() }));
  r.get('/api/v1/admin/agencies/:id', { config: ADMIN, schema: { tags: ['admin'], params: idParam, response: { 200: agencySchema } } }, async (req) => ref.getAgency(req.params.id));
  r.post('/api/v1/admin/agencies', { config: ADMIN, schema: { tags: ['admin'], body: agencyInput, response: { 201: agencySchema } } }, async (req, reply) =>
    reply.code(201).send(await ref.createAgency(req.body)),
  );
  r.patch('/api/v1/admin/agencies/:id', { config: ADMIN, schema: { tags: ['admin'], summary: 'Change an agency', description: PATCH_DESC, params: idParam, body: agencyPatch, response: { 200: agencySchema, 400: problemSchema, 404: problemSchema, 409: problemSchema } } }, async (req) =>
    ref.updateAgency(req.params.id, req.body),
  );

  // ---- categories
  r.get('/api/v1/admin/categories', { config: ADMIN, schema: { tags: ['admin'], response: { 200: listOf(categorySchema) } } }, async () => ({ items: await ref.listCategories() }));
  r.post('/api/v1/admin/categories', { config: ADMIN, schema: { tags: ['admin'], body: categoryInput, response: { 201: categorySchema } } }, async (req, reply) =>
    reply.code(201).send(await ref.createCategory(req.body)),
  );
  r.patch('/api/v1/admin/categories/:id', { config: ADMIN, schema: { tags: ['admin'], summary: 'Change a category', description: PATCH_DESC, params: idParam, body: categoryPatch, response: { 200: categorySchema, 400: problemSchema, 404: problemSchema, 409: problemSchema } } }, async (req) =>
    ref.updateCategory(req.params.id, req.body),
  );

  // ---- localities
  r.get('/api/v1/admin/localities', { config: ADMIN, schema: { tags: ['admin'], response: { 200: listOf(localitySchema) } } }, async () => ({ items: await ref.listLocalities() }));
  r.post('/api/v1/admin/localities', { config: ADMIN, schema: { tags: ['admin'], body: localityInput, response: { 201: localitySchema } } }, async (req, reply) =>
    reply.code(201).send(await ref.createLocality(req.body)),
  );
  r.patch('/api/v1/admin/localities/:id', { config: ADMIN, schema: { tags: ['admin'], summary: 'Change a commune or ward', description: PATCH_DESC, params: idParam, body: localityPatch, response: { 200: localitySchema, 400: problemSchema, 404: problemSchema, 409: problemSchema } } }, async (req) =>
    ref.updateLocality(req.params.id, req.body),
  );

  // ---- users and tokens
  r.get('/api/v1/admin/users', { config: ADMIN, schema: { tags: ['admin'], response: { 200: listOf(userSchema) } } }, async () => ({
    items: (await ref.listUsers()).map((u) => userSchema.parse(u)),
  }));
  r.post('/api/v1/admin/users', { config: ADMIN, schema: { tags: ['admin'], body: userInput, response: { 201: userSchema } } }, async (req, reply) =>
    reply.code(201).send(userSchema.parse(await ref.createUser(req.body))),
  );
  r.patch(
    '/api/v1/admin/users/:id',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        summary: 'Change a user (role, agency, e-mail, active)',
        description:
          `${PATCH_DESC} A deactivated user's tokens stop working until it is active again. ` +
          'An admin cannot deactivate or demote itself, and the last active admin cannot be deactivated or demoted (409, `reason`: `self` or `last_admin`).',
        params: idParam,
        body: userPatch,
        response: { 200: userSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (req) => userSchema.parse(await ref.updateUser(req.params.id, req.body, actorOf(req))),
  );
  r.get(
    '/api/v1/admin/tokens',
    { config: ADMIN, schema: { tags: ['admin'], querystring: z.object({ userId: z.coerce.number().int().positive().optional() }), response: { 200: listOf(tokenSchema) } } },
    async (req) => ({ items: await ref.listTokens(req.query.userId) }),
  );
  r.post(
    '/api/v1/admin/tokens',
    { config: ADMIN, schema: { tags: ['admin'], summary: 'Issue a token (shown once)', body: tokenInput, response: { 201: tokenCreated } } },
    async (req, reply) => reply.code(201).header('cache-control', 'no-store').send(await ref.createToken(req.body)),
  );
  r.delete('/api/v1/admin/tokens/:id', { config: ADMIN, schema: { tags: ['admin'], summary: 'Revoke a token', params: idParam } }, async (req, reply) => {
    await ref.revokeToken(req.params.id);
    return reply.code(204).send();
  });
}
