import { and, asc, eq, gt, gte, inArray, isNull, lt, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { arrayQuery, type ArrayQuery } from '../../db/array-query.js';
import { readAll, type Executor, type Tx } from '../../db/client.js';
import { agencies, caseEvents, caseExtensions, casePauses, cases, categories, idempotencyKeys, localities } from '../../db/schema.js';
import { OPEN_STATUSES } from '../../domain/lifecycle.js';
import type { CaseRow } from './deadlines.js';

/** SQL of the agency workflow: takes the executor (database or transaction) it runs on. */

export interface CaseNames {
  agencyName: string | null;
  categoryName: string | null;
  localityName: string | null;
}
export type CaseWithNames = CaseRow & CaseNames;

const withNames = {
  agencyName: agencies.name,
  categoryName: categories.name,
  localityName: localities.name,
};

function selectWithNames(ex: Executor) {
  return ex
    .select({ c: cases, ...withNames })
    .from(cases)
    .leftJoin(agencies, eq(agencies.id, cases.agencyId))
    .leftJoin(categories, eq(categories.id, cases.categoryId))
    .leftJoin(localities, eq(localities.id, cases.localityId));
}

/** Columns of a case that no staff view shows nor needs. */
const NOT_VIEWED = ['accessKeyHash', 'clientId', 'mediaUrl', 'searchText', 'lat', 'long', 'routingRuleId', 'enteredBy', 'slaPolicyId', 'ratedAt'] as const;
export type ViewedCaseRow = Omit<CaseRow, (typeof NOT_VIEWED)[number]>;

const flatten = (r: { c: CaseRow } & CaseNames): CaseWithNames => ({
  ...r.c,
  agencyName: r.agencyName,
  categoryName: r.categoryName,
  localityName: r.localityName,
});

/**
 * The columns of the work queue's compact item (views.ts toStaffListItem): what the list shows,
 * what the disclosure rule and the allowed actions read, and the reporter's identity (to mask
 * it in the title on a confidential case). Not the content, answers, notes or addresses.
 */
const listColumns = {
  id: cases.id,
  trackingCode: cases.trackingCode,
  kind: cases.kind,
  priority: cases.priority,
  categoryId: cases.categoryId,
  localityId: cases.localityId,
  channel: cases.channel,
  title: cases.title,
  businessName: cases.businessName,
  taxCode: cases.taxCode,
  contactName: cases.contactName,
  phone: cases.phone,
  email: cases.email,
  consentPublishName: cases.consentPublishName,
  confidential: cases.confidential,
  status: cases.status,
  agencyId: cases.agencyId,
  version: cases.version,
  receivedAt: cases.receivedAt,
  acceptDueAt: cases.acceptDueAt,
  firstAcceptedAt: cases.firstAcceptedAt,
  resolveDueAt: cases.resolveDueAt,
  /** of the frozen policy only what the item reads (whether the deadline is provisional) */
  slaPolicy: sql<Record<string, unknown>>`jsonb_build_object('resolutionStartsAt', ${cases.slaPolicy} -> 'resolutionStartsAt')`,
  pausedAt: cases.pausedAt,
  extensionsUsed: cases.extensionsUsed,
  resolvedAt: cases.resolvedAt,
  outcome: cases.outcome,
  rating: cases.rating,
  escalationLevel: cases.escalationLevel,
  updatedAt: cases.updatedAt,
};
export type ListCaseRow = Pick<CaseRow, keyof typeof listColumns>;

export async function getCase(ex: Executor, id: number): Promise<CaseRow | undefined> {
  const [row] = await ex.select().from(cases).where(eq(cases.id, id));
  return row;
}

export async function getCaseWithNames(ex: Executor, id: number): Promise<CaseWithNames | undefined> {
  const [row] = await selectWithNames(ex).where(eq(cases.id, id));
  return row ? flatten(row) : undefined;
}

export async function namesOf(ex: Executor, c: Pick<CaseRow, 'agencyId' | 'categoryId' | 'localityId'>): Promise<CaseNames> {
  const [a, cat, loc] = await readAll(ex, [
    async () => (c.agencyId != null ? ex.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, c.agencyId)) : []),
    async () => (c.categoryId != null ? ex.select({ name: categories.name }).from(categories).where(eq(categories.id, c.categoryId)) : []),
    async () => (c.localityId != null ? ex.select({ name: localities.name }).from(localities).where(eq(localities.id, c.localityId)) : []),
  ]);
  return { agencyName: a[0]?.name ?? null, categoryName: cat[0]?.name ?? null, localityName: loc[0]?.name ?? null };
}

/** Locks the case rows (in id order, so two merges never deadlock) and returns them by id. */
export async function lockCases(tx: Tx, ids: number[]): Promise<Map<number, CaseRow>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const rows = await tx.select().from(cases).where(inArray(cases.id, unique)).orderBy(asc(cases.id)).for('update');
  return new Map(rows.map((r) => [r.id, r]));
}

