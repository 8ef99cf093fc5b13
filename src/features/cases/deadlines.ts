import { asc, eq } from 'drizzle-orm';
import { readAll, type Executor } from '../../db/client.js';
import { caseExtensions, casePauses, cases } from '../../db/schema.js';
import type { WorkingCalendar } from '../../domain/calendar.js';
import {
  computeDeadlines,
  computeResolveDueAt,
  resolutionStart,
  type DeadlineInput,
  type DeadlineResult,
  type DurationUnit,
  type Extension,
  type Pause,
  type SlaPolicy,
} from '../../domain/sla.js';

export type CaseRow = typeof cases.$inferSelect;

/** The SLA policy frozen onto a case at receipt. */
export const frozenPolicy = (c: Pick<CaseRow, 'slaPolicy'>): SlaPolicy => c.slaPolicy as unknown as SlaPolicy;

/** What a case's resolution clock starts from, besides its policy, pauses and extensions. */
export type ClockRow = Pick<CaseRow, 'receivedAt' | 'firstAcceptedAt' | 'acceptDueAt'>;

/** The start of a case's clock: receipt, its first acceptance, and the acceptance deadline in force (for a provisional deadline). */
export const clockStart = (c: ClockRow): Pick<DeadlineInput, 'receivedAt' | 'acceptedAt' | 'acceptDueAt'> => ({
  receivedAt: c.receivedAt,
  acceptedAt: c.firstAcceptedAt,
  acceptDueAt: c.acceptDueAt,
});

/**
 * True while the case's resolution deadline is provisional: its frozen policy starts the clock at
 * acceptance (khiếu nại, tố cáo) and it has not been accepted yet; the stored deadline is then the
 * latest possible one (acceptance deadline + the period).
 */
export const isProvisional = (c: Pick<CaseRow, 'slaPolicy' | 'firstAcceptedAt'>): boolean =>
  resolutionStart(frozenPolicy(c)) === 'acceptance' && c.firstAcceptedAt == null;

/** A case's pauses (awaiting_business) and approved extensions, in order. */
export async function loadSlaInputs(ex: Executor, caseId: number): Promise<{ pauses: Pause[]; extensions: Extension[] }> {
  const [p, e] = await readAll(ex, [
    () => ex.select().from(casePauses).where(eq(casePauses.caseId, caseId)).orderBy(asc(casePauses.startedAt)),
    () => ex.select().from(caseExtensions).where(eq(caseExtensions.caseId, caseId)).orderBy(asc(caseExtensions.at)),
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
export async function recomputeResolveDueAt(ex: Executor, c: Pick<CaseRow, 'id' | 'slaPolicy'> & ClockRow, calendar: WorkingCalendar): Promise<Date> {
  const { pauses, extensions } = await loadSlaInputs(ex, c.id);
  return computeResolveDueAt(calendar, {
    policy: frozenPolicy(c),
    ...clockStart(c),
    pauses: pauses.filter((p) => p.end != null),
    extensions,
  });
}

/** The full explanation of a case's deadline (for GET /cases/{id}/sla and the tracking page). */
export async function explainCaseDeadline(
  ex: Executor,
  c: Pick<CaseRow, 'id' | 'slaPolicy'> & ClockRow,
  calendar: WorkingCalendar,
  now: Date,
): Promise<DeadlineResult> {
  const { pauses, extensions } = await loadSlaInputs(ex, c.id);
  return computeDeadlines(calendar, { policy: frozenPolicy(c), ...clockStart(c), pauses, extensions, now });
}
