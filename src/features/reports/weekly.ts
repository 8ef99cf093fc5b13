/**
 * The weekly report (Chỉ thị 02/2022: agencies report weekly, alongside the rapid-response
 * team): for an ISO week, per agency and for the province — received, answered (early / on
 * time / late), open within the deadline, overdue (oldest first, with the working time
 * overdue), due in the coming week, awaiting the business. "Answered" and "on time" come from
 * the monthly publication's SQL (metrics-sql.ts); "open at the end of the week" uses its
 * status-at-an-instant rule. Every Monday the week before is mailed once (claimed in
 * weekly_reports) to each agency's lead and contacts, and the province-wide view to the
 * coordinators and the provincial leadership.
 */
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/client.js';
import { rows } from '../../db/client.js';
import { agencies, weeklyReports } from '../../db/schema.js';
import { DAY_MS, toLocalIso, workingMsBetween, type WorkingCalendar } from '../../domain/calendar.js';
import { disclose, discloseText } from '../../domain/disclosure.js';
import type { Clock } from '../../lib/clock.js';
import { toCsv } from '../../lib/csv.js';
import { toXlsx, type XlsxColumn } from '../../lib/xlsx.js';
import { Conflict, fieldError } from '../../lib/errors.js';
import type { ClockService } from '../clock/service.js';
import { enqueueMessages, type OutgoingMessage } from '../notifications/outbox.js';
import { compose, fmtDateTime, workingTimeVi, type Rendered, type SiteFooter } from '../notifications/templates.js';
import { nextInWindow, type SettingsService } from '../settings/service.js';
import { receivedOpenGroups, resolvedGroups, sqlCalendar, tsp } from './metrics-sql.js';
import { parseIsoWeek, previousIsoWeek, type IsoWeek } from './week.js';

export interface WeeklyFigures {
  received: number;
  answered: number;
  early: number;
  onTime: number;
  late: number;
  openWithinDeadline: number;
  overdue: number;
  dueNextWeek: number;
  awaitingBusiness: number;
}

export interface WeeklyAgencyRow extends WeeklyFigures {
  /** null: cases not assigned to an agency (with the coordinators) */
  agencyId: number | null;
  code: string | null;
  name: string;
}

export interface WeeklyCase {
  trackingCode: string;
  title: string;
  agencyId: number | null;
  agencyName: string | null;
  resolveDueAt: string;
  /** overdue cases: office time past the deadline at the end of the week */
  overdueWorkingDays?: number;
  overdueWorkingHours?: number;
  overdueText?: string;
}

export interface WeeklyReport {
  week: string;
  label: string;
  from: string;
  to: string;
  /** the figures are as of this instant (the end of the week) */
  asOf: string;
  /** province: every agency; agency: one agency's view */
  scope: 'province' | 'agency';
  totals: WeeklyFigures;
  agencies: WeeklyAgencyRow[];
  /** open and past the deadline at the end of the week, oldest deadline first */
  overdue: WeeklyCase[];
  /** open (not awaiting the business) with a deadline in the 7 days after the week */
  dueNextWeek: WeeklyCase[];
}

const UNASSIGNED_NAME = 'Hồ sơ chưa phân công (Tổ phản ứng nhanh đang xử lý)';
const zero = (): WeeklyFigures => ({ received: 0, answered: 0, early: 0, onTime: 0, late: 0, openWithinDeadline: 0, overdue: 0, dueNextWeek: 0, awaitingBusiness: 0 });
const active = (f: WeeklyFigures) => Object.values(f).some((v) => v > 0);

export function weekOrThrow(text: string, field = 'week'): IsoWeek {
  const w = parseIsoWeek(text);
  if (!w) throw fieldError(field, `"${text}" is not an ISO week: use YYYY-Www, e.g. 2026-W10 (week 53 only in years that have one)`);
  return w;
}

