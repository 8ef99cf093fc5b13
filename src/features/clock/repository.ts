/**
 * The clock's queries: calendar years, SLA policy versions, routing rules and the reference rows
 * they name, the open cases a calendar edit recomputes, a case's pauses and extensions, and the
 * advisory locks that serialise calendar and policy edits across instances.
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, max, sql } from 'drizzle-orm';
import { readAll, type Executor, type Tx } from '../../db/client.js';
import { calendarYears, caseExtensions, casePauses, cases, categories, localities, agencies, routingRules, slaPolicies } from '../../db/schema.js';
import { OPEN_STATUSES } from '../../domain/lifecycle.js';
import type { DurationUnit, Extension, Pause } from '../../domain/sla.js';
import { fieldError } from '../../lib/errors.js';

/** Serialises calendar edits (and their recomputation) across instances. */
const CALENDAR_LOCK_KEY = 4_172_026_021;
/** Serialises SLA policy versioning across instances. */
const POLICY_LOCK_KEY = 4_172_026_022;

export type CalendarYearRow = typeof calendarYears.$inferSelect;
export type PolicyRow = typeof slaPolicies.$inferSelect;
export type RuleRow = typeof routingRules.$inferSelect;

// ---------------------------------------------------------------- locks

/** Held until the transaction ends: one calendar edit (with its recomputation) at a time. */
export async function lockCalendarEdits(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CALENDAR_LOCK_KEY})`);
}

/** Held until the transaction ends: one SLA policy change at a time. */
export async function lockPolicyEdits(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${POLICY_LOCK_KEY})`);
}

// ---------------------------------------------------------------- calendar years

export function listCalendarYears(ex: Executor): Promise<CalendarYearRow[]> {
  return ex.select().from(calendarYears).orderBy(asc(calendarYears.year));
}

export async function calendarYearRow(ex: Executor, year: number): Promise<CalendarYearRow | undefined> {
  const [row] = await ex.select().from(calendarYears).where(eq(calendarYears.year, year));
  return row;
}

export async function upsertCalendarYear(tx: Tx, year: number, row: Omit<typeof calendarYears.$inferInsert, 'year'>): Promise<void> {
  await tx.insert(calendarYears).values({ year, ...row }).onConflictDoUpdate({ target: calendarYears.year, set: row });
}

/** False when no table was stored for `year`. */
export async function deleteCalendarYear(tx: Tx, year: number): Promise<boolean> {
  return (await tx.delete(calendarYears).where(eq(calendarYears.year, year)).returning({ year: calendarYears.year })).length > 0;
}

// ---------------------------------------------------------------- open cases a calendar edit recomputes

/** Up to `limit` open cases received before `before` with an id above `afterId`, in id order, locked for update. */
export function openCasesReceivedBefore(tx: Tx, before: Date, afterId: number, limit: number) {
  return tx
    .select({
      id: cases.id,
      status: cases.status,
      receivedAt: cases.receivedAt,
      assignedAt: cases.assignedAt,
      slaPolicy: cases.slaPolicy,
      resolveDueAt: cases.resolveDueAt,
      acceptDueAt: cases.acceptDueAt,
      firstAcceptedAt: cases.firstAcceptedAt,
    })
    .from(cases)
    .where(and(inArray(cases.status, [...OPEN_STATUSES]), lt(cases.receivedAt, before), gt(cases.id, afterId)))
    .orderBy(asc(cases.id))
    .limit(limit)
    .for('update');
}

/** Pauses and extensions of many cases at once. */
export async function slaInputsOf(tx: Tx, ids: number[]): Promise<Map<number, { pauses: Pause[]; extensions: Extension[] }>> {
  const out = new Map<number, { pauses: Pause[]; extensions: Extension[] }>();
  for (const id of ids) out.set(id, { pauses: [], extensions: [] });
  if (ids.length === 0) return out;
  const [p, e] = await readAll(tx, [
    () => tx.select().from(casePauses).where(inArray(casePauses.caseId, ids)).orderBy(asc(casePauses.startedAt)),
    () => tx.select().from(caseExtensions).where(inArray(caseExtensions.caseId, ids)).orderBy(asc(caseExtensions.at)),
  ]);
  for (const x of p) out.get(x.caseId)!.pauses.push({ start: x.startedAt, end: x.endedAt });
  for (const x of e) out.get(x.caseId)!.extensions.push({ amount: x.amount, unit: x.unit as DurationUnit, reason: x.reason, at: x.at });
  return out;
}

/** Stores new deadlines of many cases in one statement; each case gets a new version. */
export async function moveDeadlines(tx: Tx, moves: Array<{ id: number; resolveDueAt: Date; acceptDueAt: Date | null }>, now: Date): Promise<void> {
  if (moves.length === 0) return;
  const values = sql.join(
    moves.map((m) => sql`(${m.id}::bigint, ${m.resolveDueAt.toISOString()}::timestamptz, ${m.acceptDueAt ? m.acceptDueAt.toISOString() : null}::timestamptz)`),
    sql`, `,
  );
  await tx.execute(sql`update cases c set resolve_due_at = v.r, accept_due_at = v.a, version = c.version + 1, updated_at = ${now.toISOString()}::timestamptz
    from (values ${values}) as v(id, r, a) where c.id = v.id`);
}

// ---------------------------------------------------------------- a case's pauses and extensions

export function casePausesOf(ex: Executor, caseId: number) {
  return ex.select().from(casePauses).where(eq(casePauses.caseId, caseId)).orderBy(asc(casePauses.startedAt));
}

