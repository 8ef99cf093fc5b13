/**
 * The published report: its content, computed from the set-based queries of metrics-sql.ts in
 * one database snapshot (the answered-case figures from the answered cases the list reads,
 * resolved-groups.ts), and its CSV form (derived from the same object, so the two agree).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { agencies, categories } from '../../db/schema.js';
import { toLocalIso, type OfficePeriod, type WorkingCalendar } from '../../domain/calendar.js';
import { disclose, discloseText } from '../../domain/disclosure.js';
import { toCsv } from '../../lib/csv.js';
import { CHANNEL_LABEL_VI, type Channel } from '../intake/create-case.js';
import {
  activity,
  pauseGroups,
  receivedOpenGroups,
  eachResolvedCase,
  sqlCalendar,
  type CountRow,
  type ResolvedCaseRow,
  type ResolvedGroupRow,
} from './metrics-sql.js';
import { METHOD_TEXT, METHOD_VERSION } from './method.js';
import { answerOrderOf } from './answer-order.js';
import { answeredGroups } from './resolved-groups.js';
import type { Period, PeriodKind } from './period.js';

export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator / denominator rounded to 4 decimals; null when the denominator is 0 */
  value: number | null;
}

export interface CountItem {
  key: string | null;
  label: string;
  count: number;
}

export interface GroupRow {
  key: string | null;
  label: string;
  received: number;
  resolved: number;
  early: number;
  onTime: number;
  late: number;
  withExtension: number;
  onTimeRate: Rate;
  strictOnTimeRate: Rate;
  medianWorkingDays: number | null;
  /** fewer answered cases than minCell: shown, not ranked */
  smallCell: boolean;
}

export interface AgencyRow extends GroupRow {
  shortName: string | null;
  openWithinDeadline: number;
  overdue: number;
  /** 1 = best on-time rate; equal rates share a rank; null for small cells */
  rank: number | null;
}

export interface ReportCase {
  trackingCode: string;
  kind: string;
  category: string;
  agency: string;
  receivedAt: string;
  resolvedAt: string;
  outcome: string;
  resolvedWithExtension: boolean;
  workingDays: number;
  publicAnswer: string | null;
  businessName: string | null;
}

export interface Report {
  period: string;
  periodKind: PeriodKind;
  label: string;
  from: string;
  to: string;
  revision: number;
  methodVersion: string;
  method: string;
  generatedAt: string;
  minCell: number;
  totals: {
    received: { total: number; byChannel: CountItem[]; byKind: CountItem[]; byCategory: CountItem[]; byAgency: CountItem[] };
    resolved: { total: number; early: number; onTime: number; late: number; withExtension: number };
    onTimeRate: Rate;
    strictOnTimeRate: Rate;
    openAtPeriodEnd: { total: number; withinDeadline: number; overdue: number; awaitingBusiness: number };
    workingDaysToResolve: { count: number; median: number | null; p90: number | null };
    pauses: { count: number; workingDays: number };
    extensions: { approved: number; resolvedWithExtension: number };
    disputes: { count: number };
    satisfaction: { rated: number; satisfied: number; rate: Rate };
  };
  agencies: AgencyRow[];
  byCategory: GroupRow[];
  byChannel: GroupRow[];
  byKind: GroupRow[];
  cases: ReportCase[];
  /** the publisher's note on why this revision was published (revisions after the first; absent when none was given) */
  revisionNote?: string | null;
  /** the signed chain head at publication (absent in previews and in revisions published before it existed) */
  chainHead?: { n: number; seq: number; hash: string; at: string; signature: string } | null;
}

