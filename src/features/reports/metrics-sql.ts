/**
 * Set-based SQL for the publication and inspection figures. Every figure is one aggregate query
 * over the cases, case_pauses, case_extensions and case_events tables, except the monthly
 * report's answered-case figures: the report reads its answered cases anyway for the published
 * list (resolvedCases), and resolved-groups.ts aggregates that one result to the numbers
 * resolvedGroups gives.
 *
 * Working time is measured in SQL from the working days (local day ordinals, days since
 * 1970-01-01 in Asia/Ho_Chi_Minh), which come from the domain's working calendar (the
 * calendar_years table, with the Labour Code defaults for years without an entry) and are passed
 * as an ascending int[] parameter, together with the office periods. The office time of an
 * interval [a, b) is the sum, over the working days it touches and the office periods of each,
 * of the overlap of the interval with that period — the same measure as the domain's
 * workingMsBetween() — computed in closed form per interval (see officeMs). Instants are handled as epoch milliseconds, so no time-zone database is
 * needed in SQL (UTC+7 has no daylight saving).
 */
import { sql, type SQL } from 'drizzle-orm';
import { eachRow, rows, type Executor } from '../../db/client.js';
import { answerOrderOf } from './answer-order.js';
import { DAY_MS, isWorkingDay, localDayOrdinal, ordinalToDate, VN_OFFSET_MS, type OfficePeriod, type WorkingCalendar } from '../../domain/calendar.js';

/** The calendar as SQL parameters. */
export interface SqlCalendar {
  /** working day ordinals, ascending */
  days: number[];
  /** office periods in ms after local midnight */
  periods: Array<{ s: number; e: number }>;
  /** office time of one working day, ms */
  dayMs: number;
}

const hhmm = (s: string) => {
  const [h, m] = s.split(':').map(Number);
  return h * 3_600_000 + m * 60_000;
};

/** Working days from the first case received (or `from`) to `to`, as the SQL calendar. */
export async function sqlCalendar(ex: Executor, cal: WorkingCalendar, officeHours: OfficePeriod[], to: Date, from?: Date): Promise<SqlCalendar> {
  const [r] = await rows<{ first: Date | string | null }>(ex, sql`select min(received_at) as first from cases`);
  const firstCase = r?.first ? new Date(r.first) : null;
  const lo = Math.min(localDayOrdinal(firstCase ?? to), localDayOrdinal(from ?? to)) - 1;
  const hi = localDayOrdinal(to) + 1;
  const days: number[] = [];
  for (let d = lo; d <= hi; d++) if (isWorkingDay(cal, ordinalToDate(d))) days.push(d);
  const periods = officeHours.map((p) => ({ s: hhmm(p.start), e: hhmm(p.end) }));
  return { days, periods, dayMs: cal.officeDayMs };
}

/** a timestamptz parameter (ISO text, the same on both drivers) */
export const tsp = (d: Date) => sql`${d.toISOString()}::timestamptz`;

const epochMs = (col: SQL) => sql`(extract(epoch from ${col}) * 1000)::bigint`;

/** CTEs wd(d) and op(s, e): the calendar day table and the office periods. */
export function calendarCtes(c: SqlCalendar): SQL {
  const days = `{${c.days.join(',')}}`;
  const periods = sql.join(
    c.periods.map((p) => sql`(${p.s}::bigint, ${p.e}::bigint)`),
    sql`, `,
  );
  return sql`wd as (select unnest(${days}::int[]) as d),
    op as (select s, e from (values ${periods}) as p(s, e))`;
}

/**
 * Office milliseconds of [a, b) (epoch-ms SQL expressions) as a closed form, without joining a
 * day table: with F(t) the office time from the first working day of the calendar to t, the
 * office time of [a, b) is F(b) − F(a) (0 when b <= a). F(t) is the number of working days before
 * t's local day times the office time of a whole day, plus, when t's day is a working day, the
 * office time of that day before t. The number of working days before a day is a binary search
 * in the ascending day array (width_bucket). This is the sum, over the working days the interval
 * touches and the office periods of each, of the overlap of the interval with that period.
 */
