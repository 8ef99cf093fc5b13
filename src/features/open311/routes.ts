import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import FindMyWay from 'find-my-way';
import { z } from 'zod';
import { clientAddress } from '../../lib/client-address.js';
import { sha256Hex } from '../../lib/crypto.js';
import { AppError, BadRequest, NotFound } from '../../lib/errors.js';
import { idParam } from '../../lib/http.js';
import {
  apiClientCreated,
  apiClientInput,
  apiClientSchema,
  discoverySchema,
  fileParam,
  formatParam,
  listQuery,
  oneQuery,
  open311Errors,
  postBody,
  postResponse,
  requestList,
  serviceDefinitionSchema,
  serviceSchema,
} from './schemas.js';
import type { ApiClient } from './api-clients.js';
import type { Open311Request } from './map.js';
import { xmlDocument, xmlList, type XmlNode } from './xml.js';

type Format = 'json' | 'xml';
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'text/xml; charset=utf-8';
const TAGS = ['open311'];

/** 403: the api_key is missing, unknown or its client app is deactivated. */
class InvalidApiKey extends AppError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Không có quyền (forbidden)', detail);
  }
}

function formatOf(v: string): Format {
  const f = v.toLowerCase();
  if (f === 'json' || f === 'xml') return f;
  throw new NotFound(`format .${v.slice(0, 10)} is not served; use .json or .xml`);
}

/** "PAKN.20260302.0001.xml" → ["PAKN.20260302.0001", "xml"] */
function splitFile(file: string): [string, Format] {
  const m = /^(.+)\.([A-Za-z]+)$/.exec(file);
  if (!m) throw new NotFound(`${file.slice(0, 60)}: add .json or .xml`);
  return [m[1], formatOf(m[2])];
}

const urlFormat = (req: FastifyRequest): Format => (/\.xml$/i.test(req.url.split('?')[0]) ? 'xml' : 'json');

function send(reply: FastifyReply, format: Format, json: unknown, xml: () => string, status = 200) {
  reply.code(status).header('cache-control', 'no-store');
  if (format === 'xml') return reply.type(XML_TYPE).send(xml());
  return reply.type(JSON_TYPE).send(json);
}

function sendErrors(reply: FastifyReply, format: Format, status: number, list: Array<{ code: number; description: string }>) {
  return send(reply, format, list, () => xmlDocument('errors', xmlList('error', list)), status);
}

const requestXml = (r: Open311Request): XmlNode => ({
  ...r,
  extended_attributes: r.extended_attributes ? { ...r.extended_attributes } : undefined,
  notes: r.notes ? xmlList('note', r.notes) : undefined,
});

const requestsXml = (list: Open311Request[]) => () => xmlDocument('service_requests', xmlList('request', list.map(requestXml)));

function boolArg(v: string | undefined, name: string): boolean {
  if (v === undefined || v === '') return false;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new BadRequest(`${name}: must be true or false`, [{ path: name, message: 'must be true or false' }]);
}