export const KIND_LABEL_VI: Record<string, string> = {
  phan_anh: 'Phản ánh',
  kien_nghi: 'Kiến nghị',
  to_cao: 'Tố cáo',
  khieu_nai: 'Khiếu nại',
};
export const OUTCOME_LABEL_VI: Record<string, string> = { early: 'Trước hạn', on_time: 'Đúng hạn', late: 'Trễ hạn' };
export const NO_AGENCY_LABEL = 'Chưa giao cơ quan (chờ điều phối)';
export const NO_CATEGORY_LABEL = 'Chưa phân loại';

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f + (x >= 0 ? 1e-9 : -1e-9)) / f;
};
const round2 = (x: number | null | undefined) => (x == null ? null : round(Number(x), 2));

export function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, value: denominator > 0 ? round(numerator / denominator, 4) : null };
}


/**
 * What the publication shows of an answered case (audience publication, src/domain/disclosure.ts):
 * the answer with personal data masked (maskPersonalText, and the case's own identity unless the
 * business consented), and the business name only with consent on a case that is not confidential.
 */
function published(c: ResolvedCaseRow): { publicAnswer: string | null; businessName: string | null } {
  const d = disclose({ kind: c.kind, confidential: c.confidential, consentPublishName: c.consent_publish_name }, { kind: 'publication' });
  const who = { businessName: c.business_name, contactName: c.contact_name, taxCode: c.tax_code, phone: c.phone, email: c.email, consentPublishName: c.consent_publish_name, confidential: c.confidential };
  return { publicAnswer: discloseText(d, c.public_answer, who), businessName: d.reporter === 'business_name' ? c.business_name : null };
}

type Labels = {
  agency: Map<string, { code: string; name: string; shortName: string | null }>;
  category: Map<string, { code: string; name: string }>;
};

function labelOf(dim: 'agency' | 'category' | 'channel' | 'kind', key: string | null, labels: Labels): { key: string | null; label: string } {
  if (dim === 'agency') {
    const a = key == null ? undefined : labels.agency.get(key);
    return a ? { key: a.code, label: a.name } : { key: null, label: NO_AGENCY_LABEL };
  }
  if (dim === 'category') {
    const c = key == null ? undefined : labels.category.get(key);
    return c ? { key: c.code, label: c.name } : { key: null, label: NO_CATEGORY_LABEL };
  }
  if (dim === 'channel') return { key, label: key ? (CHANNEL_LABEL_VI[key as Channel] ?? key) : '' };
  return { key, label: key ? (KIND_LABEL_VI[key] ?? key) : '' };
}

/** code order; the "none" row (null key) last */
const keyOrder = (a: string | null, b: string | null) => (a === b ? 0 : a == null ? 1 : b == null ? -1 : a < b ? -1 : 1);
const byCountThenKey = (a: { count: number; key: string | null }, b: { count: number; key: string | null }) => b.count - a.count || keyOrder(a.key, b.key);

/** Compares two rates exactly (cross-multiplied); null rates sort last. */
function compareRates(a: Rate, b: Rate): number {
  if (a.value == null || b.value == null) return (a.value == null ? 1 : 0) - (b.value == null ? 1 : 0);
  return b.numerator * a.denominator - a.numerator * b.denominator;
}

export interface ComputeDeps {
  /** starts reads of the same snapshot beside the report's own (or defers them to its executor); the function gives their result */
  alongside: <T>(fn: (ex: Executor) => Promise<T>) => Promise<() => Promise<T>>;
  calendar: WorkingCalendar;
  officeHours: OfficePeriod[];
  minCell: number;
}