export function officeMs(c: SqlCalendar, a: SQL, b: SQL): SQL {
  const periods = c.periods.filter((p) => p.e > p.s);
  if (c.days.length === 0 || periods.length === 0) return sql`0::bigint`;
  const full = periods.reduce((t, p) => t + (p.e - p.s), 0);
  const days = sql`${`{${c.days.join(',')}}`}::int[]`;
  const f = (t: SQL): SQL => {
    const d = sql`((${t} + ${sql.raw(String(VN_OFFSET_MS))}) / ${sql.raw(String(DAY_MS))})`;
    const before = sql`width_bucket((${d} - 1)::int, ${days})`;
    const tod = sql`(${t} - (${d} * ${sql.raw(String(DAY_MS))} - ${sql.raw(String(VN_OFFSET_MS))}))`;
    const partial = sql.join(
      periods.map((p) => sql`(least(greatest(${tod}, ${sql.raw(`${p.s}::bigint`)}), ${sql.raw(`${p.e}::bigint`)}) - ${sql.raw(`${p.s}::bigint`)})`),
      sql` + `,
    );
    return sql`(${before}::bigint * ${sql.raw(String(full))}::bigint + case when width_bucket(${d}::int, ${days}) > ${before} then ${partial} else 0::bigint end)`;
  };
  return sql`(case when ${b} > ${a} then ${f(b)} - ${f(a)} else 0::bigint end)`;
}

/**
 * Office milliseconds per (id, sign) of a relation iv(id, sign, a_ms, b_ms) (a CTE named iv): the
 * sum of each interval's office time.
 */
const overlap = (c: SqlCalendar): SQL => sql`select iv.id, iv.sign, sum(${officeMs(c, sql`iv.a_ms`, sql`iv.b_ms`)})::float8 as ms
    from iv
    where iv.b_ms > iv.a_ms
    group by iv.id, iv.sign`;

/** Local YYYY-MM of an epoch-ms expression, without a time-zone database. */
const localMonth = (msExpr: SQL) => sql`to_char(date '1970-01-01' + ((${msExpr} + ${sql.raw(String(VN_OFFSET_MS))}) / ${sql.raw(String(DAY_MS))})::int, 'YYYY-MM')`;

/**
 * CTEs for the cases answered in [start, end): base(id, …, a_ms, b_ms, wdays, paused_wdays),
 * where wdays is the office time from receipt to the answer minus the office time spent waiting
 * for the business (case_pauses, clipped to the case), in working days. "Answered" means the
 * case carries an outcome and is resolved or closed (a reopened case counts again when it is
 * answered again). The cases are read once: the pauses of the answered cases are summed first
 * (pz) and joined to them by id.
 */
export function resolvedCtes(c: SqlCalendar, start: Date, end: Date, extraWhere: SQL = sql``, extraColumns: SQL = sql``): SQL {
  const where = sql`c.resolved_at >= ${tsp(start)} and c.resolved_at < ${tsp(end)}
        and c.outcome is not null and c.status in ('resolved', 'closed') ${extraWhere}`;
  const a = epochMs(sql`c.received_at`);
  const b = epochMs(sql`c.resolved_at`);
  return sql`${calendarCtes(c)},
    pz as (
      select p.case_id as id,
        sum(${officeMs(c, sql`greatest(${a}, ${epochMs(sql`p.started_at`)})`, sql`least(${b}, ${epochMs(sql`p.ended_at`)})`)})::float8 as ms
      from case_pauses p join cases c on c.id = p.case_id
      where ${where}
      group by p.case_id
    ),
    base as (
      select r.*,
             (${officeMs(c, sql`r.a_ms`, sql`r.b_ms`)}::float8 - coalesce(pz.ms, 0)) / ${c.dayMs}::float8 as wdays,
             coalesce(pz.ms, 0) / ${c.dayMs}::float8 as paused_wdays
      from (
        select c.id, c.agency_id, c.category_id, c.channel, c.kind, c.outcome, c.resolved_with_extension,
               c.received_at, c.resolved_at, c.tracking_code, c.public_answer, ${extraColumns}
               ${a} as a_ms, ${b} as b_ms
        from cases c
        where ${where}
        offset 0 -- computes each case's instants once, not in every term of the office-time expression
      ) r left join pz on pz.id = r.id
    )`;
}

