/**
 * SLA policies and the legal clock: deadlines, pauses, extensions, outcome
 * classification and a plain-Vietnamese explanation of how a deadline was
 * reached. Pure: time always comes in as an argument.
 */
import {
  calendarFast,
  DAY_MS,
  dayInfo,
  HOUR_MS,
  makeUpWorkingDays,
  ordinalToDate,
  ordinalToYmd,
  skippedDays,
  toLocalIso,
  VN_OFFSET_MS,
  weekdayOfOrdinal,
  type WorkingCalendar,
} from './calendar.js';

export type CaseKind = 'phan_anh' | 'kien_nghi' | 'to_cao' | 'khieu_nai';
export type Priority = 'urgent' | 'normal' | 'complex';
export type DurationUnit = 'working_days' | 'calendar_days' | 'working_hours';
/** Where the resolution clock starts: at receipt, or at acceptance (thụ lý, the `accept` action). */
export type ResolutionStart = 'receipt' | 'acceptance';

export const CASE_KINDS: CaseKind[] = ['phan_anh', 'kien_nghi', 'to_cao', 'khieu_nai'];
export const PRIORITIES: Priority[] = ['urgent', 'normal', 'complex'];
export const DURATION_UNITS: DurationUnit[] = ['working_days', 'calendar_days', 'working_hours'];
export const RESOLUTION_STARTS: ResolutionStart[] = ['receipt', 'acceptance'];

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/**
 * How a pause (awaiting_business) moves the resolve deadline:
 * - `working_time` (policies before pause rules existed; the default when the field is absent):
 *   the office time spent paused is added, whatever the unit of the deadline;
 * - `by_unit`: counted in the deadline's own unit — working days: the working days that ended
 *   while paused (a day counts when the case was paused at its close of office and still paused
 *   when the day was over: paused Mon 10:00, resumed Wed 09:00 → 2; paused and resumed on the
 *   same day → 0); calendar days: the calendar days that ended while paused, counted the same
 *   way; working hours: the office time paused, rounded down to whole minutes.
 */
export type PauseRule = 'working_time' | 'by_unit';
export const PAUSE_RULES: PauseRule[] = ['working_time', 'by_unit'];

export interface SlaPolicy {
  kind: CaseKind;
  priority: Priority;
  categoryId?: number | null;
  version: number;
  acceptWithin: Duration;
  resolveWithin: Duration;
  warnBefore: Duration;
  extension: { maxCount: number; maxAmount: number; unit: DurationUnit };
  overdueEscalateAfter: Duration;
  awaitingBusinessLimit: Duration;
  /**
   * Where the resolution clock starts. Absent on policies frozen before the field existed: those
   * count from receipt.
   */
  resolutionStartsAt?: ResolutionStart;
  /** absent on policies frozen before the rule existed: `working_time` */
  pauseRule?: PauseRule;
}

/** The policy's resolution start; policies without the field count from receipt. */
export const resolutionStart = (p: Pick<SlaPolicy, 'resolutionStartsAt'>): ResolutionStart => (p.resolutionStartsAt === 'acceptance' ? 'acceptance' : 'receipt');

export interface Pause {
  start: Date;
  end?: Date | null;
}

export interface Extension {
  amount: number;
  unit: DurationUnit;
  reason: string;
  at: Date;
}

export interface DeadlineInput {
  policy: SlaPolicy;
  receivedAt: Date;
  pauses?: Pause[];
  extensions?: Extension[];
  now?: Date;
  /**
   * The first acceptance (thụ lý) of the case, kept through returns. For a policy whose resolution
   * clock starts at acceptance, the resolution deadline counts from it.
   */
  acceptedAt?: Date | null;
  /**
   * The acceptance deadline in force, for a case not accepted yet under an acceptance-started
   * policy: the provisional latest resolution deadline is this deadline + the period. Without it,
   * the acceptance deadline counted from receipt.
   */
  acceptDueAt?: Date | null;
}

export interface SlaExplanationStep {
  kind: 'start' | 'rule' | 'skip' | 'pause' | 'extension' | 'result';
  text: string;
  at?: string;
  data?: Record<string, unknown>;
}

export interface DeadlineResult {
  receivedAt: Date;
  effectiveStart: Date;
  acceptDueAt: Date;
  baseResolveDueAt: Date;
  resolveDueAt: Date;
  pausedWorkingMs: number;
  /** what the pauses added to the deadline under the policy's pause rule (working_time: working hours) */
  pauseCredit: Duration;
  explanation: SlaExplanationStep[];
  resolutionStartsAt: ResolutionStart;
  /**
   * The instant whose local day the resolution period counts from: the effective receipt, the
   * effective acceptance, or (provisional) the acceptance deadline.
   */
  resolveStart: Date;
  /** true while an acceptance-started case is not accepted: the resolution deadline is the latest possible one */
  provisional: boolean;
}

