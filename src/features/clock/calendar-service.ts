/**
 * Calendar years: the days off and make-up Saturdays of each year (the official table stored by
 * admin, or the generated Labour Code defaults), and, when a year's table changes, the deadlines
 * of the open cases it affects recomputed in the same transaction.
 */
import type { z } from 'zod';
import type { Db, Executor, Tx } from '../../db/client.js';
import type { DayEntry, YearTable } from '../../domain/calendar-types.js';
import { createWorkingCalendar, fromLocal, isWorkingDay, ordinalToDate, toLocalIso, weekdayOfOrdinal, type WorkingCalendar } from '../../domain/calendar.js';
import { generateYearTable } from '../../domain/holidays.js';
import { computeAcceptDueAt, computeResolveDueAt } from '../../domain/sla.js';
import type { Clock } from '../../lib/clock.js';
import { BadRequest, NotFound, type FieldError } from '../../lib/errors.js';
import type { Actor } from '../auth/service.js';
import { clockStart, frozenPolicy } from '../cases/deadlines.js';
import { appendEvents, type NewEvent } from '../timeline/repository.js';
import { deadlinesMovedVi } from './explain-vi.js';
import * as repo from './repository.js';
import type { calendarYearInput } from './schemas.js';
import type { ClockService } from './service.js';

/** Open cases read and recomputed per round trip during a calendar edit. */
const RECOMPUTE_BATCH = 500;

const byDate = (a: DayEntry, b: DayEntry) => a.date.localeCompare(b.date);

function yearStart(year: number): Date {
  return fromLocal(`${String(year).padStart(4, '0')}-01-01`);
}

/** 400 listing every date of the input that is outside the year, repeated, or (for a make-up day) not a Saturday or also a holiday. */
function checkYearInput(year: number, v: z.infer<typeof calendarYearInput>): void {
  const errors: FieldError[] = [];
  const holidayAt = new Map<string, number>();
  v.holidays.forEach((h, i) => {
    const path = `holidays.${i}.date`;
    if (Number(h.date.slice(0, 4)) !== year) errors.push({ path, message: `${h.date} is not in ${year}` });
    else if (holidayAt.has(h.date)) errors.push({ path, message: `${h.date} is listed twice (also holidays.${holidayAt.get(h.date)})` });
    else holidayAt.set(h.date, i);
  });
  const satAt = new Map<string, number>();
  v.workingSaturdays.forEach((w, i) => {
    const path = `workingSaturdays.${i}.date`;
    if (Number(w.date.slice(0, 4)) !== year) errors.push({ path, message: `${w.date} is not in ${year}` });
    else if (weekdayOfOrdinal(Date.parse(`${w.date}T00:00:00Z`) / 86_400_000) !== 6) errors.push({ path, message: `${w.date} is not a Saturday` });
    else if (holidayAt.has(w.date)) errors.push({ path, message: `${w.date} is also listed as a holiday (holidays.${holidayAt.get(w.date)})` });
    else if (satAt.has(w.date)) errors.push({ path, message: `${w.date} is listed twice (also workingSaturdays.${satAt.get(w.date)})` });
    else satAt.set(w.date, i);
  });
  if (errors.length > 0) throw new BadRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}