/**
 * Given CTEs wd, op and base(id, a_ms, b_ms), the CTEs pz and dur(id, wdays, paused_wdays):
 * office time of [a, b) net of the pauses clipped to it, and the office time of the pauses, in
 * working days.
 */
export function durationCtes(c: SqlCalendar): SQL {
  const pa = sql`greatest(b.a_ms, ${epochMs(sql`p.started_at`)})`;
  const pb = sql`least(b.b_ms, ${epochMs(sql`p.ended_at`)})`;
  return sql`pz as (
      select b.id, sum(${officeMs(c, pa, pb)})::float8 as ms
      from base b join case_pauses p on p.case_id = b.id
      group by b.id
    ),
    dur as (
      select b.id,
        (${officeMs(c, sql`b.a_ms`, sql`b.b_ms`)}::float8 - coalesce(pz.ms, 0)) / ${c.dayMs}::float8 as wdays,
        coalesce(pz.ms, 0) / ${c.dayMs}::float8 as paused_wdays
      from base b left join pz on pz.id = b.id
    )`;
}

export type Dim = 'agency' | 'category' | 'channel' | 'kind' | 'month' | 'total';

const dimExpr: Record<Dim, SQL> = {
  agency: sql`r.agency_id::text`,
  category: sql`r.category_id::text`,
  channel: sql`r.channel`,
  kind: sql`r.kind`,
  month: localMonth(sql`r.b_ms`),
  total: sql`''`,
};

/** Unpivots each row into one row per requested dimension (dim, key), to aggregate in one pass. */
function dimsLateral(dims: Dim[], exprs: Record<Dim, SQL> = dimExpr): SQL {
  return sql`cross join lateral (values ${sql.join(
    dims.map((d) => sql`(${d}, ${exprs[d]})`),
    sql`, `,
  )}) as g(dim, key)`;
}

/**
 * One grouping set per requested dimension, aggregated in one pass over the rows: the clause
 * `group by grouping sets (…)` and the columns dim and key (the key of 'total' is '').
 */
function dimsGroupingSets(dims: Dim[], exprs: Record<Dim, SQL> = dimExpr): { select: SQL; groupBy: SQL } {
  const keyed = dims.filter((d) => d !== 'total');
  const sets = [...keyed.map((d) => sql`(${exprs[d]})`), ...(dims.includes('total') ? [sql`()`] : [])];
  const whens = (value: (d: Dim) => SQL) => sql.join(keyed.map((d) => sql` when grouping(${exprs[d]}) = 0 then ${value(d)}`), sql``);
  const select =
    keyed.length === 0
      ? sql`'total'::text as dim, ''::text as key`
      : sql`(case${whens((d) => sql`${d}::text`)} else 'total' end) as dim, (case${whens((d) => sql`(${exprs[d]})::text`)} else '' end) as key`;
  return { select, groupBy: sql`group by grouping sets (${sql.join(sets, sql`, `)})` };
}

export interface ResolvedGroupRow {
  dim: Dim;
  key: string | null;
  resolved: number;
  early: number;
  on_time: number;
  late: number;
  with_extension: number;
  strict_on_time: number;
  median: number | null;
  p90: number | null;
}