export type Outcome = 'early' | 'on_time' | 'late';

// ---------------------------------------------------------------------------
// Default policies
// ---------------------------------------------------------------------------

const wd = (amount: number): Duration => ({ amount, unit: 'working_days' });
const wh = (amount: number): Duration => ({ amount, unit: 'working_hours' });
const cd = (amount: number): Duration => ({ amount, unit: 'calendar_days' });
const NO_EXTENSION = { maxCount: 0, maxAmount: 0, unit: 'working_days' as DurationUnit };

function basePolicy(kind: CaseKind, priority: Priority): Omit<SlaPolicy, 'acceptWithin' | 'resolveWithin' | 'extension'> {
  const urgent = priority === 'urgent';
  return {
    kind,
    priority,
    categoryId: null,
    version: 1,
    warnBefore: urgent ? wh(2) : wd(1),
    overdueEscalateAfter: urgent ? wd(1) : wd(5),
    awaitingBusinessLimit: wd(15),
    pauseRule: 'by_unit',
  };
}

function buildDefaults(): SlaPolicy[] {
  const out: SlaPolicy[] = [];
  for (const kind of ['phan_anh', 'kien_nghi'] as const) {
    out.push({ ...basePolicy(kind, 'urgent'), acceptWithin: wh(4), resolveWithin: wd(1), extension: { ...NO_EXTENSION }, resolutionStartsAt: 'receipt' });
    out.push({
      ...basePolicy(kind, 'normal'),
      acceptWithin: wh(8),
      resolveWithin: wd(10),
      extension: { maxCount: 1, maxAmount: 10, unit: 'working_days' },
      resolutionStartsAt: 'receipt',
    });
    out.push({
      ...basePolicy(kind, 'complex'),
      acceptWithin: wh(8),
      resolveWithin: wd(20),
      extension: { maxCount: 1, maxAmount: 10, unit: 'working_days' },
      resolutionStartsAt: 'receipt',
    });
  }
  for (const priority of PRIORITIES) {
    out.push({
      ...basePolicy('khieu_nai', priority),
      acceptWithin: wd(10),
      resolveWithin: cd(priority === 'complex' ? 45 : 30),
      extension: { ...NO_EXTENSION },
      resolutionStartsAt: 'acceptance',
    });
  }
  for (const priority of PRIORITIES) {
    out.push({
      ...basePolicy('to_cao', priority),
      acceptWithin: wd(7),
      resolveWithin: cd(30),
      extension: { maxCount: 2, maxAmount: 30, unit: 'calendar_days' },
      resolutionStartsAt: 'acceptance',
    });
  }
  return out;
}

/** All 4 kinds × 3 priorities, version 1, no category. */
export const DEFAULT_SLA_POLICIES: SlaPolicy[] = buildDefaults();

/** Category-specific beats generic; among those, the highest version wins. */
export function findPolicy(
  policies: SlaPolicy[],
  kind: CaseKind,
  priority: Priority,
  categoryId?: number | null,
): SlaPolicy | undefined {
  let specific: SlaPolicy | undefined;
  let generic: SlaPolicy | undefined;
  for (const p of policies) {
    if (p.kind !== kind || p.priority !== priority) continue;
    if (p.categoryId == null) {
      if (!generic || p.version > generic.version) generic = p;
    } else if (categoryId != null && p.categoryId === categoryId) {
      if (!specific || p.version > specific.version) specific = p;
    }
  }
  return specific ?? generic;
}

// ---------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------

function fmtNumber(n: number): string {
  return String(n).replace('.', ',');
}

/** Vietnamese: "10 ngày làm việc", "30 ngày", "4 giờ làm việc". */
export function describeDuration(d: { amount: number; unit: DurationUnit }): string {
  switch (d.unit) {
    case 'working_days':
      return `${fmtNumber(d.amount)} ngày làm việc`;
    case 'calendar_days':
      return `${fmtNumber(d.amount)} ngày`;
    case 'working_hours':
      return `${fmtNumber(d.amount)} giờ làm việc`;
    default:
      throw new Error(`Unknown duration unit "${String((d as Duration).unit)}"`);
  }
}

function assertDuration(d: Duration, what: string): void {
  if (!d || typeof d.amount !== 'number' || !Number.isFinite(d.amount) || d.amount < 0) {
    throw new RangeError(`${what}: amount must be a non-negative number`);
  }
  if (d.unit === 'working_hours') return;
  if (d.unit !== 'working_days' && d.unit !== 'calendar_days') {
    throw new RangeError(`${what}: unknown unit "${String(d.unit)}"`);
  }
  if (!Number.isInteger(d.amount)) throw new RangeError(`${what}: ${d.unit} must be a whole number, got ${d.amount}`);
}