/** Computes the report of a period as of `now` (run it inside one transaction: one snapshot). */
export async function computeReport(ex: Executor, deps: ComputeDeps, period: Period, now: Date, revision: number): Promise<Report> {
  const { start, end } = period;
  // the aggregates sort and hash every answered case of the period: keep them in memory
  await ex.execute(sql`set local work_mem = '128MB'`);
  const cal = await sqlCalendar(ex, deps.calendar, deps.officeHours, end > now ? end : now, start);
  const dims = ['agency', 'category', 'channel', 'kind', 'total'] as const;
  const [agencyRows, categoryRows] = [
    await ex.select({ id: agencies.id, code: agencies.code, name: agencies.name, shortName: agencies.shortName }).from(agencies),
    await ex.select({ id: categories.id, code: categories.code, name: categories.name }).from(categories),
  ];
  const labels: Labels = {
    agency: new Map(agencyRows.map((a) => [String(a.id), { code: a.code, name: a.name, shortName: a.shortName }])),
    category: new Map(categoryRows.map((c) => [String(c.id), { code: c.code, name: c.name }])),
  };
  // each agency's and category's label once, not per listed case
  const labelCache = { agency: new Map<number | null, string>(), category: new Map<number | null, string>() };
  const labelFor = (dim: 'agency' | 'category', id: number | null): string => {
    let l = labelCache[dim].get(id);
    if (l === undefined) labelCache[dim].set(id, (l = labelOf(dim, id == null ? null : String(id), labels).label));
    return l;
  };
  // the other figures: on PostgreSQL on a second connection in the same snapshot, while the
  // answered cases are read on this one (src/db/client.ts alongside); else after them
  const others = await deps.alongside(async (ax) => {
    if (ax !== ex) await ax.execute(sql`set local work_mem = '128MB'`);
    return [await receivedOpenGroups(ax, start, end, [...dims]), await pauseGroups(ax, cal, start, end, ['total']), await activity(ax, start, end)] as const;
  });
  // the answered cases are read once, for the published list and the figures aggregated from
  // it; each is mapped as it arrives (the rows are not kept), and the list is ordered after
  const figures = answeredGroups(dims);
  const arrived: ReportCase[] = [];
  const answeredAt: number[] = [];
  const codes: string[] = [];
  await eachResolvedCase(ex, cal, start, end, (c) => {
    figures.add(c);
    const p = published(c);
    answeredAt.push(c.resolved_at_us);
    codes.push(c.tracking_code);
    arrived.push({
      trackingCode: c.tracking_code,
      kind: c.kind,
      category: labelFor('category', c.category_id),
      agency: labelFor('agency', c.agency_id),
      receivedAt: toLocalIso(new Date(c.received_at)),
      resolvedAt: toLocalIso(new Date(Math.floor(c.resolved_at_us / 1000))),
      outcome: c.outcome,
      resolvedWithExtension: Boolean(c.resolved_with_extension),
      workingDays: round2(c.wdays) ?? 0,
      publicAnswer: p.publicAnswer,
      businessName: p.businessName,
    });
  });
  const order = answerOrderOf(answeredAt, codes);
  const cases: ReportCase[] = new Array(order.length);
  for (let i = 0; i < order.length; i++) cases[i] = arrived[order[i]];
  const resolved = figures.rows();
  const [receivedOpen, pauses, act] = await others();
  // the groups with a case received in the period, and those with a case open at its end
  const received: CountRow[] = receivedOpen.filter((r) => r.n > 0).map((r) => ({ dim: r.dim, key: r.key, n: r.n }));
  const open = receivedOpen.filter((r) => (r.dim === 'agency' || r.dim === 'total') && r.total > 0);
  const pick = <T extends { dim: string; key: string | null }>(list: T[], dim: string) => list.filter((r) => r.dim === dim);
  const total = <T extends { dim: string }>(list: T[]) => list.find((r) => r.dim === 'total');

  const countItems = (dim: 'agency' | 'category' | 'channel' | 'kind'): CountItem[] =>
    pick<CountRow>(received, dim)
      .map((r) => ({ ...labelOf(dim, r.key, labels), count: r.n }))
      .sort(byCountThenKey);

  const groupRows = (dim: 'agency' | 'category' | 'channel' | 'kind'): Map<string | null, GroupRow> => {
    const out = new Map<string | null, GroupRow>();
    const blank = (key: string | null): GroupRow => groupRowsBlank(labelOf(dim, key, labels));
    for (const r of pick<CountRow>(received, dim)) out.set(r.key, { ...blank(r.key), received: r.n });
    for (const r of pick<ResolvedGroupRow>(resolved, dim)) {
      const g = out.get(r.key) ?? blank(r.key);
      out.set(r.key, {
        ...g,
        resolved: r.resolved,
        early: r.early,
        onTime: r.on_time,
        late: r.late,
        withExtension: r.with_extension,
        onTimeRate: rate(r.early + r.on_time, r.resolved),
        strictOnTimeRate: rate(r.strict_on_time, r.resolved),
        medianWorkingDays: round2(r.median),
      });
    }
    for (const g of out.values()) g.smallCell = g.resolved < deps.minCell;
    return out;
  };
  const sortedGroups = (m: Map<string | null, GroupRow>) =>
    [...m.values()].sort((a, b) => b.resolved - a.resolved || b.received - a.received || keyOrder(a.key, b.key));

  // agencies: every agency with a case received, answered or open at the end of the period
  const agencyGroups = groupRows('agency');
  for (const o of pick(open, 'agency')) if (!agencyGroups.has(o.key)) agencyGroups.set(o.key, { ...groupRowsBlank(labelOf('agency', o.key, labels)), smallCell: true });
  const agencyList: AgencyRow[] = [...agencyGroups.entries()]
    .filter(([key]) => key != null)
    .map(([key, g]) => {
      const o = open.find((r) => r.dim === 'agency' && r.key === key);
      return { ...g, shortName: labels.agency.get(key!)?.shortName ?? null, openWithinDeadline: o?.within_deadline ?? 0, overdue: o?.overdue ?? 0, rank: null };
    });
  const ranked = agencyList.filter((a) => !a.smallCell && a.onTimeRate.value != null).sort((a, b) => compareRates(a.onTimeRate, b.onTimeRate));
  ranked.forEach((a, i) => {
    a.rank = i > 0 && compareRates(ranked[i - 1].onTimeRate, a.onTimeRate) === 0 ? ranked[i - 1].rank : i + 1;
  });
  agencyList.sort(
    (a, b) =>
      (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
      b.resolved - a.resolved ||
      b.received - a.received ||
      keyOrder(a.key, b.key),
  );

  const rt = total(resolved);
  const ot = total(open);
  const pt = total(pauses);
  const resolvedTotal = rt?.resolved ?? 0;
  return {
    period: period.period,
    periodKind: period.kind,
    label: period.label,
    from: period.from,
    to: period.to,
    revision,
    methodVersion: METHOD_VERSION,
    method: METHOD_TEXT,
    generatedAt: toLocalIso(now),
    minCell: deps.minCell,
    totals: {
      received: {
        total: total(received)?.n ?? 0,
        byChannel: countItems('channel'),
        byKind: countItems('kind'),
        byCategory: countItems('category'),
        byAgency: countItems('agency'),
      },
      resolved: {
        total: resolvedTotal,
        early: rt?.early ?? 0,
        onTime: rt?.on_time ?? 0,
        late: rt?.late ?? 0,
        withExtension: rt?.with_extension ?? 0,
      },
      onTimeRate: rate((rt?.early ?? 0) + (rt?.on_time ?? 0), resolvedTotal),
      strictOnTimeRate: rate(rt?.strict_on_time ?? 0, resolvedTotal),
      openAtPeriodEnd: {
        total: ot?.total ?? 0,
        withinDeadline: ot?.within_deadline ?? 0,
        overdue: ot?.overdue ?? 0,
        awaitingBusiness: ot?.awaiting_business ?? 0,
      },
      workingDaysToResolve: { count: resolvedTotal, median: round2(rt?.median), p90: round2(rt?.p90) },
      pauses: { count: pt?.n ?? 0, workingDays: round2((pt?.ms ?? 0) / deps.calendar.officeDayMs) ?? 0 },
      extensions: { approved: act.extensions, resolvedWithExtension: rt?.with_extension ?? 0 },
      disputes: { count: act.disputes },
      satisfaction: { rated: act.rated, satisfied: act.satisfied, rate: rate(act.satisfied, act.rated) },
    },
    agencies: agencyList,
    byCategory: sortedGroups(groupRows('category')),
    byChannel: sortedGroups(groupRows('channel')),
    byKind: sortedGroups(groupRows('kind')),
    cases,
  };
}

function groupRowsBlank(l: { key: string | null; label: string }): GroupRow {
  return {
    ...l,
    received: 0,
    resolved: 0,
    early: 0,
    onTime: 0,
    late: 0,
    withExtension: 0,
    onTimeRate: rate(0, 0),
    strictOnTimeRate: rate(0, 0),
    medianWorkingDays: null,
    smallCell: true,
  };
}

// ---------------------------------------------------------------------------------------- CSV

const CASE_COLUMNS = [
  'trackingCode',
  'kind',
  'category',
  'agency',
  'receivedAt',
  'resolvedAt',
  'outcome',
  'resolvedWithExtension',
  'workingDays',
  'publicAnswer',
  'businessName',
] as const;

function flatten(prefix: string, v: unknown, out: Array<[string, unknown]>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  } else {
    out.push([prefix, v]);
  }
}