/** Answered cases in [start, end) aggregated per requested dimension. */
export async function resolvedGroups(ex: Executor, c: SqlCalendar, start: Date, end: Date, dims: Dim[], extraWhere?: SQL): Promise<ResolvedGroupRow[]> {
  const g = dimsGroupingSets(dims);
  return rows<ResolvedGroupRow>(
    ex,
    sql`with ${resolvedCtes(c, start, end, extraWhere)}
    select ${g.select},
      count(*)::int as resolved,
      count(*) filter (where r.outcome = 'early')::int as early,
      count(*) filter (where r.outcome = 'on_time')::int as on_time,
      count(*) filter (where r.outcome = 'late')::int as late,
      count(*) filter (where r.resolved_with_extension)::int as with_extension,
      count(*) filter (where r.outcome in ('early', 'on_time') and not coalesce(r.resolved_with_extension, false))::int as strict_on_time,
      percentile_cont(0.5) within group (order by r.wdays) as median,
      percentile_cont(0.9) within group (order by r.wdays) as p90
    from base r
    ${g.groupBy}`,
  );
}

export interface ResolvedCaseRow {
  tracking_code: string;
  kind: string;
  agency_id: number | null;
  category_id: number | null;
  channel: string;
  /** epoch milliseconds, truncated like a Date (numbers parse faster than timestamps) */
  received_at: number;
  /** epoch microseconds: the order of the list (the instant as stored, not rounded to a millisecond) */
  resolved_at_us: number;
  outcome: string;
  resolved_with_extension: boolean | null;
  wdays: number;
  public_answer: string | null;
  /** the reporter, for the publication's disclosure decision (src/domain/disclosure.ts): never published as such */
  business_name: string | null;
  contact_name: string | null;
  tax_code: string | null;
  phone: string | null;
  email: string | null;
  consent_publish_name: boolean;
  confidential: boolean;
}

/** What the answered-case query selects for each field of a ResolvedCaseRow. */
const RESOLVED_CASE_SELECT: Record<keyof ResolvedCaseRow, SQL> = {
  tracking_code: sql`r.tracking_code`,
  kind: sql`r.kind`,
  agency_id: sql`r.agency_id`,
  category_id: sql`r.category_id`,
  channel: sql`r.channel`,
  received_at: sql`floor(extract(epoch from r.received_at) * 1000)::float8`,
  resolved_at_us: sql`(extract(epoch from r.resolved_at) * 1000000)::float8`,
  outcome: sql`r.outcome`,
  resolved_with_extension: sql`r.resolved_with_extension`,
  wdays: sql`r.wdays`,
  public_answer: sql`r.public_answer`,
  business_name: sql`r.business_name`,
  contact_name: sql`r.contact_name`,
  tax_code: sql`r.tax_code`,
  phone: sql`r.phone`,
  email: sql`r.email`,
  consent_publish_name: sql`r.consent_publish_name`,
  confidential: sql`r.confidential`,
};
/** The position of each field in a row read as an array (the select list follows it). */
const at: Readonly<Record<keyof ResolvedCaseRow, number>> = {
  tracking_code: 0,
  kind: 1,
  agency_id: 2,
  category_id: 3,
  channel: 4,
  received_at: 5,
  resolved_at_us: 6,
  outcome: 7,
  resolved_with_extension: 8,
  wdays: 9,
  public_answer: 10,
  business_name: 11,
  contact_name: 12,
  tax_code: 13,
  phone: 14,
  email: 15,
  consent_publish_name: 16,
  confidential: 17,
};
const RESOLVED_CASE_COLUMNS = (Object.keys(at) as Array<keyof ResolvedCaseRow>).sort((a, b) => at[a] - at[b]);
if (RESOLVED_CASE_COLUMNS.some((k, i) => at[k] !== i)) throw new Error('the positions of the answered-case columns must be 0 … n − 1');

/** One string per value of a column with few values (kind, channel, outcome), not one per row. */
function interned(): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    let v = seen.get(s);
    if (v === undefined) seen.set(s, (v = s));
    return v;
  };
}

/**
 * The answered cases of [start, end), with their working days, the dimensions the figures group
 * by, and what the publication decides on (consent, confidentiality, identity): one read of the
 * month's answered cases for both the published list and its figures (resolved-groups.ts).
 *
 * Each case is handed to `onCase` as it arrives, in no particular order (the database does not
 * sort them: the caller orders what it keeps with answer-order.ts), so that on PostgreSQL the
 * cases are mapped while the rest are still computed and sent, and the rows themselves are not
 * kept (src/db/client.ts eachRow).
 */