function instantMs(t: Date, what: string): number {
  const ms = t instanceof Date ? t.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be a valid Date`);
  return ms;
}

/** Deadline counted from receipt (moved to the next opening) — see the counting convention in calendar.ts. */
function addDurationMs(cal: WorkingCalendar, t: number, d: Duration): number {
  switch (d.unit) {
    case 'working_days':
      return calendarFast.addWorkingDaysMs(cal, t, d.amount);
    case 'calendar_days':
      return calendarFast.addCalendarDaysMs(cal, t, d.amount);
    default:
      return calendarFast.addWorkingMsMs(cal, t, Math.round(d.amount * HOUR_MS));
  }
}

/** Adds an extension to an existing deadline: counted from the deadline's day, not from the next opening. */
function extendMs(cal: WorkingCalendar, due: number, d: Duration): number {
  switch (d.unit) {
    case 'working_days':
      return calendarFast.workingDaysAfterDayMs(cal, due, d.amount);
    case 'calendar_days':
      return calendarFast.calendarDaysAfterDayMs(cal, due, d.amount);
    default:
      return calendarFast.addWorkingMsMs(cal, due, Math.round(d.amount * HOUR_MS));
  }
}

export function addDuration(cal: WorkingCalendar, start: Date, d: { amount: number; unit: DurationUnit }): Date {
  assertDuration(d, 'Duration');
  return new Date(addDurationMs(cal, instantMs(start, 'start'), d));
}

/** Extends a deadline by `d` (working days: close of the n-th working day after the deadline's day; calendar days likewise, moved to a working day). */
export function extendDeadline(cal: WorkingCalendar, dueAt: Date, d: { amount: number; unit: DurationUnit }): Date {
  assertDuration(d, 'Extension');
  return new Date(extendMs(cal, instantMs(dueAt, 'dueAt'), d));
}

// ---------------------------------------------------------------------------
// Pauses and extensions
// ---------------------------------------------------------------------------

interface Interval {
  start: number;
  end: number;
  open: boolean;
}

/** Pauses as sorted, merged intervals; an open pause runs until `now` (or is empty without `now`). */
function pauseIntervals(pauses: Pause[], now: number | undefined): Interval[] {
  const raw: Interval[] = [];
  for (const p of pauses) {
    const s = instantMs(p.start, 'pause.start');
    const open = p.end == null;
    const e = open ? (now === undefined ? s : now) : instantMs(p.end as Date, 'pause.end');
    raw.push({ start: s, end: e < s ? s : e, open });
  }
  raw.sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const iv of raw) {
    const last = out[out.length - 1];
    if (last && iv.start <= last.end) {
      if (iv.end > last.end) last.end = iv.end;
      last.open = last.open || iv.open;
    } else out.push({ ...iv });
  }
  return out;
}

function sortedExtensions(extensions: Extension[]): Extension[] {
  return extensions.length < 2 ? extensions : [...extensions].sort((a, b) => a.at.getTime() - b.at.getTime());
}

interface ResolveBase {
  /** the deadline by the policy alone */
  base: number;
  /** the instant whose local day the period counts from (see DeadlineResult.resolveStart) */
  start: number;
  provisional: boolean;
  /** the acceptance deadline used for a provisional deadline */
  acceptDue: number | null;
  /** the deadline by the policy had it granted `amount` units instead (whole-day pause credit) */
  recount: (amount: number) => number;
}

/**
 * The resolution deadline by the policy alone. From receipt; or, for an acceptance-started
 * policy, from the first acceptance (same convention: acceptance outside office hours counts at
 * the next opening, the period runs from the day after), and before acceptance the provisional
 * latest one: the period counted from the acceptance deadline's day, as if accepted on its last day.
 */
function resolveBaseMs(cal: WorkingCalendar, input: DeadlineInput, received: number): ResolveBase {
  const { policy } = input;
  const rw = policy.resolveWithin;
  if (resolutionStart(policy) === 'acceptance') {
    if (input.acceptedAt) {
      const accepted = Math.max(instantMs(input.acceptedAt, 'acceptedAt'), received);
      return { base: addDurationMs(cal, accepted, rw), start: calendarFast.nextOpeningMs(cal, accepted), provisional: false, acceptDue: null, recount: (amount) => addDurationMs(cal, accepted, { amount, unit: rw.unit }) };
    }
    assertDuration(policy.acceptWithin, 'acceptWithin');
    const acceptDue = input.acceptDueAt ? instantMs(input.acceptDueAt, 'acceptDueAt') : addDurationMs(cal, received, policy.acceptWithin);
    return { base: extendMs(cal, acceptDue, rw), start: acceptDue, provisional: true, acceptDue, recount: (amount) => extendMs(cal, acceptDue, { amount, unit: rw.unit }) };
  }
  return { base: addDurationMs(cal, received, rw), start: calendarFast.nextOpeningMs(cal, received), provisional: false, acceptDue: null, recount: (amount) => addDurationMs(cal, received, { amount, unit: rw.unit }) };
}

/** The policy's pause rule; policies frozen before the rule existed count office time. */
export function pauseRuleOf(policy: SlaPolicy): PauseRule {
  return policy.pauseRule === 'by_unit' ? 'by_unit' : 'working_time';
}

/**
 * What one pause interval adds to the resolve deadline, in the unit the rule counts in:
 * office ms for `working_time` and for working-hour deadlines (whole minutes under `by_unit`),
 * working days or calendar days that ended while paused otherwise.
 */
function pauseCreditOf(cal: WorkingCalendar, policy: SlaPolicy, iv: { start: number; end: number }): number {
  if (iv.end <= iv.start) return 0;
  if (pauseRuleOf(policy) === 'working_time') return calendarFast.workingMsBetweenMs(cal, iv.start, iv.end);
  // a day "ended while paused" when the case was paused at its close of office and still paused
  // when the day was over: the day the pause began counts only if it began before the close
  const startDay = dayOf(iv.start);
  const close = cal.officeHours[cal.officeHours.length - 1].end;
  const closeMs = Number(close.slice(0, 2)) * HOUR_MS + Number(close.slice(3, 5)) * 60_000;
  const first = iv.start + VN_OFFSET_MS - startDay * DAY_MS < closeMs ? startDay : startDay + 1;
  const endDay = dayOf(iv.end);
  switch (policy.resolveWithin.unit) {
    case 'working_days':
      return calendarFast.countWorkingDays(cal, first, endDay);
    case 'calendar_days':
      return Math.max(0, endDay - first);
    default: {
      const ms = calendarFast.workingMsBetweenMs(cal, iv.start, iv.end);
      return ms - (ms % 60_000);
    }
  }
}

/** The deadline after adding the total pause credit (see pauseCreditOf) to the base deadline `due`. */
function applyPauseCredit(cal: WorkingCalendar, policy: SlaPolicy, rb: Pick<ResolveBase, 'recount'>, due: number, credit: number): number {
  if (credit <= 0) return due;
  const rw = policy.resolveWithin;
  if (pauseRuleOf(policy) === 'working_time' || rw.unit === 'working_hours') return calendarFast.addWorkingMsMs(cal, due, credit);
  // whole days: as if the policy had granted that many more days, counted from where its clock starts
  return rb.recount(rw.amount + credit);
}

function pauseCreditDuration(policy: SlaPolicy, credit: number): Duration {
  if (pauseRuleOf(policy) === 'working_time' || policy.resolveWithin.unit === 'working_hours') {
    return { amount: credit / HOUR_MS, unit: 'working_hours' };
  }
  return { amount: credit, unit: policy.resolveWithin.unit };
}

/** Fast path: the resolve deadline only, no explanation. */
export function computeResolveDueAt(cal: WorkingCalendar, input: DeadlineInput): Date {
  const { policy } = input;
  assertDuration(policy.resolveWithin, 'resolveWithin');
  const rb = resolveBaseMs(cal, input, instantMs(input.receivedAt, 'receivedAt'));
  let due = rb.base;
  const pauses = input.pauses;
  if (pauses && pauses.length > 0) {
    const now = input.now ? instantMs(input.now, 'now') : undefined;
    let credit = 0;
    for (const iv of pauseIntervals(pauses, now)) credit += pauseCreditOf(cal, policy, iv);
    if (credit > 0) due = applyPauseCredit(cal, policy, rb, due, credit);
  }
  const extensions = input.extensions;
  if (extensions && extensions.length > 0) {
    for (const ext of sortedExtensions(extensions)) {
      assertDuration(ext, 'Extension');
      due = extendMs(cal, due, ext);
    }
  }
  return new Date(due);
}

export function computeAcceptDueAt(cal: WorkingCalendar, policy: SlaPolicy, assignedAt: Date): Date {
  return addDuration(cal, assignedAt, policy.acceptWithin);
}

// ---------------------------------------------------------------------------
// Explanation
// ---------------------------------------------------------------------------

const WEEKDAYS_VI = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function dayOf(ms: number): number {
  return Math.floor((ms + VN_OFFSET_MS) / DAY_MS);
}

/** "thứ Năm 12/02/2026" */
export function formatDayVi(day: number): string {
  const { y, m, d } = ordinalToYmd(day);
  return `${WEEKDAYS_VI[weekdayOfOrdinal(day)]} ${pad2(d)}/${pad2(m)}/${y}`;
}

/** "16:30 thứ Năm 12/02/2026" */
export function formatInstantVi(t: Date): string {
  const local = t.getTime() + VN_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const minutes = Math.floor((local - day * DAY_MS) / 60_000);
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)} ${formatDayVi(day)}`;
}

