import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../../domain/calendar.js';
import { problemSchema } from '../../lib/http.js';

const isoInstant = z.string().describe('ISO 8601 with offset (+07:00)');

const jobRunsQuery = z.object({
  job: z
    .string()
    .regex(/^[a-z0-9-]{1,50}$/, 'must be a job name such as outbox or escalation')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'must be the nextCursor of the previous page')
    .optional(),
});

const jobRunSchema = z
  .object({
    id: z.number().int(),
    job: z.string().describe('escalation, outbox, webhooks, report-publish, chain-seal, chain-checkpoint, chain-checkpoint-mail, weekly-report, intake-idempotency-purge, webhook-retention, …'),
    instance: z.string().nullable().describe('PAKN_INSTANCE_ID of the instance that ran it'),
    startedAt: isoInstant,
    finishedAt: isoInstant.nullable(),
    outcome: z.enum(['ok', 'failed', 'interrupted']).nullable().describe('interrupted: stopped early by a shutdown; the next run does the rest'),
    result: z.unknown().describe("the job's own counts (as its run-now route answers), or {error} when it failed"),
  })
  .meta({ id: 'JobRun' });

/**
 * The job runner's side of the app: the run history, and the graceful stop. On close (SIGTERM)
 * no job starts, running ones are told to stop after their current unit of work, and the
 * server waits for them at most PAKN_SHUTDOWN_GRACE_SECONDS before the transport and the
 * database are closed.
 */
export async function registerJobRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const jobs = app.services.jobs;

  app.addHook('preClose', async () => {
    jobs.stop();
    const graceMs = app.config.PAKN_SHUTDOWN_GRACE_SECONDS * 1000;
    const finished = await jobs.drain(graceMs);
    if (!finished) app.log.warn({ graceMs }, 'jobs still running after the grace period; their unsent messages stay leased until the lease runs out');
  });

  r.get(
    '/api/v1/admin/jobs/runs',
    {
      config: { roles: ['admin', 'coordinator'] as const },
      schema: {
        tags: ['admin', 'jobs'],
        operationId: 'listJobRuns',
        summary: 'Job run history, newest first: job, instance, start, end, outcome, counts',
        description:
          'One row per run of a scheduled job or a run asked for by admin, written when the run ends. Runs of the ' +
          'every-minute jobs that found nothing to do (outbox with nothing due, chain-seal with nothing to seal, ' +
          'an escalation run that fired nothing) are only counted in /metrics. A run cut short by a shutdown is ' +
          '`interrupted`; a run of an instance killed outright leaves no row.',
        querystring: jobRunsQuery,
        response: {
          200: z.object({ items: z.array(jobRunSchema), nextCursor: z.string().nullable() }),
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await jobs.list({ job: q.job, limit: q.limit, cursor: q.cursor ? Number(q.cursor) : undefined });
      return {
        items: page.items.map((x) => ({
          ...x,
          startedAt: toLocalIso(x.startedAt),
          finishedAt: x.finishedAt ? toLocalIso(x.finishedAt) : null,
          outcome: x.outcome as 'ok' | 'failed' | 'interrupted' | null,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
