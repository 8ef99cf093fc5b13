/**
 * Admin data of the legal clock (calendar years, SLA policy versions, routing rules) and the
 * read-only deadline views (a case's SLA, the public deadline calculator).
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, max, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Executor, Tx } from '../../db/client.js';
import { agencies, calendarYears, caseExtensions, casePauses, cases, categories, localities, routingRules, slaPolicies } from '../../db/schema.js';
import {
  createWorkingCalendar,
  dayInfo,
  fromLocal,
  isWorkingDay,
  localDayOrdinal,
  makeUpWorkingDays,
  ordinalToDate,
  skippedDays,
  toLocalIso,
  weekdayOfOrdinal,
  type WorkingCalendar,
} from '../../domain/calendar.js';
import type { DayEntry, YearTable } from '../../domain/calendar-types.js';
import { generateYearTable } from '../../domain/holidays.js';
import { OPEN_STATUSES } from '../../domain/lifecycle.js';
import { route } from '../../domain/routing.js';
import {
  computeAcceptDueAt,
  computeDeadlines,
  computeResolveDueAt,
  DEFAULT_SLA_POLICIES,
  describeDuration,
  findPolicy,
  formatDayVi,
  formatInstantVi,
  formatWorkingMsVi,
  pauseRuleOf,
  openState,
  resolutionStart,
  resolutionStartVi,
  type CaseKind,
  type DeadlineResult,
  type Duration,
  type DurationUnit,
  type Extension,
  type Pause,
  type Priority,
  type SlaExplanationStep,
  type SlaPolicy,
} from '../../domain/sla.js';
import type { Clock } from '../../lib/clock.js';
import { BadRequest, Conflict, fieldError, NotFound, ServiceUnavailable, type FieldError } from '../../lib/errors.js';
import { isAgencyRole, type Actor } from '../auth/service.js';
import { clockStart, explainCaseDeadline, frozenPolicy, isProvisional } from '../cases/deadlines.js';
import { appendEvents, type NewEvent } from '../timeline/repository.js';
import {
  KIND_LABEL_VI,
  MAX_EDIT_YEAR,
  MIN_EDIT_YEAR,
  PRIORITY_LABEL_VI,
  type calendarYearInput,
  type publicDeadlineQuery,
  type routingRuleInput,
  type routingRulePatch,
  type routingTestInput,
  type slaPolicyInput,
  type slaPolicyQuery,
} from './schemas.js';
import type { ClockService } from './service.js';

/** Serialises calendar edits (and their recomputation) across instances. */
const CALENDAR_LOCK_KEY = 4_172_026_021;
/** Serialises SLA policy versioning across instances. */
const POLICY_LOCK_KEY = 4_172_026_022;
/** Open cases read and recomputed per round trip during a calendar edit. */
const RECOMPUTE_BATCH = 500;

type CaseRow = typeof cases.$inferSelect;
type PolicyRow = typeof slaPolicies.$inferSelect;
type RuleRow = typeof routingRules.$inferSelect;

const iso = (d: Date) => toLocalIso(d);
const isoOrNull = (d: Date | null | undefined) => (d ? toLocalIso(d) : null);
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const RESOLVED_STATES = ['resolved', 'closed'];

// ---------------------------------------------------------------- texts

/** "Tiếp nhận trong 8 giờ làm việc; giải quyết trong 10 ngày làm việc; …" */
export function describePolicyVi(p: SlaPolicy): string {
  const parts = [
    `Tiếp nhận trong ${describeDuration(p.acceptWithin)}`,
    `giải quyết trong ${describeDuration(p.resolveWithin)}${resolutionStart(p) === 'acceptance' ? ' kể từ ngày thụ lý' : ''}`,
    extensionRuleVi(p),
    `cảnh báo trước hạn ${describeDuration(p.warnBefore)}`,
    `báo cáo lãnh đạo tỉnh khi quá hạn ${describeDuration(p.overdueEscalateAfter)}`,
    `đóng vụ việc khi doanh nghiệp không bổ sung thông tin sau ${describeDuration(p.awaitingBusinessLimit)}`,
    pauseRuleVi(p),
  ];
  return `${parts.join('; ')}.`;
}

function pauseRuleVi(p: SlaPolicy): string {
  if (pauseRuleOf(p) === 'working_time') return 'thời gian tạm dừng chờ doanh nghiệp được cộng vào hạn theo giờ làm việc';
  switch (p.resolveWithin.unit) {
    case 'working_days':
      return 'khi tạm dừng chờ doanh nghiệp, hạn lùi thêm số ngày làm việc đã kết thúc trong thời gian tạm dừng';
    case 'calendar_days':
      return 'khi tạm dừng chờ doanh nghiệp, hạn lùi thêm số ngày đã kết thúc trong thời gian tạm dừng';
    default:
      return 'khi tạm dừng chờ doanh nghiệp, hạn lùi thêm thời gian làm việc đã tạm dừng (tính đến phút)';
  }
}

function extensionRuleVi(p: SlaPolicy): string {
  const e = p.extension;
  if (!e || e.maxCount <= 0) return 'không được gia hạn';
  return `được gia hạn tối đa ${e.maxCount} lần, mỗi lần không quá ${describeDuration({ amount: e.maxAmount, unit: e.unit })}`;
}

function shortDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** Holidays grouped into runs of consecutive days: "14/02/2026–22/02/2026 (Nghỉ Tết Nguyên đán Bính Ngọ)". */
function holidayRunsVi(days: Array<{ date: string; name?: string }>): string[] {
  const runs: Array<{ from: string; to: string; last: number; names: string[] }> = [];
  for (const d of days) {
    const ord = Date.parse(`${d.date}T00:00:00Z`) / 86_400_000;
    const run = runs[runs.length - 1];
    if (run && run.last === ord - 1) {
      run.to = d.date;
      run.last = ord;
      if (d.name && !run.names.includes(d.name)) run.names.push(d.name);
    } else runs.push({ from: d.date, to: d.date, last: ord, names: d.name ? [d.name] : [] });
  }
  return runs.map((r) => {
    const when = r.from === r.to ? shortDate(r.from) : `${shortDate(r.from)}–${shortDate(r.to)}`;
    return r.names.length ? `${when} (${r.names.join('; ')})` : when;
  });
}

/** Sentences about the days skipped (and make-up days counted) in [fromDay, toDay]. */
function skippedVi(cal: WorkingCalendar, fromDay: number, toDay: number): string {
  if (toDay < fromDay) return '';
  const from = ordinalToDate(fromDay);
  const to = ordinalToDate(toDay);
  const skipped = skippedDays(cal, from, to);
  const weekends = skipped.filter((d) => d.reason === 'weekend').length;
  const holidays = skipped.filter((d) => d.reason === 'holiday');
  const makeUp = makeUpWorkingDays(cal, from, to);
  const out: string[] = [];
  const parts: string[] = [];
  if (weekends > 0) parts.push(`${weekends} ngày nghỉ hằng tuần (thứ Bảy, Chủ nhật)`);
  if (holidays.length > 0) parts.push(`${holidays.length} ngày nghỉ lễ, Tết: ${holidayRunsVi(holidays).join(', ')}`);
  if (parts.length > 0) out.push(`Không tính ${parts.join(' và ')}.`);
  if (makeUp.length > 0) out.push(`Có tính ngày làm bù ${makeUp.map((d) => shortDate(d.date)).join(', ')}.`);
  return out.join(' ');
}

function countingRuleVi(rw: Duration, close: string, from: 'tiếp nhận' | 'thụ lý' = 'tiếp nhận'): string {
  switch (rw.unit) {
    case 'working_days':
      return `tính từ ngày làm việc sau ngày ${from}, kết thúc lúc hết giờ làm việc (${close}) của ngày làm việc thứ ${rw.amount}`;
    case 'calendar_days':
      return `tính từ ngày sau ngày ${from}, kết thúc lúc hết giờ làm việc (${close}) của ngày thứ ${rw.amount}; nếu ngày đó là ngày nghỉ thì chuyển sang ngày làm việc tiếp theo`;
    default:
      return `tính theo giờ làm việc kể từ lúc ${from}`;
  }
}

/** One paragraph a person can follow: start, rule, days skipped, pauses, extensions, result. */
function summaryVi(opts: {
  subject: string;
  policy: SlaPolicy;
  calendar: WorkingCalendar;
  result: DeadlineResult;
  acceptText: string;
  pauses?: boolean;
  extensions?: Extension[];
  resultText: string;
  generatedYears: number[];
  tail?: string;
}): string {
  const { policy, result } = opts;
  const s: string[] = [];
  const moved = result.effectiveStart.getTime() !== result.receivedAt.getTime();
  s.push(
    `${opts.subject} tiếp nhận lúc ${formatInstantVi(result.receivedAt)}` +
      (moved ? `, ngoài giờ làm việc nên được tính là tiếp nhận lúc ${formatInstantVi(result.effectiveStart)}` : '') +
      '.',
  );
  const rw = policy.resolveWithin;
  const close = opts.calendar.officeHours[opts.calendar.officeHours.length - 1].end;
  const fromAcceptance = result.resolutionStartsAt === 'acceptance';
  s.push(`Thời hạn giải quyết là ${describeDuration(rw)} (chính sách phiên bản ${policy.version}), ${countingRuleVi(rw, close, fromAcceptance ? 'thụ lý' : 'tiếp nhận')}.`);
  if (fromAcceptance) {
    s.push(resolutionStartVi(policy));
    s.push(
      result.provisional
        ? `Chưa thụ lý: hạn tiếp nhận là ${formatInstantVi(result.resolveStart)}, nên hạn giải quyết tạm tính muộn nhất (nếu thụ lý vào ngày cuối của hạn tiếp nhận) được tính từ ngày sau ${formatDayVi(localDayOrdinal(result.resolveStart))}; hạn chính thức được tính khi thụ lý.`
        : `Ngày thụ lý: ${formatDayVi(localDayOrdinal(result.resolveStart))}.`,
    );
  }
  if (rw.unit === 'calendar_days') {
    const nominal = localDayOrdinal(result.resolveStart) + rw.amount;
    const baseDay = localDayOrdinal(result.baseResolveDueAt);
    if (nominal !== baseDay) {
      const info = dayInfo(opts.calendar, ordinalToDate(nominal));
      const why = info.reason === 'holiday' ? `ngày nghỉ lễ (${info.name ?? 'ngày nghỉ'})` : 'ngày nghỉ hằng tuần';
      s.push(`Ngày thứ ${rw.amount} là ${formatDayVi(nominal)}, ${why}, nên hạn chuyển sang ngày làm việc tiếp theo.`);
    }
  }
  const skipped =
    rw.unit === 'calendar_days' ? '' : skippedVi(opts.calendar, localDayOrdinal(result.resolveStart) + 1, localDayOrdinal(result.baseResolveDueAt));
  if (skipped) s.push(skipped);
  if (result.resolveDueAt.getTime() !== result.baseResolveDueAt.getTime()) {
    s.push(`Theo thời hạn quy định, hạn là ${formatInstantVi(result.baseResolveDueAt)}.`);
  }
  if (opts.pauses && pauseRuleOf(opts.policy) === 'by_unit' && rw.unit !== 'working_hours') {
    if (result.pauseCredit.amount > 0) {
      s.push(`Thời gian chờ doanh nghiệp bổ sung thông tin làm hạn lùi thêm ${describeDuration(result.pauseCredit)} (số ngày đã kết thúc trong thời gian tạm dừng).`);
    }
  } else if (opts.pauses && result.pausedWorkingMs > 0) {
    s.push(`Thời gian chờ doanh nghiệp bổ sung thông tin (${formatWorkingMsVi(result.pausedWorkingMs)}) không tính vào thời hạn.`);
  }
  const exts = opts.extensions ?? [];
  if (exts.length > 0) {
    s.push(
      `Đã gia hạn ${exts.length} lần: ${exts.map((e) => `${describeDuration(e)} (lý do: ${e.reason || 'không ghi'})`).join(', ')}.`,
    );
  }
  s.push(opts.resultText);
  s.push(opts.acceptText);
  s.push(`${capitalize(extensionRuleVi(policy))}.`);
  if (opts.generatedYears.length > 0) {
    s.push(
      `Lịch nghỉ năm ${opts.generatedYears.join(', ')} chưa được cập nhật theo thông báo chính thức của Chính phủ; ` +
        'hạn đang tính theo các ngày nghỉ lễ của Bộ luật Lao động và có thể thay đổi khi lịch chính thức được nhập.',
    );
  }
  if (opts.tail) s.push(opts.tail);
  return s.join(' ');
}

