import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../../lib/http.js';
import { escalationIdle, runEscalationJob } from './job.js';

const escalationRunResult = z
  .object({
    at: z.string().describe('the instant the job ran for (ISO 8601, +07:00)'),
    dueSoon: z.number().int(),
    acceptOverdue: z.number().int(),
    overdue: z.number().int(),
    serious: z.number().int(),
    triageStale: z.number().int(),
    closedAfterDisputeWindow: z.number().int(),
    closedNoResponse: z.number().int(),
    heldForOfficeHours: z.number().int().describe('staff e-mails that wait for the next office opening'),
    failed: z.number().int(),
    errors: z.array(z.object({ sweep: z.string(), caseIds: z.array(z.number().int()), error: z.string() })),
    ms: z.number().int(),
    interrupted: z.boolean().describe('the run stopped early because the service is stopping; the next run does the rest'),
  })
  .meta({ id: 'EscalationRunResult' });

/** The escalation job on demand (it also runs on its schedule). */
export async function registerEscalationRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.escalation;
  svc.useLogger(app.log.child({ feature: 'escalation' }));

  r.post(
    '/api/v1/admin/jobs/escalation/run',
    {
      config: { roles: ['admin', 'coordinator'] as const },
      schema: {
        tags: ['admin', 'jobs'],
        summary: 'Run the escalation job now: warnings, reminders, overdue notices, auto-close (each fires once per case, level and deadline)',
        response: { 200: escalationRunResult, 503: problemSchema.describe('the service is stopping; another instance will run the job') },
      },
    },
    async () => app.services.jobs.run('escalation', (signal) => runEscalationJob(app.services, signal), { idle: escalationIdle }),
  );
}