/** "9 giờ 30 phút làm việc" */
export function formatWorkingMsVi(ms: number): string {
  const totalMin = Math.round(ms / 60_000);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return `${m} phút làm việc`;
  return m === 0 ? `${h} giờ làm việc` : `${h} giờ ${m} phút làm việc`;
}

function officeHoursText(cal: WorkingCalendar): string {
  return cal.officeHours.map((p) => `${p.start}–${p.end}`).join(', ');
}

function whyMoved(cal: WorkingCalendar, t: number): string {
  const day = dayOf(t);
  const info = dayInfo(cal, ordinalToDate(day));
  if (!info.working) {
    if (info.reason === 'holiday') return `là ngày nghỉ lễ (${info.name ?? 'ngày nghỉ'})`;
    return `là ngày nghỉ hằng tuần (${WEEKDAYS_VI[weekdayOfOrdinal(day)]})`;
  }
  const tod = t + VN_OFFSET_MS - day * DAY_MS;
  const toMs = (s: string): number => Number(s.slice(0, 2)) * HOUR_MS + Number(s.slice(3, 5)) * 60_000;
  const periods = cal.officeHours;
  if (tod < toMs(periods[0].start)) return `trước giờ làm việc (bắt đầu ${periods[0].start})`;
  const last = periods[periods.length - 1];
  if (tod >= toMs(last.end)) return `sau giờ làm việc (kết thúc ${last.end})`;
  for (let i = 0; i + 1 < periods.length; i++) {
    if (tod >= toMs(periods[i].end) && tod < toMs(periods[i + 1].start)) {
      return `trong giờ nghỉ giữa ca (${periods[i].end}–${periods[i + 1].start})`;
    }
  }
  return 'ngoài giờ làm việc';
}

