import { constants as zlibConstants } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySensible from '@fastify/sensible';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { registerFeatureRoutes } from './features/index.js';
import type { Clock } from './lib/clock.js';
import { cors } from './plugins/cors.js';
import { methodNotAllowed } from './plugins/method-not-allowed.js';
import { openapi } from './plugins/openapi.js';
import { clientErrorHandler, frameworkErrors, problemDetails } from './plugins/problem-details.js';
import { rejectControlChars } from './plugins/reject-control-chars.js';
import { sealTimeline } from './plugins/seal-timeline.js';
import { staffAuth } from './plugins/staff-auth.js';
import { staffRateLimit } from './plugins/staff-rate-limit.js';
import { trustProxyOption } from './lib/client-address.js';
import { loggerOptions } from './lib/log.js';
import { createResponseSerializerCompiler } from './lib/serializer.js';
import { createServices, type Services } from './services.js';
import { problemPage } from './web/error-pages.js';
import { siteIdentity } from './web/site-identity.js';

export { API_VERSION } from './plugins/openapi.js';

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

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    // tokens, access keys, bodies and SQL parameter values never reach the log (lib/log.ts)
    logger: deps.logger ?? (config.LOG_LEVEL === 'silent' ? false : loggerOptions(config.LOG_LEVEL)),
    bodyLimit: 1024 * 1024,
    // slow clients cannot hold the server: the whole request, its headers, and an idle
    // keep-alive connection each have a deadline (README: configuration)
    requestTimeout: config.PAKN_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.PAKN_KEEPALIVE_TIMEOUT_MS,
    http: {
      // Open311 clients follow up to 1000 service_request_ids in one GET (about 20 kB of URL)
      maxHeaderSize: 64 * 1024,
      requestTimeout: config.PAKN_REQUEST_TIMEOUT_MS,
      headersTimeout: Math.min(config.PAKN_HEADERS_TIMEOUT_MS, config.PAKN_REQUEST_TIMEOUT_MS),
      // how often Node checks those deadlines (its default, 30 s, would double them)
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.PAKN_HEADERS_TIMEOUT_MS / 4))),
    },
    trustProxy: trustProxyOption(config.PAKN_TRUST_PROXY),
    requestIdHeader: 'x-request-id',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  // responses: compiled JSON schemas from the zod schemas; the test suite also checks each
  // response against its zod schema (src/lib/serializer.ts)
  app.setSerializerCompiler(createResponseSerializerCompiler({ validate: config.NODE_ENV === 'test' }));

  const services = createServices({ config, database: deps.database, clock: deps.clock, log: (level, msg) => app.log[level](msg) });
  app.decorate('services', services);
  app.decorate('config', config);
  app.decorateRequest('actor', null);

  // these two collect routes in onRoute, so they come before any route
  await app.register(methodNotAllowed);
  await app.register(staffAuth, { auth: services.auth });
  await app.register(rejectControlChars);

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
    if (/<meta name="viewport"/i.test(payload)) return payload;
    return payload.replace(/<head>/i, '<head>\n<meta name="viewport" content="width=device-width, initial-scale=1">');
  });
  // the province, hotline and office address on every public page, as the settings say now
  await app.register(siteIdentity);
  // HTML, JSON, CSV and the OpenAPI document, gzip or brotli when the client asks
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } },
  });
  await app.register(cors, { origins: config.PAKN_CORS_ORIGINS });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(staffRateLimit, { max: config.PAKN_RATE_LIMIT_STAFF });
  await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
  await app.register(openapi);
  await app.register(sealTimeline, { chain: services.chain });
  // problem+json, or a Vietnamese page for a browser outside the API paths
  await app.register(problemDetails, { htmlPage: problemPage });

  await registerFeatureRoutes(app);

  await app.ready();
  return app;
}