export async function eachResolvedCase(ex: Executor, c: SqlCalendar, start: Date, end: Date, onCase: (row: ResolvedCaseRow) => void): Promise<void> {
  const reporter = sql`c.business_name, c.contact_name, c.tax_code, c.phone, c.email, c.consent_publish_name, c.confidential,`;
  const select = sql.join(
    RESOLVED_CASE_COLUMNS.map((k) => sql`${RESOLVED_CASE_SELECT[k]} as ${sql.identifier(k)}`),
    sql`, `,
  );
  const [kind, channel, outcome] = [interned(), interned(), interned()];
  await eachRow(ex, sql`with ${resolvedCtes(c, start, end, sql``, reporter)} select ${select} from base r`, (a) =>
    onCase({
      tracking_code: a[at.tracking_code] as string,
      kind: kind(a[at.kind] as string),
      agency_id: a[at.agency_id] as number | null,
      category_id: a[at.category_id] as number | null,
      channel: channel(a[at.channel] as string),
      received_at: a[at.received_at] as number,
      resolved_at_us: a[at.resolved_at_us] as number,
      outcome: outcome(a[at.outcome] as string),
      resolved_with_extension: a[at.resolved_with_extension] as boolean | null,
      wdays: a[at.wdays] as number,
      public_answer: a[at.public_answer] as string | null,
      business_name: a[at.business_name] as string | null,
      contact_name: a[at.contact_name] as string | null,
      tax_code: a[at.tax_code] as string | null,
      phone: a[at.phone] as string | null,
      email: a[at.email] as string | null,
      consent_publish_name: a[at.consent_publish_name] as boolean,
      confidential: a[at.confidential] as boolean,
    }),
  );
}

/** The answered cases of [start, end) as a list in the published order (eachResolvedCase, collected). */
export async function resolvedCases(ex: Executor, c: SqlCalendar, start: Date, end: Date): Promise<ResolvedCaseRow[]> {
  const list: ResolvedCaseRow[] = [];
  await eachResolvedCase(ex, c, start, end, (r) => list.push(r));
  return Array.from(answerOrderOf(list.map((r) => r.resolved_at_us), list.map((r) => r.tracking_code)), (i) => list[i]);
}

export interface CountRow {
  dim: Dim;
  key: string | null;
  n: number;
}

export interface OpenGroupRow {
  dim: Dim;
  key: string | null;
  total: number;
  within_deadline: number;
  overdue: number;
  awaiting_business: number;
}

export interface ReceivedOpenGroupRow extends OpenGroupRow {
  /** cases received in [start, end) */
  n: number;
}

/**
 * In one pass over the cases received before `end`, per dimension: the cases received in
 * [start, end) (n), and the cases open at the instant `end` (total, within_deadline, overdue,
 * awaiting_business). A case is open at `end` when its status at that instant (the last status
 * change on the timeline before it; `received` when none is) is an open one. A case waiting for
 * the business has its clock stopped and counts as within its deadline; any other open case is
 * overdue when its resolve deadline is before `end`. Groups where both n and total are 0 are
 * returned too: the caller keeps the groups with n > 0 (received), respectively total > 0 (open).
 */