/** Writes a change to the case if its version is still `expectedVersion`; bumps the version. */
export async function updateCase(
  tx: Tx,
  id: number,
  expectedVersion: number,
  patch: Partial<typeof cases.$inferInsert>,
  now: Date,
): Promise<CaseRow | undefined> {
  const [row] = await tx
    .update(cases)
    .set({ ...patch, version: sql`${cases.version} + 1`, updatedAt: now })
    .where(and(eq(cases.id, id), eq(cases.version, expectedVersion)))
    .returning();
  return row;
}

/** Marks a case changed (its timeline got an event) without a new version. */
export async function touchCase(tx: Tx, id: number, now: Date): Promise<void> {
  await tx.update(cases).set({ updatedAt: now }).where(eq(cases.id, id));
}

export async function getAgency(ex: Executor, id: number) {
  const [a] = await ex
    .select({ id: agencies.id, name: agencies.name, contactEmails: agencies.contactEmails, activeFrom: agencies.activeFrom, activeTo: agencies.activeTo, kind: agencies.kind })
    .from(agencies)
    .where(eq(agencies.id, id));
  return a;
}

/** Cases merged into `keptId` (rejected as its duplicates). */
export function mergedDuplicates(ex: Executor, keptId: number) {
  return ex
    .select({ id: cases.id, trackingCode: cases.trackingCode, title: cases.title, email: cases.email, status: cases.status })
    .from(cases)
    .where(and(eq(cases.duplicateOfId, keptId), eq(cases.status, 'rejected'), eq(cases.reason, 'duplicate')))
    .orderBy(asc(cases.id));
}

// ---------------------------------------------------------------- pauses and extensions

export async function openPause(tx: Tx, caseId: number, startedAt: Date, reason: string): Promise<void> {
  await tx.insert(casePauses).values({ caseId, startedAt, reason });
}

/** Ends the case's open pause (if any); returns it. */
export async function closeOpenPause(tx: Tx, caseId: number, endedAt: Date) {
  const [p] = await tx
    .update(casePauses)
    .set({ endedAt })
    .where(and(eq(casePauses.caseId, caseId), isNull(casePauses.endedAt)))
    .returning();
  return p;
}

export async function countExtensions(ex: Executor, caseId: number): Promise<number> {
  const [{ n }] = await ex.select({ n: sql<number>`count(*)::int` }).from(caseExtensions).where(eq(caseExtensions.caseId, caseId));
  return Number(n);
}

export async function insertExtension(tx: Tx, e: typeof caseExtensions.$inferInsert): Promise<void> {
  await tx.insert(caseExtensions).values(e);
}

// ---------------------------------------------------------------- updateId answers

export async function findIdempotent(ex: Executor, scope: string, key: string) {
  const [row] = await ex
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  return row;
}

export async function storeIdempotent(tx: Tx, row: typeof idempotencyKeys.$inferInsert): Promise<void> {
  await tx.insert(idempotencyKeys).values(row);
}

// ---------------------------------------------------------------- timeline

export function caseTimeline(ex: Executor, caseId: number) {
  return ex.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.id));
}

// ---------------------------------------------------------------- work queues