function skipSteps(cal: WorkingCalendar, fromDay: number, toDay: number, out: SlaExplanationStep[]): void {
  if (toDay < fromDay) return;
  const from = ordinalToDate(fromDay);
  const to = ordinalToDate(toDay);
  for (const s of skippedDays(cal, from, to)) {
    const day = Math.round(Date.parse(`${s.date}T00:00:00Z`) / DAY_MS);
    const why = s.reason === 'holiday' ? `ngày nghỉ lễ (${s.name ?? 'ngày nghỉ'})` : 'ngày nghỉ hằng tuần';
    out.push({ kind: 'skip', text: `Không tính ${formatDayVi(day)}: ${why}.`, at: s.date, data: { ...s } });
  }
  for (const w of makeUpWorkingDays(cal, from, to)) {
    const day = Math.round(Date.parse(`${w.date}T00:00:00Z`) / DAY_MS);
    out.push({
      kind: 'rule',
      text: `Tính ${formatDayVi(day)} là ngày làm việc (làm bù${w.name ? `: ${w.name}` : ''}).`,
      at: w.date,
      data: { date: w.date, reason: 'working_saturday', name: w.name },
    });
  }
}

function ruleText(kind: 'giải quyết' | 'tiếp nhận', d: Duration, cal: WorkingCalendar, effDay: number, from: 'tiếp nhận' | 'thụ lý' = 'tiếp nhận'): string {
  const base = `Thời hạn ${kind}: ${describeDuration(d)}`;
  switch (d.unit) {
    case 'working_days':
      return `${base}, tính từ ngày sau ngày ${from} (ngày ${from}: ${formatDayVi(effDay)}); hạn là cuối giờ làm việc của ngày làm việc thứ ${d.amount}.`;
    case 'calendar_days':
      return `${base}, tính từ ngày sau ngày ${from} (ngày ${from}: ${formatDayVi(effDay)}); hạn là cuối giờ làm việc của ngày thứ ${d.amount}, nếu ngày đó là ngày nghỉ thì chuyển sang ngày làm việc tiếp theo.`;
    default:
      return `${base}, tính theo giờ hành chính (${officeHoursText(cal)}) kể từ lúc ${from}.`;
  }
}