/**
 * The report as CSV: a block of figures in long form (section, key, label, metric, value), an
 * empty line, then the list of answered cases. Every number is the one of the JSON report.
 * Stored without a byte-order mark (some drivers drop a leading one when reading text); the
 * route sends the mark before the stored text.
 */
export function reportCsv(r: Report): string {
  const { figures, cases } = reportTables(r);
  const head = toCsv([...FIGURE_COLUMNS], figures);
  const list = toCsv([...CASE_COLUMNS], cases);
  // the two blocks are separated by an empty line
  return head.replace(/^\uFEFF/, '') + '\r\n' + list.replace(/^\uFEFF/, '');
}

export const FIGURE_COLUMNS = ['section', 'key', 'label', 'metric', 'value'] as const;
export { CASE_COLUMNS as REPORT_CASE_COLUMNS };

/** The report's two tables (figures in long form, answered cases), as the CSV and the XLSX write them. */
export function reportTables(r: Report): { figures: unknown[][]; cases: unknown[][] } {
  const figures: unknown[][] = [];
  const meta: Array<[string, unknown]> = [
    ['period', r.period],
    ['label', r.label],
    ['from', r.from],
    ['to', r.to],
    ['revision', r.revision],
    ['methodVersion', r.methodVersion],
    ['generatedAt', r.generatedAt],
    ['minCell', r.minCell],
  ];
  for (const [k, v] of meta) figures.push(['report', '', '', k, v]);
  const { received, ...rest } = r.totals;
  figures.push(['totals', '', '', 'received.total', received.total]);
  for (const [name, items] of [
    ['received.byChannel', received.byChannel],
    ['received.byKind', received.byKind],
    ['received.byCategory', received.byCategory],
    ['received.byAgency', received.byAgency],
  ] as const) {
    for (const i of items) figures.push([name, i.key ?? '', i.label, 'count', i.count]);
  }
  const flat: Array<[string, unknown]> = [];
  flatten('', rest, flat);
  for (const [k, v] of flat) figures.push(['totals', '', '', k, v]);
  for (const [section, list] of [
    ['agencies', r.agencies],
    ['byCategory', r.byCategory],
    ['byChannel', r.byChannel],
    ['byKind', r.byKind],
  ] as const) {
    for (const row of list as GroupRow[]) {
      const { key, label, ...values } = row;
      const f: Array<[string, unknown]> = [];
      flatten('', values, f);
      for (const [k, v] of f) figures.push([section, key ?? '', label, k, v]);
    }
  }
  return { figures, cases: r.cases.map((c) => CASE_COLUMNS.map((k) => c[k])) };
}