/** The open cases at `end` (status then) that are overdue or due in [end, end + 7 days), oldest deadline first. */
async function openCaseList(ex: Executor, end: Date): Promise<Array<{ tracking_code: string; title: string; agency_id: number | null; resolve_due_at: Date; overdue: boolean }>> {
  const next = new Date(end.getTime() + 7 * DAY_MS);
  const r = await rows<{
    tracking_code: string;
    title: string;
    kind: string;
    confidential: boolean;
    consent_publish_name: boolean;
    business_name: string | null;
    contact_name: string | null;
    tax_code: string | null;
    phone: string | null;
    email: string | null;
    agency_id: number | string | null;
    resolve_due_at: Date | string;
    overdue: boolean;
  }>(
    ex,
    sql`with st as (
      select distinct on (e.case_id) e.case_id, e.to_status
      from case_events e
      where e.at < ${tsp(end)} and e.to_status is not null
      order by e.case_id, e.at desc, e.id desc
    )
    select c.tracking_code, c.title, c.kind, c.confidential, c.consent_publish_name, c.business_name, c.contact_name, c.tax_code,
      c.phone, c.email, c.agency_id, c.resolve_due_at, c.resolve_due_at < ${tsp(end)} as overdue
    from cases c left join st on st.case_id = c.id
    where c.received_at < ${tsp(end)}
      and coalesce(st.to_status, 'received') in ('received', 'assigned', 'in_progress')
      and c.resolve_due_at < ${tsp(next)}
    order by c.resolve_due_at, c.tracking_code`,
  );
  // the report goes by e-mail to agency leads: a title shows what staff mail shows (a confidential
  // reporter's own identity masked, docs/decisions.md "Who sees what")
  return r.map((x) => {
    const identity = { businessName: x.business_name, contactName: x.contact_name, taxCode: x.tax_code, phone: x.phone, email: x.email };
    const shown = discloseText(disclose({ kind: x.kind, confidential: x.confidential, consentPublishName: x.consent_publish_name, ...identity }, { kind: 'email', to: 'staff' }), x.title, identity) ?? '';
    return { tracking_code: x.tracking_code, title: shown, agency_id: x.agency_id == null ? null : Number(x.agency_id), resolve_due_at: new Date(x.resolve_due_at), overdue: x.overdue };
  });
}

