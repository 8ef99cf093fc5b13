import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { toCsv } from '../../lib/csv.js';
import { actorOf, problemSchema, sendCsv, wantsCsv } from '../../lib/http.js';
import { auditCasesQuery, auditCasesSchema, findingInput, onTimeQuery, onTimeSchema, sampleIdParam, sampleInput, sampleListQuery, sampleListSchema, sampleSchema } from './schemas.js';
import type { CaseFilters } from './service.js';

const READ = { roles: ['inspector', 'admin', 'coordinator'] as const };
const INSPECT = { roles: ['inspector'] as const };
const CSV_MAX_ROWS = 100_000;

const bool = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true');

export async function registerAuditRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const audit = app.services.audit;

  r.get(
    '/api/v1/audit/on-time',
    {
      config: READ,
      schema: {
        tags: ['audit'],
        summary: 'On-time rates (strict and extension-adjusted) of the cases answered in a period, grouped',
        description:
          'Cases answered between from and to (local dates, inclusive), or in `period`. onTimeRate = (early + on time) / answered, ' +
          'against the deadline as extended (extension-adjusted); strictOnTimeRate counts only cases answered in time without any extension. ' +
          'Each row links to the case list behind it. CSV with Accept: text/csv or format=csv.',
        querystring: onTimeQuery,
        response: { 200: onTimeSchema, 400: problemSchema },
      },
    },
    async (req, reply) => {
      const result = await audit.onTime(req.query);
      if (req.query.format === 'csv' || (req.query.format !== 'json' && wantsCsv(req))) {
        const rows = [...result.groups, { ...result.total, key: 'total' }].map((g) => [
          g.key,
          g.label,
          g.resolved,
          g.early,
          g.onTime,
          g.late,
          g.withExtension,
          g.onTimeRate.numerator,
          g.onTimeRate.value,
          g.strictOnTimeRate.numerator,
          g.strictOnTimeRate.value,
          g.medianWorkingDays,
          g.p90WorkingDays,
          g.smallCell,
        ]);
        return sendCsv(
          reply,
          `dung-han-${result.from}-${result.to}-${result.groupBy}.csv`,
          toCsv(
            ['key', 'label', 'resolved', 'early', 'onTime', 'late', 'withExtension', 'onTimeNumerator', 'onTimeRate', 'strictNumerator', 'strictOnTimeRate', 'medianWorkingDays', 'p90WorkingDays', 'smallCell'],
            rows,
          ),
        );
      }
      return result;
    },
  );

  r.get(
    '/api/v1/audit/cases',
    {
      config: READ,
      schema: {
        tags: ['audit'],
        summary: 'Cases with their timing (late, overdue, paused, extended, disputed …), JSON pages or the whole list as CSV',
        description:
          'Filters combine with AND; a flag set to false keeps the cases without it. from/to/period apply to dateField (received by default). ' +
          'summary counts every matching case, so the on-time rate of a group from /audit/on-time can be checked against its list ' +
          '(dateField=resolved&answered=true&…). CSV (Accept: text/csv or format=csv) has every matching case, without paging.',
        querystring: auditCasesQuery,
        response: { 200: auditCasesSchema, 400: problemSchema },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const filters: CaseFilters = {
        from: q.from,
        to: q.to,
        period: q.period,
        dateField: q.dateField,
        answered: bool(q.answered),
        late: bool(q.late),
        overdue: bool(q.overdue),
        paused: bool(q.paused),
        extended: bool(q.extended),
        disputed: bool(q.disputed),
        agencyId: q.agencyId,
        categoryId: q.categoryId,
        kind: q.kind,
        channel: q.channel,
        status: q.status,
        outcome: q.outcome,
      };
      const csv = q.format === 'csv' || (q.format !== 'json' && wantsCsv(req));
      const result = await audit.caseList(filters, csv ? { limit: CSV_MAX_ROWS } : { limit: q.limit, cursor: q.cursor });
      if (csv) {
        const cols = [
          'id',
          'trackingCode',
          'kind',
          'priority',
          'channel',
          'status',
          'agency',
          'category',
          'receivedAt',
          'resolveDueAt',
          'resolvedAt',
          'closedAt',
          'outcome',
          'onTime',
          'strictOnTime',
          'resolvedWithExtension',
          'extensionsUsed',
          'pauses',
          'pausedWorkingDays',
          'workingDays',
          'overdueNow',
          'disputeCount',
          'rating',
          'reason',
        ] as const;
        return sendCsv(reply, `ho-so-kiem-tra.csv`, toCsv([...cols], result.items.map((i) => cols.map((c) => i[c]))));
      }
      return result;
    },
  );

  r.post(
    '/api/v1/audit/samples',
    {
      config: INSPECT,
      schema: {
        tags: ['audit'],
        summary: "Draw a reproducible random sample of an agency's answered cases of a month",
        description:
          'The population is the cases of the agency answered in the month (resolved or closed with an outcome), by ascending id; ' +
          'the same seed over the same population gives the same cases (SHA-256 counter-mode generator, partial Fisher–Yates; see docs/reports.md).',
        body: sampleInput,
        response: { 201: sampleSchema, 400: problemSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await audit.createSample(actorOf(req), req.body)),
  );

  r.get(
    '/api/v1/audit/samples',
    { config: READ, schema: { tags: ['audit'], summary: 'Samples drawn (newest first)', querystring: sampleListQuery, response: { 200: sampleListSchema } } },
    async (req) => ({ items: await audit.listSamples(req.query) }),
  );

  r.get(
    '/api/v1/audit/samples/:id',
    {
      config: READ,
      schema: {
        tags: ['audit'],
        summary: 'A sample with its findings, its on-time rate and its quality-adjusted on-time rate',
        params: sampleIdParam,
        response: { 200: sampleSchema, 404: problemSchema },
      },
    },
    async (req) => audit.getSample(req.params.id),
  );

  r.post(
    '/api/v1/audit/samples/:id/findings',
    {
      config: INSPECT,
      schema: {
        tags: ['audit'],
        summary: 'Record a finding on a sampled case, and reopen the case on it if asked',
        description: 'One finding per case and sample. With reopen: true (not with ok) the case is reopened in the same transaction.',
        params: sampleIdParam,
        body: findingInput,
        response: { 201: sampleSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await audit.addFinding(actorOf(req), req.params.id, req.body)),
  );
}
