import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../../domain/calendar.js';
import type { Action } from '../../domain/lifecycle.js';
import type { StaffRole } from '../../domain/roles.js';
import { foldVietnamese } from '../../domain/validators.js';
import { fieldError, PreconditionFailed } from '../../lib/errors.js';
import { actorOf, idParam, problemSchema } from '../../lib/http.js';
import {
  acceptBody,
  assignBody,
  caseListQuery,
  caseListSchema,
  closeBody,
  extendBody,
  feedQuery,
  feedSchema,
  mergeBody,
  noteBody,
  rejectBody,
  reopenBody,
  requestInfoBody,
  resolveBody,
  returnBody,
  staffCaseSchema,
  timelineSchema,
} from './schemas.js';
import type { ActionInput } from './effects.js';
import { StaleVersion } from './workflow.js';
import { toFeedItem } from './views.js';

/** Staff who read cases; admin manages the system and reads no case. */
export const CASE_READERS: readonly StaffRole[] = ['coordinator', 'agency_staff', 'agency_lead', 'inspector'];
const AGENCY: readonly StaffRole[] = ['agency_staff', 'agency_lead'];

const errors = { 400: problemSchema, 404: problemSchema, 409: problemSchema };

const TRACKING_CODE = /^PAKN\.\d{8}\.\d{4,}$/i;

function encodeCursor(parts: [string, number]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}
function decodeCursor(s: string): { at: Date; id: number } {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isSafeInteger(v[1]) && v[1] >= 0) {
      const at = new Date(v[0]);
      // an instant PostgreSQL's timestamptz and our ISO formatting both take (years 1970–9999)
      if (!Number.isNaN(at.getTime()) && at.getUTCFullYear() >= 1970 && at.getUTCFullYear() <= 9999) return { at, id: v[1] };
    }
  } catch {
    /* fall through */
  }
  throw fieldError('cursor', 'is not a cursor this API gave out');
}

/** `If-Match: "7"` (or W/"7", or 7) → 7. */
function ifMatchVersion(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(Array.isArray(h) ? h.join(',') : h);
  if (!m) throw fieldError('If-Match', 'must be the case version as an entity tag, e.g. "3"');
  return Number(m[1]);
}

interface ActionRoute {
  path: string;
  action: Action;
  roles: readonly StaffRole[];
  summary: string;
  body: z.ZodType<Record<string, unknown>>;
}

const ACTION_ROUTES: ActionRoute[] = [
  { path: 'assign', action: 'assign', roles: ['coordinator'], summary: 'Assign or reassign the case to an agency (new accept deadline; the resolve deadline runs on)', body: assignBody },
  { path: 'accept', action: 'accept', roles: AGENCY, summary: 'The agency accepts the case', body: acceptBody },
  { path: 'request-info', action: 'request_info', roles: AGENCY, summary: 'Ask the business for information (the clock pauses until it replies)', body: requestInfoBody },
  { path: 'resolve', action: 'resolve', roles: ['coordinator', ...AGENCY], summary: 'Answer the case (public answer and reason code)', body: resolveBody },
  { path: 'return', action: 'return', roles: AGENCY, summary: 'Return a wrongly assigned case to the coordinator, with the reason', body: returnBody },
  { path: 'reject', action: 'reject', roles: ['coordinator'], summary: 'Reject the case with a reason code (duplicate: with the case it duplicates)', body: rejectBody },
  { path: 'extend', action: 'extend', roles: ['coordinator', 'agency_lead'], summary: "Extend the resolve deadline within the policy's limits, with a reason shown to the business", body: extendBody },
  { path: 'note', action: 'note', roles: ['coordinator', ...AGENCY], summary: 'Add a public note (shown to the business) or an internal note', body: noteBody },
  { path: 'reopen', action: 'reopen', roles: ['coordinator'], summary: 'Reopen a resolved or closed case', body: reopenBody },
  { path: 'close', action: 'close', roles: ['coordinator'], summary: 'Close a resolved case before the dispute window ends', body: closeBody },
  { path: 'merge', action: 'merge', roles: ['coordinator'], summary: 'Merge a duplicate into the case kept (rejected as duplicate; the kept case gets a note)', body: mergeBody },
];

