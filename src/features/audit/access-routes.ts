import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../../domain/calendar.js';
import { fieldError } from '../../lib/errors.js';
import { problemSchema } from '../../lib/http.js';

const MAX_ID = Number.MAX_SAFE_INTEGER;

export const accessQuery = z
  .object({
    caseId: z.coerce.number().int().positive().max(MAX_ID).optional().describe('only the records of this case'),
    actor: z.coerce.number().int().positive().max(2_147_483_647).optional().describe('only the records of this staff user (user id)'),
    since: z.iso.datetime({ offset: true }).optional().describe('records at or after this instant'),
    cursor: z.string().regex(/^\d{1,16}$/, 'is not a cursor this API gave out').optional().describe('nextCursor of the previous page'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const accessRecordSchema = z
  .object({
    id: z.number().int(),
    at: z.string().describe('ISO 8601 with offset (Asia/Ho_Chi_Minh, +07:00)'),
    userId: z.number().int(),
    userName: z.string().nullable(),
    role: z.string().describe('coordinator or inspector'),
    caseId: z.number().int(),
    trackingCode: z.string().nullable(),
    route: z.string().describe('the request that showed the identity, e.g. "GET /api/v1/cases/:id"'),
  })
  .meta({ id: 'AccessRecord' });

export const accessListSchema = z
  .object({ items: z.array(accessRecordSchema), nextCursor: z.string().nullable().describe('pass as cursor for the next (older) page; null at the end') })
  .meta({ id: 'AccessRecordList' });

/** GET /api/v1/audit/access: who was shown a confidential reporter's identity (inspectors). */
export async function registerAuditAccessRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/audit/access',
    {
      config: { roles: ['inspector'] },
      schema: {
        tags: ['audit'],
        operationId: 'listAccessRecords',
        summary: "Who was shown a confidential reporter's identity: who, when, which case, which route (newest first)",
        description:
          'Each time a coordinator or an inspector is shown the reporter of a confidential case (tố cáo) — one case, the work queue, ' +
          "a case's timeline, the answer to a workflow action — one record per case is written in that same request. Agency roles " +
          'never see a confidential reporter, so they never appear here; the agency feed and e-mails never carry the identity. ' +
          'Filters combine with AND. Inspectors only: the list says which cases are confidential and who handled them.',
        querystring: accessQuery,
        response: { 200: accessListSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async (req) => {
      const q = req.query;
      const since = q.since ? new Date(q.since) : undefined;
      if (since && Number.isNaN(since.getTime())) throw fieldError('since', 'is not an instant');
      const rows = await app.services.cases.accessRecords({
        caseId: q.caseId,
        userId: q.actor,
        since,
        beforeId: q.cursor ? Number(q.cursor) : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((x) => ({ ...x, id: Number(x.id), caseId: Number(x.caseId), at: toLocalIso(x.at) })),
        nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null,
      };
    },
  );
}
