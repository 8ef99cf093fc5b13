import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { caseExtensions, casePauses, cases } from '../../db/schema.js';
import type { WorkingCalendar } from '../../domain/calendar.js';
import { computeDeadlines, computeResolveDueAt, type DeadlineResult, type DurationUnit, type Extension, type Pause, type SlaPolicy } from '../../domain/sla.js';

export type CaseRow = typeof cases.$inferSelect;

/** The SLA policy frozen onto a case at receipt. */
export const frozenPolicy = (c: Pick<CaseRow, 'slaPolicy'>): SlaPolicy => c.slaPolicy as unknown as SlaPolicy;

/** A case's pauses (awaiting_business) and approved extensions, in order. */
export async function loadSlaInputs(ex: Executor, caseId: number): Promise<{ pauses: Pause[]; extensions: Extension[] }> {
  const [p, e] = await Promise.all([
    ex.select().from(casePauses).where(eq(casePauses.caseId, caseId)).orderBy(asc(casePauses.startedAt)),
    ex.select().from(caseExtensions).where(eq(caseExtensions.caseId, caseId)).orderBy(asc(caseExtensions.at)),
  ]);
  return {
    pauses: p.map((x) => ({ start: x.startedAt, end: x.endedAt })),
    extensions: e.map((x) => ({ amount: x.amount, unit: x.unit as DurationUnit, reason: x.reason, at: x.at })),
  };
}

/**
 * The resolve deadline of a case from its frozen policy, its receipt, its closed pauses and its
 * extensions. An open pause is left out: while a case waits for the business its clock stands
 * still, and the deadline moves when the pause ends.
 */
export async function recomputeResolveDueAt(ex: Executor, c: Pick<CaseRow, 'id' | 'slaPolicy' | 'receivedAt'>, calendar: WorkingCalendar): Promise<Date> {
  const { pauses, extensions } = await loadSlaInputs(ex, c.id);
  return computeResolveDueAt(calendar, {
    policy: frozenPolicy(c),
    receivedAt: c.receivedAt,
    pauses: pauses.filter((p) => p.end != null),
    extensions,
  });
}

/** The full explanation of a case's deadline (for GET /cases/{id}/sla and the tracking page). */
export async function explainCaseDeadline(
  ex: Executor,
  c: Pick<CaseRow, 'id' | 'slaPolicy' | 'receivedAt'>,
  calendar: WorkingCalendar,
  now: Date,
): Promise<DeadlineResult> {
  const { pauses, extensions } = await loadSlaInputs(ex, c.id);
  return computeDeadlines(calendar, { policy: frozenPolicy(c), receivedAt: c.receivedAt, pauses, extensions, now });
}