export async function receivedOpenGroups(ex: Executor, start: Date, end: Date, dims: Dim[]): Promise<ReceivedOpenGroupRow[]> {
  const g = dimsGroupingSets(dims, { ...dimExpr, month: localMonth(epochMs(sql`r.received_at`)) });
  const open = sql`r.status_then in ('received', 'assigned', 'in_progress', 'awaiting_business')`;
  return rows<ReceivedOpenGroupRow>(
    ex,
    sql`with st as (
      select distinct on (e.case_id) e.case_id, e.to_status
      from case_events e
      where e.at < ${tsp(end)} and e.to_status is not null
      order by e.case_id, e.at desc, e.id desc
    ), o as (
      select r.agency_id, r.category_id, r.channel, r.kind, r.received_at, r.resolve_due_at,
             coalesce(st.to_status, 'received') as status_then
      from cases r left join st on st.case_id = r.id
      where r.received_at < ${tsp(end)}
    )
    select ${g.select},
      count(*) filter (where r.received_at >= ${tsp(start)})::int as n,
      count(*) filter (where ${open})::int as total,
      count(*) filter (where ${open} and (r.status_then = 'awaiting_business' or r.resolve_due_at >= ${tsp(end)}))::int as within_deadline,
      count(*) filter (where ${open} and r.status_then <> 'awaiting_business' and r.resolve_due_at < ${tsp(end)})::int as overdue,
      count(*) filter (where ${open} and r.status_then = 'awaiting_business')::int as awaiting_business
    from o r
    ${g.groupBy}`,
  );
}

export interface PauseGroupRow {
  dim: Dim;
  key: string | null;
  n: number;
  ms: number;
}

/**
 * Pauses (waiting for the business) that started in [start, end), per dimension: how many, and
 * their office time from their start to their end, or to the end of the period if later.
 */
export async function pauseGroups(ex: Executor, c: SqlCalendar, start: Date, end: Date, dims: Dim[]): Promise<PauseGroupRow[]> {
  return rows<PauseGroupRow>(
    ex,
    sql`with ${calendarCtes(c)},
    iv as (
      select p.id, 1 as sign, ${epochMs(sql`p.started_at`)} as a_ms,
             ${epochMs(sql`least(coalesce(p.ended_at, ${tsp(end)}), ${tsp(end)})`)} as b_ms
      from case_pauses p
      where p.started_at >= ${tsp(start)} and p.started_at < ${tsp(end)}
    ),
    ovl as (${overlap(c)})
    select g.dim, g.key, count(*)::int as n, coalesce(sum(o.ms), 0)::float8 as ms
    from case_pauses p
    join cases r on r.id = p.case_id
    left join ovl o on o.id = p.id
    ${dimsLateral(dims)}
    where p.started_at >= ${tsp(start)} and p.started_at < ${tsp(end)}
    group by g.dim, g.key`,
  );
}

export interface ActivityRow {
  extensions: number;
  disputes: number;
  rated: number;
  satisfied: number;
}

/** Extensions approved, disputes lodged and ratings given in [start, end). */
export async function activity(ex: Executor, start: Date, end: Date): Promise<ActivityRow> {
  const [r] = await rows<ActivityRow>(
    ex,
    sql`select
      (select count(*)::int from case_extensions x where x.at >= ${tsp(start)} and x.at < ${tsp(end)}) as extensions,
      (select count(*)::int from case_events e where e.action = 'dispute' and e.at >= ${tsp(start)} and e.at < ${tsp(end)}) as disputes,
      r.rated, r.satisfied
    from (
      select count(*) filter (where c.rating is not null)::int as rated, count(*) filter (where c.rating >= 4)::int as satisfied
      from cases c where c.rated_at >= ${tsp(start)} and c.rated_at < ${tsp(end)}
    ) r`,
  );
  return r;
}

/** Office milliseconds of each interval [a, b), measured in SQL (the measure every figure uses). */
export async function officeMsOfIntervals(ex: Executor, c: SqlCalendar, intervals: Array<[Date, Date]>): Promise<number[]> {
  if (intervals.length === 0) return [];
  const values = sql.join(
    intervals.map(([a, b], i) => sql`(${i}::int, 1, ${a.getTime()}::bigint, ${b.getTime()}::bigint)`),
    sql`, `,
  );
  const r = await rows<{ id: number; ms: number }>(
    ex,
    sql`with ${calendarCtes(c)}, iv(id, sign, a_ms, b_ms) as (values ${values}), ovl as (${overlap(c)})
        select i.id, coalesce(o.ms, 0)::float8 as ms from iv i left join ovl o on o.id = i.id order by i.id`,
  );
  return r.map((x) => Number(x.ms));
}