export function caseExtensionsOf(ex: Executor, caseId: number) {
  return ex.select().from(caseExtensions).where(eq(caseExtensions.caseId, caseId)).orderBy(asc(caseExtensions.at));
}

// ---------------------------------------------------------------- SLA policies

const keyOf = (kind: string, priority: string, categoryId: number | null | undefined) =>
  and(eq(slaPolicies.kind, kind), eq(slaPolicies.priority, priority), categoryId == null ? isNull(slaPolicies.categoryId) : eq(slaPolicies.categoryId, categoryId));

/** The versions in force (`all`: every version), by kind, priority, category (generic first) and newest version first. */
export function listPolicyRows(ex: Executor, f: { all: boolean; kind?: string; priority?: string; categoryId?: number }): Promise<PolicyRow[]> {
  return ex
    .select()
    .from(slaPolicies)
    .where(
      and(
        f.all ? undefined : isNull(slaPolicies.supersededAt),
        f.kind ? eq(slaPolicies.kind, f.kind) : undefined,
        f.priority ? eq(slaPolicies.priority, f.priority) : undefined,
        f.categoryId ? eq(slaPolicies.categoryId, f.categoryId) : undefined,
      ),
    )
    .orderBy(asc(slaPolicies.kind), asc(slaPolicies.priority), sql`${slaPolicies.categoryId} asc nulls first`, desc(slaPolicies.version));
}

/** The version in force for (kind, priority, categoryId); categoryId null: the kind × priority policy. */
export async function policyInForce(ex: Executor, kind: string, priority: string, categoryId: number | null): Promise<PolicyRow | undefined> {
  const [row] = await ex.select().from(slaPolicies).where(and(keyOf(kind, priority, categoryId), isNull(slaPolicies.supersededAt))).orderBy(desc(slaPolicies.version)).limit(1);
  return row;
}

/** The highest version ever published for (kind, priority, categoryId), null if none. */
export async function topPolicyVersion(ex: Executor, kind: string, priority: string, categoryId: number | null): Promise<number | null> {
  const [{ top }] = await ex.select({ top: max(slaPolicies.version) }).from(slaPolicies).where(keyOf(kind, priority, categoryId));
  return top;
}

/** Ends the version in force for (kind, priority, categoryId) at `now`. */
export async function supersedePolicyInForce(tx: Tx, kind: string, priority: string, categoryId: number | null, now: Date): Promise<void> {
  await tx.update(slaPolicies).set({ supersededAt: now }).where(and(keyOf(kind, priority, categoryId), isNull(slaPolicies.supersededAt)));
}

export async function insertPolicy(tx: Tx, values: typeof slaPolicies.$inferInsert): Promise<PolicyRow> {
  const [row] = await tx.insert(slaPolicies).values(values).returning();
  return row;
}

export async function policyById(ex: Executor, id: number): Promise<PolicyRow | undefined> {
  const [row] = await ex.select().from(slaPolicies).where(eq(slaPolicies.id, id));
  return row;
}

/** Ends one version at `now`. */
export async function supersedePolicy(tx: Tx, id: number, now: Date): Promise<PolicyRow> {
  const [row] = await tx.update(slaPolicies).set({ supersededAt: now }).where(eq(slaPolicies.id, id)).returning();
  return row;
}

// ---------------------------------------------------------------- routing rules

/** Rules in evaluation order (or the one rule `id`), each with its agency's name. */
export function ruleRows(ex: Executor, id?: number): Promise<Array<{ rule: RuleRow; agencyName: string | null }>> {
  return ex
    .select({ rule: routingRules, agencyName: agencies.name })
    .from(routingRules)
    .leftJoin(agencies, eq(agencies.id, routingRules.agencyId))
    .where(id === undefined ? undefined : eq(routingRules.id, id))
    .orderBy(asc(routingRules.position), asc(routingRules.id));
}

/** The last position in use, null when there is no rule. */
export async function topRulePosition(ex: Executor): Promise<number | null> {
  const [{ top }] = await ex.select({ top: max(routingRules.position) }).from(routingRules);
  return top;
}

export async function insertRule(tx: Tx, values: typeof routingRules.$inferInsert): Promise<RuleRow> {
  const [row] = await tx.insert(routingRules).values(values).returning();
  return row;
}

/** Sets the fields in `set` (none: only checks the rule exists); false when there is no rule `id`. */
export async function updateRule(ex: Executor, id: number, set: Partial<typeof routingRules.$inferInsert>): Promise<boolean> {
  const [r] =
    Object.keys(set).length > 0
      ? await ex.update(routingRules).set(set).where(eq(routingRules.id, id)).returning({ id: routingRules.id })
      : await ex.select({ id: routingRules.id }).from(routingRules).where(eq(routingRules.id, id));
  return Boolean(r);
}

/** False when there is no rule `id`. */
export async function deleteRule(ex: Executor, id: number): Promise<boolean> {
  return (await ex.delete(routingRules).where(eq(routingRules.id, id)).returning({ id: routingRules.id })).length > 0;
}

// ---------------------------------------------------------------- reference rows

/** 400 naming `path` when category `id` does not exist (null or undefined: nothing to check). */
export async function checkCategory(ex: Executor, id: number | null | undefined, path = 'categoryId'): Promise<void> {
  if (id == null) return;
  const [c] = await ex.select({ id: categories.id }).from(categories).where(eq(categories.id, id));
  if (!c) throw fieldError(path, `category ${id} does not exist`);
}

export async function localityExists(ex: Executor, id: number): Promise<boolean> {
  const [l] = await ex.select({ id: localities.id }).from(localities).where(eq(localities.id, id));
  return Boolean(l);
}
