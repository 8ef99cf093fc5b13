/**
 * The legal clock explained in Vietnamese, for people: a policy in one sentence, and the
 * paragraph that walks a deadline from receipt through the days skipped, pauses and extensions
 * to the result. Pure: everything comes in as arguments.
 */
import { dayInfo, localDayOrdinal, makeUpWorkingDays, ordinalToDate, skippedDays, type WorkingCalendar } from '../../domain/calendar.js';
import {
  describeDuration,
  formatDayVi,
  formatInstantVi,
  formatWorkingMsVi,
  pauseRuleOf,
  resolutionStart,
  resolutionStartVi,
  type DeadlineResult,
  type Duration,
  type Extension,
  type SlaPolicy,
} from '../../domain/sla.js';

/** The first letter in upper case ("khiếu nại" → "Khiếu nại"). */
export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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
export function summaryVi(opts: {
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

/**
 * The timeline note of an open case whose deadlines a calendar edit of `year` moved (`reset`:
 * the year's stored table was dropped, back to the Labour Code defaults).
 */
export function deadlinesMovedVi(o: { year: number; reset: boolean; resolve?: { from: Date; to: Date }; accept?: { from: Date; to: Date } }): string {
  const why = o.reset
    ? `do lịch làm việc năm ${o.year} thay đổi (trở về lịch nghỉ mặc định theo Bộ luật Lao động)`
    : `do lịch làm việc năm ${o.year} thay đổi`;
  const texts: string[] = [];
  if (o.resolve) texts.push(`Hạn giải quyết được điều chỉnh từ ${formatInstantVi(o.resolve.from)} thành ${formatInstantVi(o.resolve.to)} ${why}.`);
  if (o.accept) texts.push(`Hạn tiếp nhận của cơ quan xử lý được điều chỉnh từ ${formatInstantVi(o.accept.from)} thành ${formatInstantVi(o.accept.to)} ${why}.`);
  return texts.join(' ');
}