export interface QueueFilter {
  statuses?: string[];
  agencyId?: number | null;
  /** agency roles: only this agency's cases */
  onlyAgencyId?: number;
  kinds?: string[];
  categoryId?: number;
  overdue?: boolean;
  dueBefore?: Date;
  minEscalationLevel?: number;
  /** accent-folded words that must all occur in title + content */
  words?: string[];
  /** exact tracking code searched for */
  trackingCode?: string;
  now: Date;
  after?: { dueAt: Date; id: number };
  limit: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Open and overdue: the deadline passed (while paused, it counts as it stood when the pause began). */
function overdueSql(now: Date): SQL {
  return sql`(${cases.status} in (${sql.join(
    OPEN_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  )}) and ${cases.resolveDueAt} < coalesce(${cases.pausedAt}, ${now}::timestamptz))`;
}

/** Cases after the cursor's (resolve deadline, id) in queue order: values, or placeholders of a prepared query. */
function afterCursor(dueAt: Date | Placeholder, id: number | Placeholder): SQL {
  return or(gt(cases.resolveDueAt, dueAt), and(eq(cases.resolveDueAt, dueAt), gt(cases.id, id)))!;
}

/** The list item's columns and names, filtered and in queue order (resolve deadline, id). */
function queueSelect(ex: Executor, where: SQL[]) {
  return ex
    .select({ ...listColumns, ...withNames })
    .from(cases)
    .leftJoin(agencies, eq(agencies.id, cases.agencyId))
    .leftJoin(categories, eq(categories.id, cases.categoryId))
    .leftJoin(localities, eq(localities.id, cases.localityId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(cases.resolveDueAt), asc(cases.id));
}

/** The work queue's query (also run by the benchmark's pgbench ceiling): only the columns the list item reads. */
export function queueQuery(ex: Executor, f: QueueFilter) {
  const where: SQL[] = [];
  if (f.statuses?.length) where.push(inArray(cases.status, f.statuses));
  if (f.agencyId !== undefined) where.push(f.agencyId === null ? isNull(cases.agencyId) : eq(cases.agencyId, f.agencyId));
  if (f.onlyAgencyId !== undefined) where.push(eq(cases.agencyId, f.onlyAgencyId));
  if (f.kinds?.length) where.push(inArray(cases.kind, f.kinds));
  if (f.categoryId !== undefined) where.push(eq(cases.categoryId, f.categoryId));
  if (f.overdue === true) where.push(overdueSql(f.now));
  if (f.overdue === false) {
    where.push(inArray(cases.status, [...OPEN_STATUSES]));
    where.push(sql`not ${overdueSql(f.now)}`);
  }
  if (f.dueBefore) where.push(lt(cases.resolveDueAt, f.dueBefore));
  if (f.minEscalationLevel !== undefined) where.push(gte(cases.escalationLevel, f.minEscalationLevel));
  if (f.words?.length || f.trackingCode) {
    const text = f.words?.length
      ? and(...f.words.map((w) => sql`${cases.searchText} like ${'%' + likeEscape(w) + '%'} escape '\\'`))
      : undefined;
    const code = f.trackingCode ? eq(cases.trackingCode, f.trackingCode) : undefined;
    const either = text && code ? or(text, code) : (text ?? code);
    if (either) where.push(either);
  }
  if (f.after) where.push(afterCursor(f.after.dueAt, f.after.id));
  return queueSelect(ex, where).limit(f.limit);
}

/**
 * The queue's common shapes (an agency's queue, or the whole queue, from the start or after a
 * cursor, with no other filter) as statements built once per process and run as arrays
 * (db/array-query.ts): on PostgreSQL each connection parses and plans them once. Other filters
 * build the query each time.
 */
type QueueParams = { agencyId?: number; afterDueAt?: string; afterId?: number; limit: number };
const prepared = new Map<string, ArrayQuery<QueueParams, ListCaseRow & CaseNames>>();

function preparedQueue(ex: Executor, agency: boolean, after: boolean) {
  const key = `${agency ? 'agency' : 'all'}_${after ? 'after' : 'first'}`;
  let q = prepared.get(key);
  if (!q) {
    const where: SQL[] = [];
    if (agency) where.push(eq(cases.agencyId, sql.placeholder('agencyId')));
    if (after) where.push(afterCursor(sql.placeholder('afterDueAt'), sql.placeholder('afterId')));
    q = arrayQuery<QueueParams, ListCaseRow & CaseNames>(queueSelect(ex, where).limit(sql.placeholder('limit')), `pakn_queue_${key}`);
    prepared.set(key, q);
  }
  return q;
}

/** The filter keys the prepared shapes take; any other key set (a filter) builds the query. */
const PREPARED_KEYS: ReadonlySet<string> = new Set(['onlyAgencyId', 'after', 'now', 'limit']);
const isUnset = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
/** True when the filter is one of the shapes preparedQueue serves: no key beyond PREPARED_KEYS is set. */
export const commonShape = (f: QueueFilter) => Object.entries(f).every(([k, v]) => PREPARED_KEYS.has(k) || isUnset(v));

export async function listQueue(ex: Executor, f: QueueFilter): Promise<Array<ListCaseRow & CaseNames>> {
  if (!commonShape(f)) return queueQuery(ex, f);
  const q = preparedQueue(ex, f.onlyAgencyId !== undefined, f.after !== undefined);
  return q.run(ex, { agencyId: f.onlyAgencyId, afterDueAt: f.after?.dueAt.toISOString(), afterId: f.after?.id, limit: f.limit });
}

// ---------------------------------------------------------------- agency feed

export interface FeedRow {
  row: CaseWithNames;
  /** the case is no longer with this agency (returned or reassigned) */
  left: boolean;
}

/**
 * Cases of the agency changed at or after `since` (or after the cursor), oldest change first, and
 * cases that left the agency (returned, reassigned) so that its system can drop them.
 */
export async function agencyFeed(
  ex: Executor,
  agencyId: number,
  opts: { since?: Date; after?: { updatedAt: Date; id: number }; limit: number },
): Promise<FeedRow[]> {
  const leftAgency = sql`exists (select 1 from ${caseEvents} e where e.case_id = ${cases.id}
    and e.action in ('return', 'assign') and e.data->>'fromAgencyId' = ${String(agencyId)})`;
  const where: SQL[] = [or(eq(cases.agencyId, agencyId), leftAgency)!];
  if (opts.after) {
    where.push(or(gt(cases.updatedAt, opts.after.updatedAt), and(eq(cases.updatedAt, opts.after.updatedAt), gt(cases.id, opts.after.id)))!);
  } else if (opts.since) {
    where.push(gte(cases.updatedAt, opts.since));
  }
  const rows = await selectWithNames(ex)
    .where(and(...where))
    .orderBy(asc(cases.updatedAt), asc(cases.id))
    .limit(opts.limit);
  return rows.map((r) => ({ row: flatten(r), left: r.c.agencyId !== agencyId }));
}