/** Computes the week's report for the province (every agency), in one snapshot. */
export async function computeWeekly(ex: Executor, deps: { calendar: WorkingCalendar; clockService: ClockService }, w: IsoWeek): Promise<WeeklyReport> {
  const { start, end } = w;
  const cal = await sqlCalendar(ex, deps.calendar, deps.clockService.officeHours, end, start);
  const dims = ['agency', 'total'] as const;
  const agencyRows = await ex.select({ id: agencies.id, code: agencies.code, name: agencies.name }).from(agencies);
  const receivedOpen = await receivedOpenGroups(ex, start, end, [...dims]);
  const resolved = await resolvedGroups(ex, cal, start, end, [...dims]);
  const list = await openCaseList(ex, end);

  const names = new Map(agencyRows.map((a) => [a.id, a]));
  const byKey = new Map<string, WeeklyFigures>();
  const fig = (dim: string, key: string | null) => {
    const k = dim === 'total' ? 'total' : `a:${key ?? ''}`;
    let f = byKey.get(k);
    if (!f) byKey.set(k, (f = zero()));
    return f;
  };
  for (const r of receivedOpen) {
    const f = fig(r.dim, r.key);
    f.received = Number(r.n);
    f.openWithinDeadline = Number(r.within_deadline) - Number(r.awaiting_business);
    f.overdue = Number(r.overdue);
    f.awaitingBusiness = Number(r.awaiting_business);
  }
  for (const r of resolved) {
    const f = fig(r.dim, r.key);
    f.answered = Number(r.resolved);
    f.early = Number(r.early);
    f.onTime = Number(r.on_time);
    f.late = Number(r.late);
  }
  const cases = (overdue: boolean): WeeklyCase[] =>
    list
      .filter((c) => c.overdue === overdue)
      .map((c) => {
        const base: WeeklyCase = {
          trackingCode: c.tracking_code,
          title: c.title,
          agencyId: c.agency_id,
          agencyName: c.agency_id != null ? (names.get(c.agency_id)?.name ?? null) : null,
          resolveDueAt: toLocalIso(c.resolve_due_at),
        };
        if (!overdue) return base;
        const ms = workingMsBetween(deps.calendar, c.resolve_due_at, end);
        const days = Math.floor(ms / deps.calendar.officeDayMs);
        return {
          ...base,
          overdueWorkingDays: days,
          overdueWorkingHours: Math.floor((ms - days * deps.calendar.officeDayMs) / 3_600_000),
          overdueText: workingTimeVi(ms, deps.calendar.officeDayMs),
        };
      });
  const dueNextWeek = cases(false);
  for (const c of dueNextWeek) {
    fig('agency', c.agencyId == null ? null : String(c.agencyId)).dueNextWeek++;
    fig('total', '').dueNextWeek++;
  }
  const agencyList: WeeklyAgencyRow[] = [...byKey.entries()]
    .filter(([k, f]) => k !== 'total' && active(f))
    .map(([k, f]) => {
      const id = k === 'a:' ? null : Number(k.slice(2));
      const a = id != null ? names.get(id) : undefined;
      return { agencyId: id, code: a?.code ?? null, name: id == null ? UNASSIGNED_NAME : (a?.name ?? `#${id}`), ...f };
    })
    .sort((a, b) => (a.agencyId == null ? 1 : b.agencyId == null ? -1 : a.name.localeCompare(b.name, 'vi')));
  return {
    week: w.week,
    label: w.label,
    from: w.from,
    to: w.to,
    asOf: toLocalIso(end),
    scope: 'province',
    totals: byKey.get('total') ?? zero(),
    agencies: agencyList,
    overdue: cases(true),
    dueNextWeek,
  };
}

/** One agency's view of the province report (its row as the totals, its cases only). */
export function agencyView(r: WeeklyReport, agencyId: number, agencyName: string): WeeklyReport {
  const row = r.agencies.find((a) => a.agencyId === agencyId);
  const totals: WeeklyFigures = row ? { received: row.received, answered: row.answered, early: row.early, onTime: row.onTime, late: row.late, openWithinDeadline: row.openWithinDeadline, overdue: row.overdue, dueNextWeek: row.dueNextWeek, awaitingBusiness: row.awaitingBusiness } : zero();
  return {
    ...r,
    scope: 'agency',
    totals,
    agencies: [row ?? { agencyId, code: null, name: agencyName, ...zero() }],
    overdue: r.overdue.filter((c) => c.agencyId === agencyId),
    dueNextWeek: r.dueNextWeek.filter((c) => c.agencyId === agencyId),
  };
}

const CSV_HEADER = ['week', 'agency_code', 'agency', 'received', 'answered', 'early', 'on_time', 'late', 'open_within_deadline', 'overdue', 'due_next_week', 'awaiting_business'];