export function createCalendarService({ db, clock, clockService }: { db: Db; clock: Clock; clockService: Pick<ClockService, 'officeHours' | 'loadCalendar' | 'invalidate'> }) {
  const officeHours = clockService.officeHours;

  function viewYear(year: number, row: repo.CalendarYearRow | undefined) {
    const table: YearTable = row
      ? { year, holidays: row.holidays, workingSaturdays: row.workingSaturdays, generated: row.generated }
      : generateYearTable(year);
    const cal = createWorkingCalendar({ officeHours, years: [table], fallback: generateYearTable });
    let workingDays = 0;
    const first = Date.UTC(year, 0, 1) / 86_400_000;
    const last = Date.UTC(year + 1, 0, 1) / 86_400_000;
    for (let d = first; d < last; d++) if (isWorkingDay(cal, ordinalToDate(d))) workingDays++;
    return {
      year,
      generated: row ? row.generated : true,
      stored: Boolean(row),
      holidays: [...table.holidays].sort(byDate),
      workingSaturdays: [...table.workingSaturdays].sort(byDate),
      note: row?.note ?? (row ? null : 'Lịch mặc định theo Bộ luật Lao động (chưa có lịch chính thức cho năm này)'),
      updatedAt: row?.updatedAt ? toLocalIso(row.updatedAt) : null,
      updatedBy: row?.updatedBy ?? null,
      officeHours,
      workingDays,
    };
  }

  async function getYear(ex: Executor, year: number) {
    return viewYear(year, await repo.calendarYearRow(ex, year));
  }

  /**
   * After a calendar edit of `year`, in the edit's transaction: recomputes the deadlines of open
   * cases received before the end of that year, from their frozen policy, receipt, closed pauses
   * and extensions, exactly as the workflow computes them. A case whose stored deadline differs
   * from the result gets the new deadline, a new version and one timeline event (so an edit also
   * repairs a deadline computed from a stale cache on another instance). Resolved and closed cases
   * are not touched.
   */
  async function recomputeOpenCases(tx: Tx, year: number, after: WorkingCalendar, actor: Actor, now: Date, reset: boolean) {
    const end = yearStart(year + 1);
    const events: NewEvent[] = [];
    let checked = 0;
    let lastId = 0;
    for (;;) {
      const batch = await repo.openCasesReceivedBefore(tx, end, lastId, RECOMPUTE_BATCH);
      if (batch.length === 0) break;
      lastId = batch[batch.length - 1].id;
      checked += batch.length;
      const inputs = await repo.slaInputsOf(tx, batch.map((c) => c.id));
      const moves: Array<{ id: number; resolveDueAt: Date; acceptDueAt: Date | null }> = [];
      for (const c of batch) {
        const policy = frozenPolicy(c);
        const { pauses, extensions } = inputs.get(c.id)!;
        let acceptDueAt = c.acceptDueAt;
        if (c.status === 'assigned' && c.acceptDueAt) {
          const from = c.assignedAt && c.assignedAt > c.receivedAt ? c.assignedAt : c.receivedAt;
          const aNew = computeAcceptDueAt(after, policy, from);
          if (aNew.getTime() !== c.acceptDueAt.getTime()) acceptDueAt = aNew;
        }
        // after the accept deadline: a provisional resolution deadline counts from it
        const args = { policy, ...clockStart({ ...c, acceptDueAt }), pauses: pauses.filter((p) => p.end != null), extensions };
        const rNew = computeResolveDueAt(after, args);
        const resolveDueAt = rNew.getTime() !== c.resolveDueAt.getTime() ? rNew : c.resolveDueAt;
        const resolveMoved = resolveDueAt !== c.resolveDueAt;
        const acceptMoved = acceptDueAt !== c.acceptDueAt;
        if (!resolveMoved && !acceptMoved) continue;
        moves.push({ id: c.id, resolveDueAt, acceptDueAt });
        events.push({
          caseId: c.id,
          at: now,
          actorUserId: actor.userId,
          actorRole: 'admin',
          actorLabel: actor.name,
          action: 'deadline_recomputed',
          publicText: deadlinesMovedVi({
            year,
            reset,
            resolve: resolveMoved ? { from: c.resolveDueAt, to: resolveDueAt } : undefined,
            accept: acceptMoved ? { from: c.acceptDueAt!, to: acceptDueAt! } : undefined,
          }),
          data: {
            reason: reset ? 'calendar_reset' : 'calendar_edit',
            year,
            ...(resolveMoved ? { resolveDueAt: { from: c.resolveDueAt.toISOString(), to: resolveDueAt.toISOString() } } : {}),
            ...(acceptMoved ? { acceptDueAt: { from: c.acceptDueAt!.toISOString(), to: acceptDueAt!.toISOString() } } : {}),
          },
        });
      }
      await repo.moveDeadlines(tx, moves, now);
      if (batch.length < RECOMPUTE_BATCH) break;
    }
    await appendEvents(tx, events);
    return { openCasesChecked: checked, deadlinesMoved: events.length };
  }

  async function editYear(year: number, actor: Actor, write: (tx: Tx, now: Date) => Promise<boolean>, reset: boolean) {
    const now = clock.now();
    const recomputed = await db.transaction(async (tx) => {
      await repo.lockCalendarEdits(tx);
      if (!(await write(tx, now))) return null;
      const after = await clockService.loadCalendar(tx);
      return recomputeOpenCases(tx, year, after, actor, now, reset);
    });
    clockService.invalidate('calendar');
    if (!recomputed) throw new NotFound(`No calendar is stored for ${year}; it already uses the generated defaults`);
    return { ...(await getYear(db, year)), recomputed };
  }

  return {
    async listYears() {
      const rows = await repo.listCalendarYears(db);
      return {
        items: rows.map((r) => ({
          year: r.year,
          generated: r.generated,
          holidays: r.holidays.length,
          workingSaturdays: r.workingSaturdays.length,
          note: r.note,
          updatedAt: toLocalIso(r.updatedAt),
        })),
        officeHours,
      };
    },

    getYear: (year: number) => getYear(db, year),

    /** Stores the official table of a year and moves the deadlines of open cases it affects, in one transaction. */
    async putYear(year: number, v: z.infer<typeof calendarYearInput>, actor: Actor) {
      checkYearInput(year, v);
      const holidays = v.holidays.map((h) => ({ date: h.date, name: h.name })).sort(byDate);
      const workingSaturdays = v.workingSaturdays.map((h) => ({ date: h.date, name: h.name })).sort(byDate);
      return editYear(
        year,
        actor,
        async (tx, now) => {
          await repo.upsertCalendarYear(tx, year, { holidays, workingSaturdays, generated: false, note: v.note ?? null, updatedAt: now, updatedBy: actor.userId });
          return true;
        },
        false,
      );
    },

    /** Drops the stored table: the year goes back to the generated defaults (same recomputation). */
    async deleteYear(year: number, actor: Actor) {
      return editYear(year, actor, (tx) => repo.deleteCalendarYear(tx, year), true);
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