/** GeoReport v2 under /open311/v2, and the admin routes for its client apps. */
export async function registerOpen311Routes(app: FastifyInstance) {
  const svc = app.services.open311;

  // ---- admin: client apps and their api_key
  const admin = app.withTypeProvider<ZodTypeProvider>();
  const ADMIN = { roles: ['admin'] as const };
  admin.get(
    '/api/v1/admin/api-clients',
    { config: ADMIN, schema: { tags: ['admin'], summary: 'Open311 client apps', response: { 200: z.object({ items: z.array(apiClientSchema) }) } } },
    async () => ({ items: await svc.listClients() }),
  );
  admin.post(
    '/api/v1/admin/api-clients',
    { config: ADMIN, schema: { tags: ['admin'], summary: 'Register an Open311 client app; its api_key is shown once', body: apiClientInput, response: { 201: apiClientCreated } } },
    async (req, reply) => reply.code(201).header('cache-control', 'no-store').send(await svc.createClient(req.body.name)),
  );
  admin.delete(
    '/api/v1/admin/api-clients/:id',
    { config: ADMIN, schema: { tags: ['admin'], summary: 'Deactivate an Open311 client app (its api_key stops working)', params: idParam } },
    async (req, reply) => {
      await svc.deactivateClient(req.params.id);
      return reply.code(204).send();
    },
  );

  await app.register(
    async (scope) => {
      const r = scope.withTypeProvider<ZodTypeProvider>();
      const rateMax = app.config.PAKN_RATE_LIMIT_PUBLIC;

      // ---- errors in the specification's shape, in the format the URL asked for
      scope.setErrorHandler((err: FastifyError, req, reply) => {
        const format = urlFormat(req);
        if (err instanceof AppError) {
          const fieldErrors = (err.extra.errors as Array<{ path: string; message: string }> | undefined) ?? [];
          const list = fieldErrors.length > 0 ? fieldErrors.map((e) => ({ code: err.status, description: `${e.path}: ${e.message}` })) : [{ code: err.status, description: err.message }];
          return sendErrors(reply, format, err.status, list);
        }
        if (hasZodFastifySchemaValidationErrors(err)) {
          const list = err.validation.map((v) => {
            const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
            const issue = (v.params as { issue?: { path?: PropertyKey[] } })?.issue;
            const name = path || (issue?.path?.length ? issue.path.join('.') : (err as { validationContext?: string }).validationContext ?? 'request');
            return { code: 400, description: `${name}: ${v.message ?? 'invalid'}` };
          });
          return sendErrors(reply, format, 400, list);
        }
        if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
          const description =
            err.statusCode === 429
              ? 'Too many requests; try again later'
              : /JSON/.test(err.message)
                ? 'The body is not valid JSON'
                : err.statusCode === 415
                  ? 'Send application/x-www-form-urlencoded (or application/json)'
                  : err.message;
          if (err.statusCode === 429 && reply.getHeader('retry-after') === undefined) reply.header('retry-after', 60);
          return sendErrors(reply, format, err.statusCode, [{ code: err.statusCode, description }]);
        }
        req.log.error({ err }, 'open311: unhandled error');
        return sendErrors(reply, format, 500, [{ code: 500, description: 'An internal error occurred; it has been logged' }]);
      });

      // ---- unknown paths and wrong methods, in the same shape
      const known = FindMyWay({ ignoreTrailingSlash: true });
      scope.addHook('onRoute', (route) => {
        for (const m of Array.isArray(route.method) ? route.method : [route.method]) {
          if (m === 'HEAD' || m === 'OPTIONS') continue;
          try {
            known.on(m as 'GET', route.url, () => {});
          } catch {
            /* registered twice */
          }
        }
      });
      scope.setNotFoundHandler((req, reply) => {
        const path = req.url.split('?')[0];
        const allowed = ['GET', 'POST'].filter((m) => known.find(m as 'GET', path));
        if (allowed.length > 0) {
          reply.header('allow', allowed.join(', '));
          return sendErrors(reply, urlFormat(req), 405, [{ code: 405, description: `${req.method} is not allowed here; allowed: ${allowed.join(', ')}` }]);
        }
        return sendErrors(reply, urlFormat(req), 404, [{ code: 404, description: `No resource ${path}` }]);
      });

      /** api_keys (hashed) that have authenticated in this process (a revoked one leaves at its next refusal); the set starts over when full */
      const knownKeys = new Set<string>();
      const keyBucket = (key: string) => sha256Hex(key).slice(0, 24);
      const rememberKey = (key: string) => {
        if (knownKeys.size >= 10_000) knownKeys.clear();
        knownKeys.add(keyBucket(key));
      };

      const errs = { 400: open311Errors, 403: open311Errors, 404: open311Errors };
      const readLimit = { rateLimit: { max: rateMax * 10, timeWindow: '1 minute' } };

      /** Reading requests needs an api_key: an app reads its own requests in full, the others' status, agency and deadline. */
      async function viewer(key: string | undefined): Promise<ApiClient> {
        if (key === undefined || key === '') throw new InvalidApiKey('api_key was not provided: reading service requests needs the key issued to your app');
        const client = await svc.authenticateKey(key);
        if (!client) throw new InvalidApiKey('Invalid api_key');
        return client;
      }

      r.get(
        '/discovery.:format',
        { config: readLimit, schema: { tags: TAGS, summary: 'GeoReport v2 service discovery', params: formatParam, response: { 200: discoverySchema, 404: open311Errors } } },
        async (req, reply) => {
          const format = formatOf(req.params.format);
          const d = svc.discovery();
          return send(reply, format, d, () =>
            xmlDocument('discovery', {
              changeset: d.changeset,
              contact: d.contact,
              key_service: d.key_service,
              endpoints: xmlList(
                'endpoint',
                d.endpoints.map((e) => ({ ...e, formats: xmlList('format', e.formats) })),
              ),
            }),
          );
        },
      );

      r.get(
        '/services.:format',
        { config: readLimit, schema: { tags: TAGS, summary: 'Services: the categories (lĩnh vực)', params: formatParam, querystring: oneQuery.pick({ jurisdiction_id: true }), response: { 200: serviceSchema.array(), 404: open311Errors } } },
        async (req, reply) => {
          const format = formatOf(req.params.format);
          const list = await svc.listServices();
          return send(reply, format, list, () => xmlDocument('services', xmlList('service', list)));
        },
      );

      r.get(
        '/services/:file',
        {
          config: readLimit,
          schema: { tags: TAGS, summary: 'Service definition: the attributes of a category ({service_code}.json|.xml)', params: fileParam, querystring: oneQuery.pick({ jurisdiction_id: true }), response: { 200: serviceDefinitionSchema, 404: open311Errors } },
        },
        async (req, reply) => {
          const [code, format] = splitFile(req.params.file);
          const def = await svc.serviceDefinition(code);
          return send(reply, format, def, () =>
            xmlDocument('service_definition', {
              service_code: def.service_code,
              attributes: xmlList(
                'attribute',
                def.attributes.map((a) => ({ ...a, values: xmlList('value', a.values) })),
              ),
            }),
          );
        },
      );

      r.post(
        '/requests.:format',
        {
          config: {
            rateLimit: {
              max: rateMax,
              timeWindow: '1 minute',
              hook: 'preValidation',
              // per api_key once the key has authenticated here; before that (a made-up key, a
              // new one, none) per address, so that made-up keys buy no allowance of their own
              keyGenerator: (req: FastifyRequest) => {
                const b = (req.body ?? {}) as Record<string, unknown>;
                const q = (req.query ?? {}) as Record<string, unknown>;
                const key = typeof b.api_key === 'string' ? b.api_key : typeof q.api_key === 'string' ? q.api_key : '';
                const bucket = key ? keyBucket(key) : '';
                return bucket && knownKeys.has(bucket) ? `open311:key:${bucket}` : `open311:ip:${clientAddress(req)}`;
              },
            },
          },
          schema: {
            tags: TAGS,
            summary: 'File a case (form-encoded; api_key required)',
            consumes: ['application/x-www-form-urlencoded', 'application/json'],
            params: formatParam,
            querystring: oneQuery.pick({ api_key: true, jurisdiction_id: true }),
            body: postBody,
            response: { 200: postResponse, ...errs },
          },
        },
        async (req, reply) => {
          const format = formatOf(req.params.format);
          const key = typeof req.body.api_key === 'string' && req.body.api_key !== '' ? req.body.api_key : req.query.api_key;
          if (!key) throw new InvalidApiKey('api_key was not provided');
          const client = await svc.authenticateKey(key);
          if (!client) {
            // revoked since: back to its address's allowance
            knownKeys.delete(keyBucket(key));
            throw new InvalidApiKey('Invalid api_key');
          }
          rememberKey(key);
          const created = await svc.createRequest(req.body as Record<string, unknown>, client);
          const list = [created];
          return send(reply, format, list, () => xmlDocument('service_requests', xmlList('request', list)));
        },
      );

      r.get(
        '/requests.:format',
        { config: readLimit, schema: { tags: TAGS, summary: 'Service requests with the specification\'s filters (newest 1000)', params: formatParam, querystring: listQuery, response: { 200: requestList, ...errs } } },
        async (req, reply) => {
          const format = formatOf(req.params.format);
          const extensions = boolArg(req.query.extensions, 'extensions');
          const who = await viewer(req.query.api_key);
          const list = await svc.listRequests({ ...req.query, extensions }, who);
          return send(reply, format, list, requestsXml(list));
        },
      );

      r.get(
        '/requests/:file',
        { config: readLimit, schema: { tags: TAGS, summary: 'One service request ({service_request_id}.json|.xml)', params: fileParam, querystring: oneQuery, response: { 200: requestList, ...errs } } },
        async (req, reply) => {
          const [id, format] = splitFile(req.params.file);
          const extensions = boolArg(req.query.extensions, 'extensions');
          const who = await viewer(req.query.api_key);
          const list = await svc.getRequest(id, who, extensions);
          return send(reply, format, list, requestsXml(list));
        },
      );
    },
    { prefix: '/open311/v2' },
  );
}