/** XLSX for people: the figures per agency (and the province), then the overdue and the due-next-week cases. */
export function weeklyXlsx(r: WeeklyReport, created: Date): Promise<Buffer> {
  const figures = (code: string | null, name: string, f: WeeklyFigures) => [code ?? '', name, f.received, f.answered, f.early, f.onTime, f.late, f.openWithinDeadline, f.overdue, f.dueNextWeek, f.awaitingBusiness];
  const count = (header: string): XlsxColumn => ({ header, kind: 'integer' });
  const caseCols: XlsxColumn[] = [{ header: 'Mã hồ sơ', width: 22 }, { header: 'Nội dung', width: 50 }, { header: 'Cơ quan', width: 30 }, { header: 'Hạn giải quyết', kind: 'datetime', width: 18 }];
  const caseRow = (c: WeeklyCase) => [c.trackingCode, c.title, c.agencyName ?? 'chưa phân công', c.resolveDueAt];
  return toXlsx(
    [
      {
        name: `Tuần ${r.week}`,
        columns: [
          { header: 'Mã cơ quan' },
          { header: 'Cơ quan', width: 40 },
          count('Tiếp nhận'),
          count('Đã trả lời'),
          count('Trước hạn'),
          count('Đúng hạn'),
          count('Quá hạn (đã trả lời)'),
          count('Đang xử lý trong hạn'),
          count('Quá hạn chưa trả lời'),
          count('Đến hạn tuần tới'),
          count('Chờ doanh nghiệp'),
        ],
        rows: [...r.agencies.map((a) => figures(a.code, a.name, a)), ...(r.scope === 'province' ? [figures('', 'Toàn tỉnh', r.totals)] : [])],
      },
      { name: 'Quá hạn', columns: [...caseCols, { header: 'Quá hạn', width: 24 }], rows: r.overdue.map((c) => [...caseRow(c), c.overdueText ?? '']) },
      { name: 'Đến hạn tuần tới', columns: caseCols, rows: r.dueNextWeek.map(caseRow) },
    ],
    { title: `Báo cáo tuần ${r.week}`, created },
  );
}

/** CSV: one row per agency, then the total. */
export function weeklyCsv(r: WeeklyReport): string {
  const line = (code: string | null, name: string, f: WeeklyFigures) => [r.week, code ?? '', name, f.received, f.answered, f.early, f.onTime, f.late, f.openWithinDeadline, f.overdue, f.dueNextWeek, f.awaitingBusiness];
  return toCsv(CSV_HEADER, [...r.agencies.map((a) => line(a.code, a.name, a)), ...(r.scope === 'province' ? [line('', 'Toàn tỉnh', r.totals)] : [])]);
}

// ---------------------------------------------------------------- e-mails

/** at most this many cases listed per section of a mail; the rest are counted */
export const MAIL_LIST_LIMIT = 30;

function figuresLines(f: WeeklyFigures): string {
  return [
    `Tiếp nhận trong tuần: ${f.received} hồ sơ.`,
    `Đã trả lời trong tuần: ${f.answered} hồ sơ (trước hạn ${f.early}, đúng hạn ${f.onTime}, quá hạn ${f.late}).`,
    `Đang xử lý trong hạn: ${f.openWithinDeadline} hồ sơ. Quá hạn chưa trả lời: ${f.overdue} hồ sơ.`,
    `Đến hạn trong tuần tới: ${f.dueNextWeek} hồ sơ. Chờ doanh nghiệp bổ sung thông tin: ${f.awaitingBusiness} hồ sơ.`,
  ].join('\n');
}

function caseLines(list: WeeklyCase[], line: (c: WeeklyCase) => string): string {
  const shown = list.slice(0, MAIL_LIST_LIMIT).map((c, i) => `${i + 1}. ${line(c)}`);
  if (list.length > MAIL_LIST_LIMIT) shown.push(`… và ${list.length - MAIL_LIST_LIMIT} hồ sơ khác (xem báo cáo tuần đầy đủ trên phần mềm nghiệp vụ).`);
  return shown.join('\n');
}

const overdueLine = (withAgency: boolean) => (c: WeeklyCase) =>
  `${c.trackingCode} "${c.title}"${withAgency ? ` — ${c.agencyName ?? 'chưa phân công cơ quan xử lý'}` : ''}: hạn ${fmtDateTime(new Date(c.resolveDueAt))}, quá hạn ${c.overdueText}`;
const dueLine = (withAgency: boolean) => (c: WeeklyCase) =>
  `${c.trackingCode} "${c.title}"${withAgency ? ` — ${c.agencyName ?? 'chưa phân công cơ quan xử lý'}` : ''}: hạn ${fmtDateTime(new Date(c.resolveDueAt))}`;