/** The laws that count the resolution period from acceptance (thụ lý). */
const RESOLUTION_LAW_VI: Partial<Record<CaseKind, string>> = {
  khieu_nai: 'Luật Khiếu nại năm 2011, Điều 28',
  to_cao: 'Luật Tố cáo năm 2018, Điều 30',
};

/**
 * One sentence on where the resolution clock starts, naming the law for khiếu nại and tố cáo:
 * "Thời hạn giải quyết tính từ ngày thụ lý, không tính từ ngày tiếp nhận (Luật Khiếu nại năm 2011, Điều 28)."
 */
export function resolutionStartVi(policy: Pick<SlaPolicy, 'kind' | 'resolutionStartsAt'>): string {
  if (resolutionStart(policy) === 'receipt') return 'Thời hạn giải quyết tính từ ngày tiếp nhận.';
  const law = RESOLUTION_LAW_VI[policy.kind];
  return `Thời hạn giải quyết tính từ ngày thụ lý (cơ quan tiếp nhận xử lý), không tính từ ngày tiếp nhận${law ? ` (${law})` : ''}.`;
}

/** Full computation with a step-by-step explanation. */
export function computeDeadlines(cal: WorkingCalendar, input: DeadlineInput): DeadlineResult {
  const { policy } = input;
  assertDuration(policy.resolveWithin, 'resolveWithin');
  assertDuration(policy.acceptWithin, 'acceptWithin');
  const received = instantMs(input.receivedAt, 'receivedAt');
  const now = input.now ? instantMs(input.now, 'now') : undefined;
  const steps: SlaExplanationStep[] = [];

  const eff = calendarFast.nextOpeningMs(cal, received);
  const effDay = dayOf(eff);
  if (eff === received) {
    steps.push({
      kind: 'start',
      text: `Tiếp nhận lúc ${formatInstantVi(input.receivedAt)}, trong giờ làm việc.`,
      at: toLocalIso(input.receivedAt),
    });
  } else {
    steps.push({
      kind: 'start',
      text: `Tiếp nhận lúc ${formatInstantVi(input.receivedAt)}, ${whyMoved(cal, received)}, nên được tính là tiếp nhận lúc ${formatInstantVi(new Date(eff))}.`,
      at: toLocalIso(input.receivedAt),
      data: { effectiveStart: toLocalIso(new Date(eff)) },
    });
  }

  const acceptDue = addDurationMs(cal, received, policy.acceptWithin);
  steps.push({
    kind: 'rule',
    text: `${ruleText('tiếp nhận', policy.acceptWithin, cal, effDay)} Hạn tiếp nhận: ${formatInstantVi(new Date(acceptDue))}.`,
    at: toLocalIso(new Date(acceptDue)),
    data: { acceptWithin: { ...policy.acceptWithin } },
  });

  const rw = policy.resolveWithin;
  const rb = resolveBaseMs(cal, input, received);
  const base = rb.base;
  const baseDay = dayOf(base);
  const startDay = dayOf(rb.start);
  const fromAcceptance = resolutionStart(policy) === 'acceptance';
  if (fromAcceptance) {
    steps.push({
      kind: 'rule',
      text: resolutionStartVi(policy),
      data: { resolutionStartsAt: 'acceptance' },
    });
    if (rb.provisional) {
      steps.push({
        kind: 'rule',
        text: `Chưa thụ lý: hạn giải quyết dưới đây là hạn tạm tính muộn nhất, nếu thụ lý vào ngày cuối của hạn tiếp nhận (${formatInstantVi(new Date(rb.acceptDue!))}); hạn chính thức được tính khi thụ lý.`,
        at: toLocalIso(new Date(rb.acceptDue!)),
        data: { provisional: true, acceptDueAt: toLocalIso(new Date(rb.acceptDue!)) },
      });
    } else {
      const acceptedAt = input.acceptedAt as Date;
      const moved = rb.start !== Math.max(instantMs(acceptedAt, 'acceptedAt'), received);
      steps.push({
        kind: 'start',
        text: `Thụ lý lúc ${formatInstantVi(acceptedAt)}${moved ? `, ngoài giờ làm việc, nên được tính là thụ lý lúc ${formatInstantVi(new Date(rb.start))}` : ''}.`,
        at: toLocalIso(acceptedAt),
        data: { acceptedAt: toLocalIso(acceptedAt), ...(moved ? { effectiveAcceptance: toLocalIso(new Date(rb.start)) } : {}) },
      });
    }
  }
  steps.push({
    kind: 'rule',
    text: ruleText('giải quyết', rw, cal, startDay, fromAcceptance ? 'thụ lý' : 'tiếp nhận'),
    data: { resolveWithin: { ...rw }, policyVersion: policy.version, resolutionStartsAt: resolutionStart(policy) },
  });
  if (rw.unit === 'calendar_days') {
    const nominal = startDay + rw.amount;
    if (nominal !== baseDay) {
      steps.push({
        kind: 'rule',
        text: `Ngày thứ ${rw.amount} là ${formatDayVi(nominal)}, không phải ngày làm việc; hạn chuyển sang ${formatDayVi(baseDay)}.`,
      });
      skipSteps(cal, nominal, baseDay - 1, steps);
    }
  } else {
    skipSteps(cal, startDay + 1, baseDay, steps);
  }
  steps.push({
    kind: 'rule',
    text: `Hạn giải quyết theo quy định${rb.provisional ? ' (tạm tính muộn nhất)' : ''} (chưa tính tạm dừng, gia hạn): ${formatInstantVi(new Date(base))}.`,
    at: toLocalIso(new Date(base)),
  });

  let due = base;
  let pausedTotal = 0;
  let credit = 0;
  const byUnit = pauseRuleOf(policy) === 'by_unit';
  for (const iv of pauseIntervals(input.pauses ?? [], now)) {
    const ms = calendarFast.workingMsBetweenMs(cal, iv.start, iv.end);
    pausedTotal += ms;
    const startTxt = formatInstantVi(new Date(iv.start));
    if (iv.open && now === undefined) {
      steps.push({
        kind: 'pause',
        text: `Đang tạm dừng từ ${startTxt}; chưa có thời điểm hiện tại nên chưa tính thời gian tạm dừng.`,
        at: toLocalIso(new Date(iv.start)),
        data: { workingMs: 0, open: true },
      });
      continue;
    }
    const endTxt = iv.open ? `nay (${formatInstantVi(new Date(iv.end))}), vẫn đang tạm dừng` : formatInstantVi(new Date(iv.end));
    const before = due;
    const c = pauseCreditOf(cal, policy, iv);
    credit += c;
    if (!byUnit) {
      if (ms > 0) due = calendarFast.addWorkingMsMs(cal, due, ms);
    } else if (c > 0) due = applyPauseCredit(cal, policy, rb, base, credit);
    const added = pauseCreditDuration(policy, c);
    let text: string;
    if (!byUnit) {
      text =
        ms > 0
          ? `Tạm dừng từ ${startTxt} đến ${endTxt}: ${formatWorkingMsVi(ms)} không tính; hạn lùi thêm ${formatWorkingMsVi(ms)}, thành ${formatInstantVi(new Date(due))}.`
          : `Tạm dừng từ ${startTxt} đến ${endTxt}: ngoài giờ làm việc, hạn không đổi.`;
    } else if (rw.unit === 'working_hours') {
      text =
        c > 0
          ? `Tạm dừng từ ${startTxt} đến ${endTxt}: ${formatWorkingMsVi(c)} không tính (làm tròn xuống theo phút); hạn lùi thành ${formatInstantVi(new Date(due))}.`
          : `Tạm dừng từ ${startTxt} đến ${endTxt}: chưa đủ một phút làm việc, hạn không đổi.`;
    } else {
      const unitTxt = rw.unit === 'working_days' ? 'ngày làm việc' : 'ngày';
      text =
        c > 0
          ? `Tạm dừng từ ${startTxt} đến ${endTxt}: ${c} ${unitTxt} đã kết thúc trong thời gian tạm dừng; hạn lùi thêm ${describeDuration(added)}, thành ${formatInstantVi(new Date(due))}.`
          : `Tạm dừng từ ${startTxt} đến ${endTxt}: không có ${unitTxt} nào kết thúc trong thời gian tạm dừng, hạn không đổi.`;
    }
    steps.push({
      kind: 'pause',
      text,
      at: toLocalIso(new Date(iv.start)),
      data: {
        workingMs: ms,
        open: iv.open,
        start: toLocalIso(new Date(iv.start)),
        end: toLocalIso(new Date(iv.end)),
        ...(byUnit ? { rule: 'by_unit', added } : {}),
      },
    });
    if (due > before) skipSteps(cal, dayOf(before) + 1, dayOf(due), steps);
  }

  for (const ext of sortedExtensions(input.extensions ?? [])) {
    assertDuration(ext, 'Extension');
    const before = due;
    due = extendMs(cal, due, ext);
    steps.push({
      kind: 'extension',
      text: `Gia hạn ${describeDuration(ext)} (lúc ${formatInstantVi(ext.at)}; lý do: ${ext.reason || 'không ghi'}): hạn mới ${formatInstantVi(new Date(due))}.`,
      at: toLocalIso(ext.at),
      data: { amount: ext.amount, unit: ext.unit, reason: ext.reason },
    });
    skipSteps(cal, dayOf(before) + 1, dayOf(due), steps);
  }

  steps.push({
    kind: 'result',
    text: rb.provisional
      ? `Hạn giải quyết tạm tính (muộn nhất, chưa thụ lý): ${formatInstantVi(new Date(due))}.`
      : `Hạn giải quyết: ${formatInstantVi(new Date(due))}.`,
    at: toLocalIso(new Date(due)),
    data: {
      resolveDueAt: toLocalIso(new Date(due)),
      acceptDueAt: toLocalIso(new Date(acceptDue)),
      pausedWorkingMs: pausedTotal,
      provisional: rb.provisional,
      pauseCredit: pauseCreditDuration(policy, credit),
    },
  });

  return {
    receivedAt: new Date(received),
    effectiveStart: new Date(eff),
    acceptDueAt: new Date(acceptDue),
    baseResolveDueAt: new Date(base),
    resolveDueAt: new Date(due),
    pausedWorkingMs: pausedTotal,
    pauseCredit: pauseCreditDuration(policy, credit),
    explanation: steps,
    resolutionStartsAt: resolutionStart(policy),
    resolveStart: new Date(rb.start),
    provisional: rb.provisional,
  };
}

