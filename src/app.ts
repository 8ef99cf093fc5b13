import { constants as zlibConstants } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySensible from '@fastify/sensible';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import FindMyWay from 'find-my-way';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { registerFeatureRoutes } from './features/index.js';
import { AppError, type FieldError } from './lib/errors.js';
import { redactAccessKeyInUrl } from './lib/access-key.js';
import type { Clock } from './lib/clock.js';
import { bearerToken } from './lib/http.js';
import { createServices, type Services } from './services.js';

export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  /** pino options or false; default: from config.LOG_LEVEL */
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    config: Config;
  }
}

export const API_VERSION = '1.0.0';
const PROBLEM_TYPE_BASE = '/docs/problems#';

/** Location of a zod validation issue as a dotted field path. */
function fieldPath(instancePath: string | undefined): string {
  if (!instancePath) return '';
  return instancePath
    .replace(/^\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger:
      deps.logger ??
      (config.LOG_LEVEL === 'silent'
        ? false
        : {
            level: config.LOG_LEVEL,
            // tokens, access keys and bodies never reach the log; URLs carry no personal data
            redact: ['req.headers.authorization', 'req.headers["x-access-key"]', 'req.headers.cookie'],
            // a hand-typed /tra-cuu?khoa=… link: the key never reaches the log
            serializers: {
              req: (req: FastifyRequest) => ({ method: req.method, url: redactAccessKeyInUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
            },
          }),
    bodyLimit: 1024 * 1024,
    trustProxy: config.PAKN_TRUST_PROXY,
    requestIdHeader: 'x-request-id',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // errors the router answers before any handler (bad percent-escapes, over-long parameters)
    frameworkErrors: (err, req, res) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      const reply = res as unknown as { code: (n: number) => { type: (t: string) => { send: (b: unknown) => void } } };
      reply
        .code(status)
        .type('application/problem+json; charset=utf-8')
        .send({
          type: `${PROBLEM_TYPE_BASE}bad-request`,
          title: 'Yêu cầu không hợp lệ (bad request)',
          status,
          detail: status === 414 ? 'A path segment is too long' : 'The URL is malformed',
          instance: (req.url ?? '').split('?')[0].slice(0, 200),
        });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const services = createServices({ config, database: deps.database, clock: deps.clock });
  app.decorate('services', services);
  app.decorate('config', config);
  app.decorateRequest('actor', null);

  // ---- routes known by path, to answer 405 instead of 404 for a wrong method
  const methodsRouter = FindMyWay({ ignoreTrailingSlash: true });
  const staffRoutesWithoutRoles: string[] = [];
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
    const isStaff = route.url.startsWith('/api/v1/') && !route.url.startsWith('/api/v1/public');
    if (isStaff) {
      if (!route.config?.roles) staffRoutesWithoutRoles.push(`${methods.join(',')} ${route.url}`);
      if (route.schema) {
        route.schema = { ...route.schema, security: [{ bearerAuth: [] }] } as typeof route.schema;
      }
    }
  });

  // ---- plugins
  await app.register(fastifySensible);
  // upgrade-insecure-requests and HSTS only when the service is served over https: on a plain
  // http host they would send every form to an https address nobody answers
  const https = config.PUBLIC_BASE_URL.startsWith('https:');
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // the API explorer's page lacks a viewport: phones would show it zoomed out
  app.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload !== 'string' || !req.url.startsWith('/docs') || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    return payload.replace(/<head>/i, '<head>\n<meta name="viewport" content="width=device-width, initial-scale=1">');
  });
  // HTML, JSON, CSV and the OpenAPI document, gzip or brotli when the client asks
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } },
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
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

  // ---- auth: every staff route carries config.roles; the token is checked before the body is
  app.addHook('preValidation', async (req) => {
    const roles = req.routeOptions.config?.roles;
    if (!roles) return;
    const token = bearerToken(req);
    if (!token) throw new AppError(401, 'unauthorized', 'Chưa xác thực (unauthorized)', 'A Bearer token is required');
    const actor = await services.auth.authenticate(token);
    if (!actor) throw new AppError(401, 'unauthorized', 'Chưa xác thực (unauthorized)', 'The token is unknown, revoked or expired');
    if (!roles.includes(actor.role)) {
      throw new AppError(403, 'forbidden', 'Không có quyền (forbidden)', `Role ${actor.role} may not use this route`);
    }
    req.actor = actor;
  });

  // ---- a successful change is answered once its timeline events are sealed into the hash chain
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || reply.statusCode >= 400) return payload;
    try {
      await services.chain.sealPending();
    } catch (err) {
      // the change is committed; the periodic sealer will seal it
      req.log.warn({ err }, 'sealing the timeline failed; will retry');
    }
    return payload;
  });

  // ---- errors: one handler, RFC 9457
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status = 500;
    let body: Record<string, unknown>;
    if (err instanceof AppError) {
      status = err.status;
      body = { type: PROBLEM_TYPE_BASE + err.type, title: err.title, status, detail: err.message, ...err.extra };
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      status = 400;
      const where = (err as { validationContext?: string }).validationContext ?? 'body';
      const errors: (FieldError & { in: string })[] = err.validation.map((v) => {
        const p = fieldPath(v.instancePath);
        const missing = (v.params as { issue?: { code?: string; path?: PropertyKey[] } })?.issue;
        const path = p || (missing?.path?.length ? missing.path.join('.') : `(${where})`);
        return { path, in: where, message: v.message ?? 'invalid' };
      });
      body = {
        type: PROBLEM_TYPE_BASE + 'validation-error',
        title: 'Dữ liệu không hợp lệ (invalid request)',
        status,
        detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
        errors,
      };
    } else if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema');
      body = { type: PROBLEM_TYPE_BASE + 'internal', title: 'Lỗi hệ thống (internal error)', status };
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      const code = err.code ?? '';
      const type =
        status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : status === 429 ? 'rate-limited' : 'bad-request';
      body = {
        type: PROBLEM_TYPE_BASE + type,
        title: status === 429 ? 'Quá nhiều yêu cầu (too many requests)' : 'Yêu cầu không hợp lệ (bad request)',
        status,
        detail: code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(err.message) ? 'The body is not valid JSON' : err.message,
      };
      if (status === 400) body.errors = [{ path: '(body)', in: 'body', message: String(body.detail) }];
    } else {
      req.log.error({ err }, 'unhandled error');
      body = { type: PROBLEM_TYPE_BASE + 'internal', title: 'Lỗi hệ thống (internal error)', status: 500, detail: 'An internal error occurred; it has been logged' };
    }
    if (status >= 500 && !(err instanceof AppError)) status = 500;
    body.instance = req.url.split('?')[0];
    return reply.code(status).type('application/problem+json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => methodsRouter.find(m as 'GET', path));
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .type('application/problem+json; charset=utf-8')
        .send({
          type: PROBLEM_TYPE_BASE + 'method-not-allowed',
          title: 'Phương thức không được hỗ trợ (method not allowed)',
          status: 405,
          detail: `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
          instance: path,
        });
    }
    return reply.code(404).type('application/problem+json; charset=utf-8').send({
      type: PROBLEM_TYPE_BASE + 'not-found',
      title: 'Không tìm thấy (not found)',
      status: 404,
      detail: `No route ${req.method} ${path}`,
      instance: path,
    });
  });

  await registerFeatureRoutes(app);

  await app.ready();
  if (staffRoutesWithoutRoles.length > 0) {
    throw new Error(`Staff routes without config.roles: ${staffRoutesWithoutRoles.join('; ')}`);
  }
  return app;
}