function lists(r: WeeklyReport, withAgency: boolean): string[] {
  return [
    r.overdue.length ? `Hồ sơ quá hạn (hạn sớm nhất trước):\n${caseLines(r.overdue, overdueLine(withAgency))}` : 'Không có hồ sơ quá hạn.',
    r.dueNextWeek.length ? `Hồ sơ đến hạn trong tuần tới:\n${caseLines(r.dueNextWeek, dueLine(withAgency))}` : 'Không có hồ sơ đến hạn trong tuần tới.',
  ];
}

/** To an agency's lead and contacts: the agency's week. */
export function weeklyAgencyMessage(r: WeeklyReport, agencyName: string, site?: SiteFooter | null): Rendered {
  const f = r.totals;
  return compose(
    `[Báo cáo ${r.label}] ${agencyName}: tiếp nhận ${f.received}, trả lời ${f.answered}, quá hạn ${f.overdue}`,
    [
      `Kính gửi lãnh đạo ${agencyName},`,
      `Tổ phản ứng nhanh gửi báo cáo tình hình tiếp nhận, xử lý phản ánh, kiến nghị của doanh nghiệp ${r.label} của đơn vị (số liệu đến 00:00 ngày ${r.asOf.slice(8, 10)}/${r.asOf.slice(5, 7)}/${r.asOf.slice(0, 4)}).`,
      figuresLines(f),
      ...lists(r, false),
      'Đề nghị đơn vị chỉ đạo trả lời ngay các hồ sơ quá hạn và bảo đảm thời hạn các hồ sơ đến hạn trong tuần tới. Hồ sơ được tra cứu theo mã trong danh sách hồ sơ của đơn vị trên phần mềm nghiệp vụ.',
    ],
    undefined,
    site,
  );
}

/** To the coordinators and the provincial leadership: the province's week, per agency. */
export function weeklyProvinceMessage(r: WeeklyReport, site?: SiteFooter | null): Rendered {
  const f = r.totals;
  const perAgency = r.agencies.length
    ? r.agencies
        .map(
          (a) =>
            `${a.name}: tiếp nhận ${a.received}; trả lời ${a.answered} (trước hạn ${a.early}, đúng hạn ${a.onTime}, quá hạn ${a.late}); trong hạn ${a.openWithinDeadline}; quá hạn ${a.overdue}; đến hạn tuần tới ${a.dueNextWeek}; chờ doanh nghiệp ${a.awaitingBusiness}.`,
        )
        .join('\n')
    : 'Không có hồ sơ nào trong tuần.';
  return compose(
    `[Báo cáo ${r.label}] Toàn tỉnh: tiếp nhận ${f.received}, trả lời ${f.answered}, quá hạn ${f.overdue}`,
    [
      'Kính gửi lãnh đạo UBND tỉnh và Tổ phản ứng nhanh,',
      `Báo cáo tình hình tiếp nhận, xử lý phản ánh, kiến nghị của doanh nghiệp ${r.label} trên toàn tỉnh (số liệu đến 00:00 ngày ${r.asOf.slice(8, 10)}/${r.asOf.slice(5, 7)}/${r.asOf.slice(0, 4)}).`,
      figuresLines(f),
      `Theo từng cơ quan:\n${perAgency}`,
      ...lists(r, true),
    ],
    undefined,
    site,
  );
}

// ---------------------------------------------------------------- service

export interface WeeklyRunResult {
  week: string;
  /** false: this week's report had been sent already (by this or another instance) */
  sent: boolean;
  messages: number;
  agencies: number;
}