// ---------------------------------------------------------------------------
// Outcome and state
// ---------------------------------------------------------------------------

/** early: resolved on a local day before the deadline's day; on_time: on that day and not after the deadline; late: after it. */
export function classifyOutcome(resolvedAt: Date, dueAt: Date): Outcome {
  const r = instantMs(resolvedAt, 'resolvedAt');
  const d = instantMs(dueAt, 'dueAt');
  if (r > d) return 'late';
  return dayOf(r) < dayOf(d) ? 'early' : 'on_time';
}

export function openState(now: Date, dueAt: Date): 'within_deadline' | 'overdue' {
  return instantMs(now, 'now') > instantMs(dueAt, 'dueAt') ? 'overdue' : 'within_deadline';
}

/** True when the time left before `dueAt` is at most `warnBefore` (and the deadline has not passed). */
export function isDueSoon(cal: WorkingCalendar, now: Date, dueAt: Date, warnBefore: Duration): boolean {
  const n = instantMs(now, 'now');
  const d = instantMs(dueAt, 'dueAt');
  if (n > d) return false;
  if (warnBefore.unit === 'calendar_days') return dayOf(d) - dayOf(n) <= warnBefore.amount;
  const limit = warnBefore.unit === 'working_days' ? warnBefore.amount * cal.officeDayMs : warnBefore.amount * HOUR_MS;
  return calendarFast.workingMsBetweenMs(cal, n, d) <= limit;
}

