import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, problemSchema } from '../../lib/http.js';
import { WEEK_PATTERN } from './week.js';
import { sendXlsx, XLSX_TYPE } from '../../lib/xlsx.js';
import { weeklyXlsx, type WeeklyReport } from './weekly.js';

const figures = {
  received: z.number().int().describe('cases received in the week'),
  answered: z.number().int().describe('cases answered in the week (as in the monthly publication)'),
  early: z.number().int(),
  onTime: z.number().int(),
  late: z.number().int(),
  openWithinDeadline: z.number().int().describe('open at the end of the week, deadline not passed, not waiting for the business'),
  overdue: z.number().int().describe('open at the end of the week and past the deadline'),
  dueNextWeek: z.number().int().describe('open at the end of the week with a deadline in the next 7 days'),
  awaitingBusiness: z.number().int().describe('waiting for the business at the end of the week (clock paused)'),
};
const weeklyCase = z.object({
  trackingCode: z.string(),
  title: z.string(),
  agencyId: z.number().int().nullable(),
  agencyName: z.string().nullable(),
  resolveDueAt: z.string(),
  overdueWorkingDays: z.number().int().optional(),
  overdueWorkingHours: z.number().int().optional(),
  overdueText: z.string().optional().describe('e.g. "3 ngày 2 giờ làm việc"'),
});
const weeklyReportSchema = z
  .object({
    week: z.string(),
    label: z.string(),
    from: z.string(),
    to: z.string(),
    asOf: z.string(),
    scope: z.enum(['province', 'agency']),
    totals: z.object(figures),
    agencies: z.array(z.object({ agencyId: z.number().int().nullable(), code: z.string().nullable(), name: z.string(), ...figures })),
    overdue: z.array(weeklyCase),
    dueNextWeek: z.array(weeklyCase),
  })
  .meta({ id: 'WeeklyReport' });

const weekParam = z.object({ week: z.string().regex(new RegExp(WEEK_PATTERN), 'must be an ISO week YYYY-Www, e.g. 2026-W10') });
const runBody = z
  .object({ week: z.string().regex(new RegExp(WEEK_PATTERN), 'must be an ISO week YYYY-Www, e.g. 2026-W10').optional().describe('default: the week before today') })
  .strict()
  .meta({ examples: [{ week: '2026-W10' }] });
const runResult = z
  .object({
    week: z.string(),
    sent: z.boolean().describe('false when the week had been sent already (nothing is sent twice)'),
    messages: z.number().int(),
    agencies: z.number().int().describe('agencies mailed'),
  })
  .meta({ id: 'WeeklyReportRunResult' });

const auth = { 401: problemSchema, 403: problemSchema };

/** The weekly report: read it (JSON or CSV), and send it now. */
export async function registerWeeklyReportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.weekly;

  r.get(
    '/api/v1/reports/weekly/:week',
    {
      config: { roles: ['coordinator', 'inspector', 'agency_lead', 'admin'] as const },
      schema: {
        tags: ['reports'],
        operationId: 'getWeeklyReport',
        summary: 'The weekly report of an ISO week (JSON, or CSV or XLSX by Accept)',
        description:
          'Figures of a finished ISO week (Monday–Sunday, Hà Nội time) per agency and for the province: received, answered ' +
          '(early / on time / late — the same SQL as the monthly publication), open within the deadline, overdue, due in the next ' +
          '7 days and awaiting the business at the end of the week; the overdue cases oldest deadline first with the working time ' +
          'overdue, and the cases due next week. An agency lead sees its own agency only (`scope: agency`). With `Accept: text/csv` ' +
          'one row per agency (and the province total); with the XLSX type in `Accept` an Excel workbook (figures, overdue cases, cases due next week).',
        params: weekParam,
        response: {
          200: weeklyReportSchema,
          400: problemSchema,
          ...auth,
          409: problemSchema,
        },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const rep: WeeklyReport = await svc.get(req.params.week, { agencyId: actor.role === 'agency_lead' ? (actor.agencyId ?? -1) : null });
      const out = reply as unknown as FastifyReply;
      out.header('vary', 'accept');
      if ((req.headers.accept ?? '').includes(XLSX_TYPE)) {
        return sendXlsx(out, `bao-cao-tuan-${rep.week}.xlsx`, await weeklyXlsx(rep, app.services.clock.now()));
      }
      if (/\btext\/csv\b/.test(req.headers.accept ?? '')) {
        return out
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="bao-cao-tuan-${rep.week}.csv"`)
          .send(svc.csv(rep));
      }
      return rep;
    },
  );

  r.post(
    '/api/v1/admin/jobs/weekly-report/run',
    {
      config: { roles: ['admin', 'coordinator'] as const },
      schema: {
        tags: ['admin', 'jobs'],
        operationId: 'runWeeklyReport',
        summary: 'Send the weekly report now (once per week: a second run for the same week sends nothing)',
        description:
          "Mails a finished week's report (default: the week before today) to each agency with cases that week (its lead and " +
          'contact addresses) and the province-wide report to the coordinators and the provincial leadership. The week is claimed ' +
          'in the database with the mail in one transaction, so the scheduled run (every Monday 07:30) and any number of manual ' +
          'runs or instances send it once. Mail outside the staff sending window waits for its next opening.',
        body: runBody.optional(),
        response: { 200: runResult, 400: problemSchema, ...auth, 409: problemSchema },
      },
    },
    // through the job runner like every job: recorded in job_runs, refused while the service stops
    async (req) => app.services.jobs.run('weekly-report', () => svc.run(app.services.clock.now(), req.body?.week)),
  );
}
