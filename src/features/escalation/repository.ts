import { and, eq, gt, inArray, lt, lte, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { rows, type Executor, type Tx } from '../../db/client.js';
import { agencies, cases, escalations, jobRuns } from '../../db/schema.js';
import type { CaseRow } from '../cases/deadlines.js';

export const LEVELS = ['due_soon', 'accept_overdue', 'overdue', 'serious', 'triage_stale', 'auto_close'] as const;
export type Level = (typeof LEVELS)[number];

/** SQL: the case has no claim of this level for this deadline. */
export const notFired = (level: Level, deadline: SQLWrapper) =>
  sql`not exists (select 1 from ${escalations} e where e.case_id = ${cases.id} and e.level = ${level} and e.deadline_at = ${deadline})`;

/** Ids of the cases matching `where` (an index-backed condition), oldest deadline first. */
export async function candidateIds(ex: Executor, where: SQL, orderBy: SQLWrapper): Promise<number[]> {
  const r = await rows<{ id: string | number }>(ex, sql`select ${cases.id} as id from ${cases} where ${where} order by ${orderBy}`);
  return r.map((x) => Number(x.id));
}

/** The candidates of one chunk that still match, locked; rows another run holds are skipped. */
export async function lockCases(tx: Tx, ids: number[], where: SQL): Promise<CaseRow[]> {
  if (ids.length === 0) return [];
  return tx
    .select()
    .from(cases)
    .where(and(inArray(cases.id, ids), where))
    .orderBy(cases.id)
    .for('update', { skipLocked: true });
}

export interface Claim {
  caseId: number;
  level: Level;
  deadlineAt: Date;
}

/** INSERT … ON CONFLICT DO NOTHING RETURNING: the firings this transaction won. */
export async function claim(tx: Tx, claims: Claim[], now: Date): Promise<Claim[]> {
  if (claims.length === 0) return [];
  const won = await tx
    .insert(escalations)
    .values(claims.map((c) => ({ ...c, firedAt: now })))
    .onConflictDoNothing()
    .returning({ caseId: escalations.caseId, level: escalations.level, deadlineAt: escalations.deadlineAt });
  return won.map((w) => ({ caseId: w.caseId, level: w.level as Level, deadlineAt: w.deadlineAt }));
}

/** Raises (never lowers) the escalation level of cases; the case's version is left alone. */
export async function raiseLevels(tx: Tx, levels: Map<number, number>, now: Date): Promise<void> {
  if (levels.size === 0) return;
  const values = sql.join(
    [...levels].map(([id, lvl]) => sql`(${id}::bigint, ${lvl}::smallint)`),
    sql`, `,
  );
  await tx.execute(sql`update cases c set escalation_level = greatest(c.escalation_level, v.lvl), updated_at = ${now}
    from (values ${values}) as v(id, lvl) where c.id = v.id`);
}

/** When each case last came back to the triage queue (a return by an agency). */
export async function lastReturnedAt(tx: Tx, ids: number[]): Promise<Map<number, Date>> {
  if (ids.length === 0) return new Map();
  const list = sql.join(ids.map((i) => sql`${i}`), sql`, `);
  const r = await rows<{ case_id: string | number; at: Date | string }>(
    tx,
    sql`select case_id, max(at) as at from case_events where case_id in (${list}) and to_status = 'received' and action <> 'receive' group by case_id`,
  );
  return new Map(r.map((x) => [Number(x.case_id), new Date(x.at)]));
}

export type AgencyContact = { id: number; name: string; kind: string; contactEmails: string[]; leadEmail: string | null };

export async function loadAgencies(ex: Executor): Promise<Map<number, AgencyContact>> {
  const r = await ex
    .select({ id: agencies.id, name: agencies.name, kind: agencies.kind, contactEmails: agencies.contactEmails, leadEmail: agencies.leadEmail })
    .from(agencies);
  return new Map(r.map((a) => [a.id, a]));
}

/** The distinct warning, escalation and waiting limits of every policy version ever in force. */
export async function policyLimits(ex: Executor): Promise<Array<{ w: unknown; o: unknown; a: unknown }>> {
  return rows(
    ex,
    sql`select distinct policy->'warnBefore' as w, policy->'overdueEscalateAfter' as o, policy->'awaitingBusinessLimit' as a from sla_policies`,
  );
}

export async function recordRun(ex: Executor, job: string, startedAt: Date, finishedAt: Date, result: unknown): Promise<void> {
  await ex.insert(jobRuns).values({ job, startedAt, finishedAt, result: result as Record<string, unknown> });
}

// condition builders, kept here so that the SQL of each sweep reads in one place
export const cond = {
  dueSoon: (now: Date, horizon: Date) =>
    and(inArray(cases.status, ['assigned', 'in_progress']), gt(cases.resolveDueAt, now), lte(cases.resolveDueAt, horizon), notFired('due_soon', cases.resolveDueAt))!,
  acceptOverdue: (now: Date) =>
    and(
      sql`${cases.status} = 'assigned' and (${cases.acceptedAt} is null or ${cases.acceptedAt} < ${cases.assignedAt})`,
      lt(cases.acceptDueAt, now),
      notFired('accept_overdue', cases.acceptDueAt),
    )!,
  overdue: (now: Date, seriousFrom: Date) =>
    and(
      inArray(cases.status, ['received', 'assigned', 'in_progress']),
      lt(cases.resolveDueAt, now),
      or(notFired('overdue', cases.resolveDueAt), and(lte(cases.resolveDueAt, seriousFrom), notFired('serious', cases.resolveDueAt))),
    )!,
  triage: (receivedBefore: Date) => and(eq(cases.status, 'received'), lte(cases.receivedAt, receivedBefore))!,
  resolvedPastWindow: (resolvedBefore: Date) => and(eq(cases.status, 'resolved'), lt(cases.resolvedAt, resolvedBefore))!,
  awaitingPastLimit: (pausedBefore: Date) => and(eq(cases.status, 'awaiting_business'), lte(cases.pausedAt, pausedBefore))!,
};