/** True when `now` is at least `threshold` past `dueAt` (e.g. overdueEscalateAfter, awaitingBusinessLimit). */
export function isPastBy(cal: WorkingCalendar, now: Date, since: Date, threshold: Duration): boolean {
  const n = instantMs(now, 'now');
  const d = instantMs(since, 'since');
  if (n <= d) return false;
  if (threshold.unit === 'calendar_days') return dayOf(n) - dayOf(d) >= threshold.amount;
  const limit = threshold.unit === 'working_days' ? threshold.amount * cal.officeDayMs : threshold.amount * HOUR_MS;
  return calendarFast.workingMsBetweenMs(cal, d, n) >= limit;
}

export function canExtend(
  policy: SlaPolicy,
  used: Extension[],
  req: { amount: number; unit: DurationUnit },
): { ok: true } | { ok: false; reason: string } {
  const rule = policy.extension;
  if (!rule || rule.maxCount <= 0) return { ok: false, reason: 'Loại vụ việc này không được gia hạn.' };
  if (used.length >= rule.maxCount) {
    return { ok: false, reason: `Đã gia hạn ${used.length} lần; chỉ được gia hạn tối đa ${rule.maxCount} lần.` };
  }
  if (req.unit !== rule.unit) {
    return { ok: false, reason: `Thời gian gia hạn phải tính bằng ${describeDuration({ amount: 0, unit: rule.unit }).replace(/^0 /, '')}.` };
  }
  if (!Number.isFinite(req.amount) || req.amount <= 0) {
    return { ok: false, reason: 'Thời gian gia hạn phải lớn hơn 0.' };
  }
  if (req.unit !== 'working_hours' && !Number.isInteger(req.amount)) {
    return { ok: false, reason: 'Số ngày gia hạn phải là số nguyên.' };
  }
  if (req.amount > rule.maxAmount) {
    return {
      ok: false,
      reason: `Mỗi lần gia hạn không quá ${describeDuration({ amount: rule.maxAmount, unit: rule.unit })}.`,
    };
  }
  return { ok: true };
}
