import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { bearerToken, problemSchema } from '../../lib/http.js';

const sameToken = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * GET /metrics (Prometheus text format), only when PAKN_METRICS_TOKEN is set, behind that token
 * as a Bearer; and the HTTP metrics of every request (by route template, never the raw URL).
 */
export async function registerMetricsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const m = app.services.metrics;

  app.addHook('onResponse', async (req, reply) => {
    // the template (/api/v1/cases/:id), so that ids and codes never make new series
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    m.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    m.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  const token = app.config.PAKN_METRICS_TOKEN;

  r.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition format); only when PAKN_METRICS_TOKEN is set',
        description:
          'Requires `Authorization: Bearer <PAKN_METRICS_TOKEN>`; the route does not exist (404) when the variable is unset. ' +
          'Counters and histograms (pakn_http_*, pakn_job_*, pakn_escalations_total, pakn_outbox_deliveries_total, process ' +
          'metrics) count what the scraped instance did; the gauges pakn_outbox_messages, pakn_outbox_oldest_pending_seconds, ' +
          'pakn_cases_open and pakn_chain_unsealed_events are read from the database at scrape time and are the same on every instance.',
        security: [{ bearerAuth: [] }],
        response: {
          200: z.string().describe('text/plain; version=0.0.4'),
          401: { description: 'no Bearer token, or not PAKN_METRICS_TOKEN', content: { 'application/problem+json': { schema: problemSchema } } },
          404: { description: 'PAKN_METRICS_TOKEN is not set: metrics are off', content: { 'application/problem+json': { schema: problemSchema } } },
        },
      },
    },
    async (req, reply) => {
      if (!token) throw new AppError(404, 'not-found', 'Không tìm thấy (not found)', 'No route GET /metrics');
      const given = bearerToken(req);
      if (!given || !sameToken(given, token)) {
        throw new AppError(401, 'unauthorized', 'Chưa xác thực (unauthorized)', 'The metrics token is required as a Bearer token');
      }
      // prom-client writes a NaN sample (e.g. the event-loop lag before its first measurement) as
      // "Nan"; the text format spells it NaN
      const text = (await m.registry.metrics()).replace(/ Nan(?= |$)/gm, ' NaN');
      return reply.header('content-type', m.registry.contentType).header('cache-control', 'no-store').send(text);
    },
  );
}