/** Cases for staff: work queues, one case, its timeline, the agency feed and the workflow actions. */
export async function registerCaseWorkflowRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { cases } = app.services;
  /** the route as recorded in access records, e.g. "GET /api/v1/cases/:id" */
  const routeOf = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;

  // ---- work queues
  r.get(
    '/api/v1/cases',
    {
      config: { roles: CASE_READERS },
      schema: {
        tags: ['cases'],
        summary: 'Work queue: compact case items by deadline (resolveDueAt, id), filtered; agency roles get their own agency only',
        querystring: caseListQuery,
        response: { 200: caseListSchema, 400: problemSchema },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const q = req.query;
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      let words: string[] | undefined;
      let trackingCode: string | undefined;
      if (q.q) {
        words = foldVietnamese(q.q).split(/\s+/).filter(Boolean).slice(0, 10);
        if (TRACKING_CODE.test(q.q)) trackingCode = q.q.toUpperCase();
      }
      const { page, more, items } = await cases.queue(
        actor,
        {
          statuses: q.status?.length ? q.status : undefined,
          agencyId: q.agency === undefined ? undefined : q.agency === 'none' ? null : q.agency,
          kinds: q.kind?.length ? q.kind : undefined,
          categoryId: q.category,
          overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
          dueBefore: q.dueBefore ? new Date(q.dueBefore) : undefined,
          minEscalationLevel: q.escalationLevel,
          words,
          trackingCode,
          after: after ? { dueAt: after.at, id: after.id } : undefined,
          limit: q.limit,
        },
        routeOf(req),
      );
      const last = page[page.length - 1];
      return {
        items,
        nextCursor: more && last ? encodeCursor([last.resolveDueAt.toISOString(), last.id]) : null,
      };
    },
  );

  r.get(
    '/api/v1/cases/:id',
    {
      config: { roles: CASE_READERS },
      schema: {
        tags: ['cases'],
        summary: 'One case for staff, with its deadline state and the actions the caller may take (ETag: its version)',
        params: idParam,
        response: { 200: staffCaseSchema, 404: problemSchema },
      },
    },
    async (req, reply) => {
      const view = await cases.get(actorOf(req), req.params.id, routeOf(req));
      reply.header('etag', `"${view.version}"`);
      return view;
    },
  );

  r.get(
    '/api/v1/cases/:id/timeline',
    {
      config: { roles: CASE_READERS },
      schema: {
        tags: ['cases'],
        summary: "The case's timeline: every event with who, when, from → to, public and internal text, and its place in the hash chain",
        params: idParam,
        response: { 200: timelineSchema, 404: problemSchema },
      },
    },
    async (req) => cases.timeline(actorOf(req), req.params.id, routeOf(req)),
  );

  // ---- agency integration
  r.get(
    '/api/v1/agencies/:id/feed',
    {
      config: { roles: CASE_READERS },
      schema: {
        tags: ['cases'],
        summary: "An agency's new and changed cases, oldest change first, for the agency's own system to pull (cursor on updatedAt, id)",
        params: idParam,
        querystring: feedQuery,
        response: { 200: feedSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const agencyId = req.params.id;
      const after = req.query.cursor ? decodeCursor(req.query.cursor) : undefined;
      const since = req.query.updatedSince ? new Date(req.query.updatedSince) : undefined;
      const { now, rows, items } = await cases.feed(actor, agencyId, {
        since,
        after: after ? { updatedAt: after.at, id: after.id } : undefined,
        limit: req.query.limit,
      });
      const last = rows[rows.length - 1];
      const nextCursor = last
        ? encodeCursor([last.row.updatedAt.toISOString(), last.row.id])
        : (req.query.cursor ?? (since ? encodeCursor([since.toISOString(), 0]) : null));
      return {
        agencyId,
        items: items.map(({ row, left, view }) => toFeedItem(row, left, view)),
        nextCursor,
        serverTime: toLocalIso(now),
      };
    },
  );

  // ---- the workflow actions, one route each (POST /api/v1/cases/{id}/{action})
  for (const def of ACTION_ROUTES) {
    r.post(
      `/api/v1/cases/:id/${def.path}`,
      {
        config: { roles: def.roles },
        schema: {
          tags: ['cases'],
          summary: def.summary,
          description:
            'Carries the case `version` in the body or as `If-Match`; a stale version answers 409 (412 with If-Match) and changes nothing. ' +
            'An illegal transition answers 409 with `currentStatus`. A repeated `updateId` is answered as the first time and applied once.',
          params: idParam,
          headers: z.object({ 'if-match': z.string().max(100).optional() }),
          body: def.body,
          response: { 200: staffCaseSchema, ...errors, 412: problemSchema, 422: problemSchema },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const body = req.body as Record<string, unknown> & { version?: number };
        const headerVersion = ifMatchVersion(req);
        if (headerVersion !== undefined && body.version !== undefined && headerVersion !== body.version) {
          throw fieldError('version', `differs from If-Match (${headerVersion})`);
        }
        const version = body.version ?? headerVersion;
        if (version === undefined) throw fieldError('version', 'is required (or send If-Match)');
        const input: ActionInput = { ...(body as ActionInput), version };
        let result;
        try {
          result = await app.services.workflow.act(req.params.id, def.action, { kind: 'staff', actor }, input);
        } catch (err) {
          if (err instanceof StaleVersion && headerVersion !== undefined) {
            throw new PreconditionFailed(err.message, { currentVersion: err.currentVersion });
          }
          throw err;
        }
        const view = await cases.afterAction(actor, result.case, routeOf(req));
        reply.header('etag', `"${result.case.version}"`);
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return view;
      },
    );
  }
}