export function createWeeklyReportService(deps: { db: Db; clock: Clock; clockService: ClockService; settings: SettingsService; mailDomain: string }) {
  const { db, clock, clockService, settings } = deps;

  async function compute(ex: Executor, w: IsoWeek): Promise<WeeklyReport> {
    const calendar = await clockService.loadCalendar(ex);
    return computeWeekly(ex, { calendar, clockService }, w);
  }

  function finished(w: IsoWeek, now: Date) {
    if (now < w.end) throw new Conflict(`The week ${w.week} is not over: it ends on ${w.to}; its report is available from ${toLocalIso(w.end)}`, { week: w.week });
  }

  /** The week's report, for the province or one agency (agency roles). */
  async function get(weekText: string, opts: { agencyId?: number | null } = {}): Promise<WeeklyReport> {
    const w = weekOrThrow(weekText);
    finished(w, clock.now());
    const r = await db.transaction(async (tx) => compute(tx, w));
    if (opts.agencyId != null) {
      const [a] = await db.select({ name: agencies.name }).from(agencies).where(sql`${agencies.id} = ${opts.agencyId}`);
      return agencyView(r, opts.agencyId, a?.name ?? '');
    }
    return r;
  }

  /**
   * Sends a week's report once: the claim (weekly_reports, primary key week) and every outgoing
   * mail are written in one transaction, so any number of instances, runs or restarts send it
   * once. Default week: the one before `now`.
   */
  async function run(now: Date, weekText?: string): Promise<WeeklyRunResult> {
    const w = weekText ? weekOrThrow(weekText) : previousIsoWeek(now);
    finished(w, now);
    const [done] = await db.select({ week: weeklyReports.week }).from(weeklyReports).where(sql`${weeklyReports.week} = ${w.week}`);
    if (done) return { week: w.week, sent: false, messages: 0, agencies: 0 };
    return db.transaction(async (tx) => {
      const r = await compute(tx, w);
      const s = await settings.get(tx);
      const site: SiteFooter = { provinceName: s.provinceName, hotline: s.hotline, officeAddress: s.officeAddress };
      const cal = await clockService.calendar(tx);
      let notBefore: Date | undefined;
      try {
        const at = nextInWindow(cal, settings.staffWindow(s), now);
        notBefore = at > now ? at : undefined;
      } catch {
        notBefore = undefined;
      }
      const contacts = await tx
        .select({ id: agencies.id, name: agencies.name, kind: agencies.kind, contactEmails: agencies.contactEmails, leadEmail: agencies.leadEmail })
        .from(agencies);
      const messages: OutgoingMessage[] = [];
      let agencyMails = 0;
      for (const a of r.agencies) {
        if (a.agencyId == null) continue;
        const c = contacts.find((x) => x.id === a.agencyId);
        if (!c) continue;
        const to = [...(c.leadEmail ? [c.leadEmail] : []), ...c.contactEmails];
        if (to.length === 0) continue;
        agencyMails++;
        messages.push({ template: 'weekly_agency', to, notBefore, ...weeklyAgencyMessage(agencyView(r, a.agencyId, c.name), c.name, site) });
      }
      const coordinators = s.coordinatorEmails.length ? s.coordinatorEmails : contacts.filter((c) => c.kind === 'coordinator').flatMap((c) => c.contactEmails);
      const province = [...coordinators, ...s.leadershipEmails];
      if (province.length) messages.push({ template: 'weekly_province', to: province, notBefore, ...weeklyProvinceMessage(r, site) });
      const won = await tx
        .insert(weeklyReports)
        .values({ week: w.week, sentAt: now, messages: messages.length })
        .onConflictDoNothing()
        .returning({ week: weeklyReports.week });
      if (won.length === 0) return { week: w.week, sent: false, messages: 0, agencies: 0 };
      await enqueueMessages(tx, deps.mailDomain, messages, now);
      return { week: w.week, sent: true, messages: messages.length, agencies: agencyMails };
    });
  }

  return { get, run, csv: weeklyCsv };
}

export type WeeklyReportService = ReturnType<typeof createWeeklyReportService>;