function generatedYearsBetween(cal: WorkingCalendar, from: Date, to: Date): { years: Array<{ year: number; generated: boolean }>; generated: number[] } {
  const y0 = Number(ordinalToDate(localDayOrdinal(from)).slice(0, 4));
  const y1 = Number(ordinalToDate(localDayOrdinal(to)).slice(0, 4));
  const years: Array<{ year: number; generated: boolean }> = [];
  for (let y = y0; y <= Math.max(y0, y1); y++) years.push({ year: y, generated: dayInfo(cal, `${y}-01-01`).generated });
  return { years, generated: years.filter((y) => y.generated).map((y) => y.year) };
}

// ---------------------------------------------------------------- the service

export function createClockAdminService({ db, clock, clockService }: { db: Db; clock: Clock; clockService: ClockService }) {
  const officeHours = clockService.officeHours;

  // ------------------------------------------------------------ calendar

  function yearStart(year: number): Date {
    return fromLocal(`${String(year).padStart(4, '0')}-01-01`);
  }

  function viewYear(year: number, row: typeof calendarYears.$inferSelect | undefined) {
    const table: YearTable = row
      ? { year, holidays: row.holidays, workingSaturdays: row.workingSaturdays, generated: row.generated }
      : generateYearTable(year);
    const cal = createWorkingCalendar({ officeHours, years: [table], fallback: generateYearTable });
    let workingDays = 0;
    const first = Date.UTC(year, 0, 1) / 86_400_000;
    const last = Date.UTC(year + 1, 0, 1) / 86_400_000;
    for (let d = first; d < last; d++) if (isWorkingDay(cal, ordinalToDate(d))) workingDays++;
    const byDate = (a: DayEntry, b: DayEntry) => a.date.localeCompare(b.date);
    return {
      year,
      generated: row ? row.generated : true,
      stored: Boolean(row),
      holidays: [...table.holidays].sort(byDate),
      workingSaturdays: [...table.workingSaturdays].sort(byDate),
      note: row?.note ?? (row ? null : 'Lịch mặc định theo Bộ luật Lao động (chưa có lịch chính thức cho năm này)'),
      updatedAt: isoOrNull(row?.updatedAt),
      updatedBy: row?.updatedBy ?? null,
      officeHours,
      workingDays,
    };
  }

  async function getYear(ex: Executor, year: number) {
    const [row] = await ex.select().from(calendarYears).where(eq(calendarYears.year, year));
    return viewYear(year, row);
  }

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

  /** Pauses and extensions of many cases at once. */
  async function slaInputsOf(tx: Tx, ids: number[]): Promise<Map<number, { pauses: Pause[]; extensions: Extension[] }>> {
    const out = new Map<number, { pauses: Pause[]; extensions: Extension[] }>();
    for (const id of ids) out.set(id, { pauses: [], extensions: [] });
    if (ids.length === 0) return out;
    const [p, e] = await Promise.all([
      tx.select().from(casePauses).where(inArray(casePauses.caseId, ids)).orderBy(asc(casePauses.startedAt)),
      tx.select().from(caseExtensions).where(inArray(caseExtensions.caseId, ids)).orderBy(asc(caseExtensions.at)),
    ]);
    for (const x of p) out.get(x.caseId)!.pauses.push({ start: x.startedAt, end: x.endedAt });
    for (const x of e) out.get(x.caseId)!.extensions.push({ amount: x.amount, unit: x.unit as DurationUnit, reason: x.reason, at: x.at });
    return out;
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
      const batch = await tx
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
        .where(and(inArray(cases.status, [...OPEN_STATUSES]), lt(cases.receivedAt, end), gt(cases.id, lastId)))
        .orderBy(asc(cases.id))
        .limit(RECOMPUTE_BATCH)
        .for('update');
      if (batch.length === 0) break;
      lastId = batch[batch.length - 1].id;
      checked += batch.length;
      const inputs = await slaInputsOf(tx, batch.map((c) => c.id));
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
        const why = reset
          ? `do lịch làm việc năm ${year} thay đổi (trở về lịch nghỉ mặc định theo Bộ luật Lao động)`
          : `do lịch làm việc năm ${year} thay đổi`;
        const texts: string[] = [];
        if (resolveMoved) texts.push(`Hạn giải quyết được điều chỉnh từ ${formatInstantVi(c.resolveDueAt)} thành ${formatInstantVi(resolveDueAt)} ${why}.`);
        if (acceptMoved) texts.push(`Hạn tiếp nhận của cơ quan xử lý được điều chỉnh từ ${formatInstantVi(c.acceptDueAt!)} thành ${formatInstantVi(acceptDueAt!)} ${why}.`);
        events.push({
          caseId: c.id,
          at: now,
          actorUserId: actor.userId,
          actorRole: 'admin',
          actorLabel: actor.name,
          action: 'deadline_recomputed',
          publicText: texts.join(' '),
          data: {
            reason: reset ? 'calendar_reset' : 'calendar_edit',
            year,
            ...(resolveMoved ? { resolveDueAt: { from: c.resolveDueAt.toISOString(), to: resolveDueAt.toISOString() } } : {}),
            ...(acceptMoved ? { acceptDueAt: { from: c.acceptDueAt!.toISOString(), to: acceptDueAt!.toISOString() } } : {}),
          },
        });
      }
      if (moves.length > 0) {
        const values = sql.join(
          moves.map((m) => sql`(${m.id}::bigint, ${m.resolveDueAt.toISOString()}::timestamptz, ${m.acceptDueAt ? m.acceptDueAt.toISOString() : null}::timestamptz)`),
          sql`, `,
        );
        await tx.execute(sql`update cases c set resolve_due_at = v.r, accept_due_at = v.a, version = c.version + 1, updated_at = ${now.toISOString()}::timestamptz
          from (values ${values}) as v(id, r, a) where c.id = v.id`);
      }
      if (batch.length < RECOMPUTE_BATCH) break;
    }
    await appendEvents(tx, events);
    return { openCasesChecked: checked, deadlinesMoved: events.length };
  }

  async function editYear(year: number, actor: Actor, write: (tx: Tx, now: Date) => Promise<boolean>, reset: boolean) {
    const now = clock.now();
    const recomputed = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CALENDAR_LOCK_KEY})`);
      if (!(await write(tx, now))) return null;
      const after = await clockService.loadCalendar(tx);
      return recomputeOpenCases(tx, year, after, actor, now, reset);
    });
    clockService.invalidate('calendar');
    if (!recomputed) throw new NotFound(`No calendar is stored for ${year}; it already uses the generated defaults`);
    return { ...(await getYear(db, year)), recomputed };
  }

  // ------------------------------------------------------------ SLA policies

  function policyView(r: PolicyRow) {
    const p = r.policy as unknown as SlaPolicy;
    const full: SlaPolicy = { ...p, kind: r.kind as CaseKind, priority: r.priority as Priority, categoryId: r.categoryId, version: r.version };
    return {
      id: r.id,
      kind: full.kind,
      priority: full.priority,
      categoryId: r.categoryId,
      version: r.version,
      active: r.supersededAt == null,
      acceptWithin: full.acceptWithin,
      resolveWithin: full.resolveWithin,
      warnBefore: full.warnBefore,
      extension: full.extension,
      overdueEscalateAfter: full.overdueEscalateAfter,
      awaitingBusinessLimit: full.awaitingBusinessLimit,
      resolutionStartsAt: resolutionStart(full),
      pauseRule: pauseRuleOf(full),
      effectiveFrom: iso(r.effectiveFrom),
      supersededAt: isoOrNull(r.supersededAt),
      createdBy: r.createdBy,
      description: describePolicyVi(full),
    };
  }

  const keyOf = (kind: string, priority: string, categoryId: number | null | undefined) =>
    and(eq(slaPolicies.kind, kind), eq(slaPolicies.priority, priority), categoryId == null ? isNull(slaPolicies.categoryId) : eq(slaPolicies.categoryId, categoryId));

  async function checkCategory(ex: Executor, id: number | null | undefined, path = 'categoryId') {
    if (id == null) return;
    const [c] = await ex.select({ id: categories.id }).from(categories).where(eq(categories.id, id));
    if (!c) throw fieldError(path, `category ${id} does not exist`);
  }

  // ------------------------------------------------------------ routing rules

  async function ruleViews(ex: Executor, where?: ReturnType<typeof eq>) {
    const rows = await ex
      .select({ rule: routingRules, agencyName: agencies.name })
      .from(routingRules)
      .leftJoin(agencies, eq(agencies.id, routingRules.agencyId))
      .where(where)
      .orderBy(asc(routingRules.position), asc(routingRules.id));
    return rows.map(({ rule, agencyName }) => ruleView(rule, agencyName));
  }

  function ruleView(r: RuleRow, agencyName: string | null) {
    return {
      id: r.id,
      position: r.position,
      kind: r.kind,
      categoryId: r.categoryId,
      localityId: r.localityId,
      agencyId: r.agencyId,
      agencyName,
      active: r.active,
      note: r.note,
      createdAt: iso(r.createdAt),
    };
  }

  async function checkRuleRefs(ex: Executor, v: { categoryId?: number | null; localityId?: number | null; agencyId?: number }) {
    await checkCategory(ex, v.categoryId);
    if (v.localityId != null) {
      const [l] = await ex.select({ id: localities.id }).from(localities).where(eq(localities.id, v.localityId));
      if (!l) throw fieldError('localityId', `locality ${v.localityId} does not exist`);
    }
    if (v.agencyId != null) {
      const [a] = await ex.select({ id: agencies.id, activeTo: agencies.activeTo }).from(agencies).where(eq(agencies.id, v.agencyId));
      if (!a) throw fieldError('agencyId', `agency ${v.agencyId} does not exist`);
      const today = ordinalToDate(localDayOrdinal(clock.now()));
      if (a.activeTo && a.activeTo < today) throw fieldError('agencyId', `agency ${v.agencyId} was closed on ${a.activeTo}`);
    }
  }

  // ------------------------------------------------------------ the API

  return {
    // ---- calendar
    async listYears() {
      const rows = await db.select().from(calendarYears).orderBy(asc(calendarYears.year));
      return {
        items: rows.map((r) => ({
          year: r.year,
          generated: r.generated,
          holidays: r.holidays.length,
          workingSaturdays: r.workingSaturdays.length,
          note: r.note,
          updatedAt: iso(r.updatedAt),
        })),
        officeHours,
      };
    },

    getYear: (year: number) => getYear(db, year),

    /** Stores the official table of a year and moves the deadlines of open cases it affects, in one transaction. */
    async putYear(year: number, v: z.infer<typeof calendarYearInput>, actor: Actor) {
      checkYearInput(year, v);
      const byDate = (a: DayEntry, b: DayEntry) => a.date.localeCompare(b.date);
      const holidays = v.holidays.map((h) => ({ date: h.date, name: h.name })).sort(byDate);
      const workingSaturdays = v.workingSaturdays.map((h) => ({ date: h.date, name: h.name })).sort(byDate);
      return editYear(
        year,
        actor,
        async (tx, now) => {
          const row = { holidays, workingSaturdays, generated: false, note: v.note ?? null, updatedAt: now, updatedBy: actor.userId };
          await tx.insert(calendarYears).values({ year, ...row }).onConflictDoUpdate({ target: calendarYears.year, set: row });
          return true;
        },
        false,
      );
    },

    /** Drops the stored table: the year goes back to the generated defaults (same recomputation). */
    async deleteYear(year: number, actor: Actor) {
      return editYear(
        year,
        actor,
        async (tx) => (await tx.delete(calendarYears).where(eq(calendarYears.year, year)).returning({ year: calendarYears.year })).length > 0,
        true,
      );
    },

    // ---- SLA policies
    async listPolicies(q: z.infer<typeof slaPolicyQuery>) {
      const all = q.all === 'true' || q.all === '1';
      const rows = await db
        .select()
        .from(slaPolicies)
        .where(
          and(
            all ? undefined : isNull(slaPolicies.supersededAt),
            q.kind ? eq(slaPolicies.kind, q.kind) : undefined,
            q.priority ? eq(slaPolicies.priority, q.priority) : undefined,
            q.categoryId ? eq(slaPolicies.categoryId, q.categoryId) : undefined,
          ),
        )
        .orderBy(asc(slaPolicies.kind), asc(slaPolicies.priority), sql`${slaPolicies.categoryId} asc nulls first`, desc(slaPolicies.version));
      return { items: rows.map(policyView) };
    },

    /**
     * Publishes a new version for (kind, priority, categoryId): fields not given are taken from the
     * version in force (or, for a new category-specific policy, from the kind × priority policy).
     * The previous version is superseded in the same transaction; cases keep the policy frozen on them.
     */
    async createPolicyVersion(v: z.infer<typeof slaPolicyInput>, actor: Actor) {
      const categoryId = v.categoryId ?? null;
      await checkCategory(db, categoryId);
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${POLICY_LOCK_KEY})`);
        const [current] = await tx.select().from(slaPolicies).where(and(keyOf(v.kind, v.priority, categoryId), isNull(slaPolicies.supersededAt))).orderBy(desc(slaPolicies.version)).limit(1);
        let base: SlaPolicy | undefined = current ? (current.policy as unknown as SlaPolicy) : undefined;
        if (!base && categoryId != null) {
          const [generic] = await tx.select().from(slaPolicies).where(and(keyOf(v.kind, v.priority, null), isNull(slaPolicies.supersededAt))).orderBy(desc(slaPolicies.version)).limit(1);
          base = generic ? (generic.policy as unknown as SlaPolicy) : undefined;
        }
        base ??= findPolicy(DEFAULT_SLA_POLICIES, v.kind, v.priority, null)!;
        const [{ top }] = await tx.select({ top: max(slaPolicies.version) }).from(slaPolicies).where(keyOf(v.kind, v.priority, categoryId));
        const policy: SlaPolicy = {
          kind: v.kind,
          priority: v.priority,
          categoryId,
          version: (top ?? 0) + 1,
          acceptWithin: v.acceptWithin ?? base.acceptWithin,
          resolveWithin: v.resolveWithin ?? base.resolveWithin,
          warnBefore: v.warnBefore ?? base.warnBefore,
          extension: v.extension ?? base.extension,
          overdueEscalateAfter: v.overdueEscalateAfter ?? base.overdueEscalateAfter,
          awaitingBusinessLimit: v.awaitingBusinessLimit ?? base.awaitingBusinessLimit,
          resolutionStartsAt: v.resolutionStartsAt ?? resolutionStart(base),
          pauseRule: v.pauseRule ?? pauseRuleOf(base),
        };
        if (current) {
          const fields = ['acceptWithin', 'resolveWithin', 'warnBefore', 'extension', 'overdueEscalateAfter', 'awaitingBusinessLimit'] as const;
          const was = current.policy as unknown as SlaPolicy;
          const same =
            fields.every((f) => JSON.stringify(policy[f]) === JSON.stringify(was[f])) &&
            policy.resolutionStartsAt === resolutionStart(was) &&
            policy.pauseRule === pauseRuleOf(was);
          if (same) throw new BadRequest(`Nothing to change: the new version would equal version ${current.version}`, [{ path: '(body)', message: `equals version ${current.version} in force` }]);
          await tx.update(slaPolicies).set({ supersededAt: now }).where(and(keyOf(v.kind, v.priority, categoryId), isNull(slaPolicies.supersededAt)));
        }
        const [inserted] = await tx
          .insert(slaPolicies)
          .values({
            kind: v.kind,
            priority: v.priority,
            categoryId,
            version: policy.version,
            policy: policy as unknown as Record<string, unknown>,
            effectiveFrom: now,
            createdBy: actor.userId,
            createdAt: now,
          })
          .returning();
        return inserted;
      });
      clockService.invalidate('policies');
      return policyView(row);
    },

    /** Retires a category-specific policy (its cases then fall back to the kind × priority policy). */
    async retirePolicy(id: number) {
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${POLICY_LOCK_KEY})`);
        const [p] = await tx.select().from(slaPolicies).where(eq(slaPolicies.id, id));
        if (!p) throw new NotFound(`SLA policy ${id} does not exist`);
        if (p.supersededAt) throw new Conflict(`SLA policy ${id} (version ${p.version}) is no longer in force`);
        if (p.categoryId == null) {
          throw new Conflict(`The policy for ${p.kind} × ${p.priority} cannot be removed; publish a new version instead`);
        }
        const [u] = await tx.update(slaPolicies).set({ supersededAt: now }).where(eq(slaPolicies.id, id)).returning();
        return u;
      });
      clockService.invalidate('policies');
      return policyView(row);
    },

    // ---- routing rules
    listRules: () => ruleViews(db),

    async createRule(v: z.infer<typeof routingRuleInput>) {
      await checkRuleRefs(db, v);
      const row = await db.transaction(async (tx) => {
        let position = v.position;
        if (position === undefined) {
          const [{ top }] = await tx.select({ top: max(routingRules.position) }).from(routingRules);
          position = (top ?? 0) + 10;
        }
        const [r] = await tx
          .insert(routingRules)
          .values({
            position,
            kind: v.kind ?? null,
            categoryId: v.categoryId ?? null,
            localityId: v.localityId ?? null,
            agencyId: v.agencyId,
            active: v.active,
            note: v.note ?? null,
            createdAt: clock.now(),
          })
          .returning();
        return r;
      });
      clockService.invalidate('rules');
      return (await ruleViews(db, eq(routingRules.id, row.id)))[0];
    },

    /** Changes a rule; cases already placed keep their agency (a rule only routes new cases). */
    async updateRule(id: number, v: z.infer<typeof routingRulePatch>) {
      await checkRuleRefs(db, v);
      const set: Partial<typeof routingRules.$inferInsert> = {};
      for (const k of ['position', 'kind', 'categoryId', 'localityId', 'agencyId', 'active', 'note'] as const) {
        if (v[k] !== undefined) (set as Record<string, unknown>)[k] = v[k];
      }
      const [r] =
        Object.keys(set).length > 0
          ? await db.update(routingRules).set(set).where(eq(routingRules.id, id)).returning({ id: routingRules.id })
          : await db.select({ id: routingRules.id }).from(routingRules).where(eq(routingRules.id, id));
      if (!r) throw new NotFound(`Routing rule ${id} does not exist`);
      clockService.invalidate('rules');
      return (await ruleViews(db, eq(routingRules.id, id)))[0];
    },

    async deleteRule(id: number) {
      const r = await db.delete(routingRules).where(eq(routingRules.id, id)).returning({ id: routingRules.id });
      if (r.length === 0) throw new NotFound(`Routing rule ${id} does not exist`);
      clockService.invalidate('rules');
    },

    /** Which rule and agency a new case with these fields would get (read fresh, not from the cache). */
    async testRule(v: z.infer<typeof routingTestInput>) {
      await checkRuleRefs(db, { categoryId: v.categoryId, localityId: v.localityId });
      const rules = await clockService.loadRules(db);
      const hit = route(rules, { kind: v.kind, categoryId: v.categoryId ?? null, localityId: v.localityId ?? null });
      if (!hit) {
        return {
          routed: false,
          rule: null,
          agency: null,
          text: 'Không có quy tắc nào khớp: vụ việc sẽ chờ Tổ điều phối phân loại trong hàng đợi tiếp nhận.',
        };
      }
      const [rule] = await ruleViews(db, eq(routingRules.id, hit.ruleId));
      return {
        routed: true,
        rule,
        agency: { id: hit.agencyId, name: rule.agencyName ?? `#${hit.agencyId}` },
        text: `Vụ việc sẽ được chuyển tự động đến ${rule.agencyName ?? `cơ quan #${hit.agencyId}`} theo quy tắc #${rule.id} (thứ tự ${rule.position}).`,
      };
    },

    // ---- deadlines
    /** A case's deadline explained; agency roles see only their own agency's cases (else 404). */
    async caseSla(id: number, actor: Actor) {
      const [c] = await db.select().from(cases).where(eq(cases.id, id));
      if (!c || (isAgencyRole(actor.role) && c.agencyId !== actor.agencyId)) throw new NotFound(`Case ${id} does not exist`);
      const now = clock.now();
      const calendar = await clockService.calendar();
      const [result, pauses, extensions] = await Promise.all([
        explainCaseDeadline(db, c, calendar, now),
        db.select().from(casePauses).where(eq(casePauses.caseId, id)).orderBy(asc(casePauses.startedAt)),
        db.select().from(caseExtensions).where(eq(caseExtensions.caseId, id)).orderBy(asc(caseExtensions.at)),
      ]);
      return caseSlaView(c, result, pauses, extensions, calendar, now);
    },

    /** Deadlines of a hypothetical case received at `receivedAt`, under today's policies and calendar. */
    async publicDeadline(q: z.infer<typeof publicDeadlineQuery>) {
      const now = clock.now();
      let receivedAt = now;
      if (q.receivedAt) {
        const withOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(q.receivedAt) ? q.receivedAt : `${q.receivedAt}+07:00`;
        receivedAt = new Date(withOffset);
        if (Number.isNaN(receivedAt.getTime())) throw fieldError('receivedAt', 'is not a date and time');
      }
      const y = Number(ordinalToDate(localDayOrdinal(receivedAt)).slice(0, 4));
      if (y < MIN_EDIT_YEAR || y > MAX_EDIT_YEAR - 1) throw fieldError('receivedAt', `must be between ${MIN_EDIT_YEAR} and ${MAX_EDIT_YEAR - 1}`);
      const categoryId = q.categoryId ?? null;
      await checkCategory(db, categoryId);
      const [calendar, policies] = await Promise.all([clockService.calendar(), clockService.policies()]);
      const policy = findPolicy(policies, q.kind, q.priority, categoryId);
      if (!policy) throw new ServiceUnavailable(`No SLA policy is in force for ${q.kind} × ${q.priority}`);
      let acceptedAt: Date | null = null;
      if (q.acceptedAt) {
        acceptedAt = new Date(q.acceptedAt);
        if (Number.isNaN(acceptedAt.getTime())) throw fieldError('acceptedAt', 'is not a date and time');
        if (acceptedAt < receivedAt) throw fieldError('acceptedAt', `must not be before receivedAt (${iso(receivedAt)})`);
        const ay = Number(ordinalToDate(localDayOrdinal(acceptedAt)).slice(0, 4));
        if (ay > MAX_EDIT_YEAR - 1) throw fieldError('acceptedAt', `must be before ${MAX_EDIT_YEAR}`);
      }
      // acceptedAt matters only where the resolution clock starts at acceptance
      const fromAcceptance = resolutionStart(policy) === 'acceptance';
      const result = computeDeadlines(calendar, { policy, receivedAt, acceptedAt: fromAcceptance ? acceptedAt : null });
      const { years, generated } = generatedYearsBetween(calendar, receivedAt, result.resolveDueAt);
      const subject = `${capitalize(KIND_LABEL_VI[q.kind])} (mức độ ${PRIORITY_LABEL_VI[q.priority]})`;
      const text = summaryVi({
        subject,
        policy,
        calendar,
        result,
        resultText: result.provisional
          ? `Hạn giải quyết tạm tính (muộn nhất, chưa thụ lý): ${formatInstantVi(result.resolveDueAt)}.`
          : `Hạn giải quyết: ${formatInstantVi(result.resolveDueAt)}.`,
        acceptText: fromAcceptance
          ? `Cơ quan có thẩm quyền phải thụ lý trong ${describeDuration(policy.acceptWithin)} kể từ ngày nhận, tức trước ${formatInstantVi(result.acceptDueAt)}${acceptedAt && acceptedAt > result.acceptDueAt ? '; thời điểm thụ lý đã cho muộn hơn hạn này' : ''}.`
          : `Nếu được chuyển ngay đến cơ quan xử lý, cơ quan đó phải tiếp nhận trong ${describeDuration(policy.acceptWithin)}, tức trước ${formatInstantVi(result.acceptDueAt)}.`,
        generatedYears: generated,
        tail: 'Thời gian chờ doanh nghiệp bổ sung thông tin không tính vào thời hạn; gia hạn (nếu có) được thông báo cho doanh nghiệp kèm lý do.',
      });
      return {
        receivedAt: iso(receivedAt),
        kind: q.kind,
        priority: q.priority,
        categoryId,
        policy: {
          version: policy.version,
          categorySpecific: policy.categoryId != null,
          acceptWithin: policy.acceptWithin,
          resolveWithin: policy.resolveWithin,
          extension: policy.extension,
          resolutionStartsAt: resolutionStart(policy),
          description: describePolicyVi(policy),
        },
        effectiveStart: iso(result.effectiveStart),
        acceptDueAt: iso(result.acceptDueAt),
        acceptedAt: acceptedAt ? iso(acceptedAt) : null,
        resolveDueAt: iso(result.resolveDueAt),
        resolveDueProvisional: result.provisional,
        calendar: { officeHours, years },
        explanation: result.explanation,
        text,
      };
    },
  };

  function caseSlaView(
    c: CaseRow,
    result: DeadlineResult,
    pauses: Array<typeof casePauses.$inferSelect>,
    extensions: Array<typeof caseExtensions.$inferSelect>,
    calendar: WorkingCalendar,
    now: Date,
  ) {
    const policy = frozenPolicy(c);
    const openPause = pauses.find((p) => p.endedAt == null) ?? null;
    const isOpen = (OPEN_STATUSES as readonly string[]).includes(c.status);
    const steps: Array<SlaExplanationStep | { kind: 'note'; text: string; at?: string; data?: Record<string, unknown> }> = [...result.explanation];
    const projected = result.resolveDueAt;
    if (!openPause && projected.getTime() !== c.resolveDueAt.getTime()) {
      steps.push({
        kind: 'note',
        text: RESOLVED_STATES.includes(c.status)
          ? `Hạn đã dùng để đánh giá kết quả là ${formatInstantVi(c.resolveDueAt)}, tính theo lịch làm việc tại thời điểm giải quyết; lịch làm việc đã thay đổi sau đó.`
          : `Hạn đang áp dụng cho vụ việc là ${formatInstantVi(c.resolveDueAt)}.`,
        at: iso(c.resolveDueAt),
      });
    }
    const provisional = isProvisional(c);
    if (c.status === 'assigned' && c.acceptDueAt) {
      steps.push({
        kind: 'note',
        text: `Lần phân công hiện tại${c.assignedAt ? ` (lúc ${formatInstantVi(c.assignedAt)})` : ''}: cơ quan được giao phải tiếp nhận trước ${formatInstantVi(c.acceptDueAt)}.`,
        at: iso(c.acceptDueAt),
      });
    }
    let state: 'within_deadline' | 'overdue' | 'early' | 'on_time' | 'late' | 'not_applicable';
    if (isOpen) state = openState(now, openPause ? projected : c.resolveDueAt);
    else if (c.outcome === 'early' || c.outcome === 'on_time' || c.outcome === 'late') state = c.outcome;
    else state = 'not_applicable';
    const STATE_VI: Record<typeof state, string> = {
      within_deadline: 'còn trong hạn',
      overdue: 'đã quá hạn',
      early: 'đã giải quyết trước hạn',
      on_time: 'đã giải quyết đúng hạn',
      late: 'đã giải quyết trễ hạn',
      not_applicable: 'đã kết thúc, không đánh giá thời hạn',
    };
    const due = openPause ? projected : c.resolveDueAt;
    const { generated } = generatedYearsBetween(calendar, c.receivedAt, due);
    const exts: Extension[] = extensions.map((e) => ({ amount: e.amount, unit: e.unit as DurationUnit, reason: e.reason, at: e.at }));
    const text = summaryVi({
      subject: `Vụ việc ${c.trackingCode} (${KIND_LABEL_VI[policy.kind] ?? policy.kind}, mức độ ${PRIORITY_LABEL_VI[policy.priority] ?? policy.priority})`,
      policy,
      calendar,
      result,
      pauses: true,
      extensions: exts,
      resultText:
        (openPause
          ? `Vụ việc đang tạm dừng chờ doanh nghiệp bổ sung thông tin từ ${formatInstantVi(openPause.startedAt)}; nếu tiếp tục ngay bây giờ, hạn giải quyết là ${formatInstantVi(projected)}.`
          : provisional
            ? `Hạn giải quyết tạm tính (muộn nhất, chưa thụ lý): ${formatInstantVi(c.resolveDueAt)}.`
            : `Hạn giải quyết: ${formatInstantVi(c.resolveDueAt)}.`) + ` Tình trạng: ${STATE_VI[state]}.`,
      acceptText: c.acceptDueAt && c.status === 'assigned' ? `Cơ quan được giao phải tiếp nhận trước ${formatInstantVi(c.acceptDueAt)}.` : '',
      generatedYears: isOpen ? generated : [],
    }).replace(/\s+/g, ' ').trim();
    return {
      caseId: c.id,
      trackingCode: c.trackingCode,
      status: c.status,
      policy: { ...policy, categoryId: policy.categoryId ?? null, resolutionStartsAt: resolutionStart(policy) },
      receivedAt: iso(c.receivedAt),
      effectiveStart: iso(result.effectiveStart),
      assignedAt: isoOrNull(c.assignedAt),
      acceptDueAt: isoOrNull(c.acceptDueAt),
      acceptedAt: isoOrNull(c.acceptedAt),
      firstAcceptedAt: isoOrNull(c.firstAcceptedAt),
      resolutionStartsAt: resolutionStart(policy),
      resolveDueProvisional: provisional,
      baseResolveDueAt: iso(result.baseResolveDueAt),
      resolveDueAt: iso(c.resolveDueAt),
      projectedResolveDueAt: iso(projected),
      pausedWorkingMs: result.pausedWorkingMs,
      pausedSince: isoOrNull(openPause?.startedAt),
      pauses: pauses.map((p) => ({ start: iso(p.startedAt), end: isoOrNull(p.endedAt) })),
      extensions: extensions.map((e) => ({
        amount: e.amount,
        unit: e.unit as DurationUnit,
        reason: e.reason,
        at: iso(e.at),
        previousDueAt: iso(e.previousDueAt),
        newDueAt: iso(e.newDueAt),
      })),
      extensionsUsed: c.extensionsUsed,
      extensionsAllowed: policy.extension?.maxCount ?? 0,
      resolvedAt: isoOrNull(c.resolvedAt),
      outcome: c.outcome,
      resolvedWithExtension: c.resolvedWithExtension,
      state,
      explanation: steps,
      text,
    };
  }
}

export type ClockAdminService = ReturnType<typeof createClockAdminService>;
