/**
 * Inspection: on-time rates for any period and grouping, the case list behind them (JSON or CSV),
 * reproducible samples of an agency's answered cases for a month, findings on them (with
 * reopening on a finding), and the quality-adjusted on-time rate of a sample.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { rows, type Db, type Executor } from '../../db/client.js';
import { agencies, auditFindings, auditSamples, cases, categories, users } from '../../db/schema.js';
import { toLocalIso } from '../../domain/calendar.js';
import type { Clock } from '../../lib/clock.js';
import { Conflict, fieldError, isUniqueViolation, NotFound } from '../../lib/errors.js';
import type { Actor } from '../auth/service.js';
import type { WorkflowService } from '../cases/workflow.js';
import { CHANNEL_LABEL_VI, type Channel } from '../intake/create-case.js';
import type { ClockService } from '../clock/service.js';
import { calendarCtes, durationCtes, resolvedGroups, sqlCalendar, tsp, type Dim, type SqlCalendar } from '../reports/metrics-sql.js';
import { dateRange, parsePeriod } from '../reports/period.js';
import { KIND_LABEL_VI, NO_AGENCY_LABEL, NO_CATEGORY_LABEL, rate, type Rate } from '../reports/report.js';
import { drawSample } from './sampling.js';

export const FINDINGS = ['ok', 'no_substantive_answer', 'wrong_duplicate', 'unjustified_pause', 'wrong_reason_code'] as const;
export type Finding = (typeof FINDINGS)[number];
export const FINDING_LABEL_VI: Record<Finding, string> = {
  ok: 'Đạt yêu cầu',
  no_substantive_answer: 'Trả lời không giải quyết nội dung',
  wrong_duplicate: 'Xác định trùng lặp không đúng',
  unjustified_pause: 'Tạm dừng chờ bổ sung không có căn cứ',
  wrong_reason_code: 'Mã lý do kết thúc không đúng',
};

export type GroupBy = 'agency' | 'category' | 'kind' | 'channel' | 'month';

export interface OnTimeGroup {
  /** agency or category code, channel, kind or YYYY-MM; null for cases without agency / category */
  key: string | null;
  /** agency or category id */
  id: number | null;
  label: string;
  resolved: number;
  early: number;
  onTime: number;
  late: number;
  withExtension: number;
  onTimeRate: Rate;
  strictOnTimeRate: Rate;
  medianWorkingDays: number | null;
  p90WorkingDays: number | null;
  smallCell: boolean;
  /** the case list behind this row */
  cases: string | null;
}

export interface CaseFilters {
  from?: string;
  to?: string;
  period?: string;
  dateField?: 'received' | 'resolved';
  answered?: boolean;
  late?: boolean;
  overdue?: boolean;
  paused?: boolean;
  extended?: boolean;
  disputed?: boolean;
  agencyId?: number;
  categoryId?: number;
  kind?: string;
  channel?: string;
  status?: string;
  outcome?: string;
}

export interface AuditDeps {
  db: Db;
  clock: Clock;
  clockService: ClockService;
  config: Pick<Config, 'PAKN_REPORT_MIN_CELL'>;
  /** the workflow service (reopen on a finding) */
  workflow: Pick<WorkflowService, 'actInTx'>;
}

const round = (x: number | null | undefined, d: number) => (x == null ? null : Math.round(Number(x) * 10 ** d + 1e-9) / 10 ** d);
const MAX_RANGE_DAYS = 366 * 10;
/** code order, the "none" row (null key) last */
const keyOrder = (a: string | null, b: string | null) => (a === b ? 0 : a == null ? 1 : b == null ? -1 : a < b ? -1 : 1);

/** from/to local dates → instants, with 400s naming the field. */
export function resolveRange(f: { from?: string; to?: string; period?: string }): { from: string; to: string; start: Date; end: Date } {
  if (f.period) {
    if (f.from || f.to) throw fieldError('period', 'give either period or from/to, not both');
    const p = parsePeriod(f.period);
    if (!p) throw fieldError('period', `"${f.period}" is not a period: use YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY`);
    return { from: p.from, to: p.to, start: p.start, end: p.end };
  }
  if (!f.from) throw fieldError('from', 'is required (or give period)');
  if (!f.to) throw fieldError('to', 'is required (or give period)');
  let r: { start: Date; end: Date };
  try {
    r = dateRange(f.from, f.to);
  } catch {
    throw fieldError('from', 'must be a calendar date YYYY-MM-DD');
  }
  if (r.end <= r.start) throw fieldError('to', 'must not be before from');
  if (r.end.getTime() - r.start.getTime() > MAX_RANGE_DAYS * 86_400_000) throw fieldError('to', 'the range may be at most 10 years');
  return { from: f.from, to: f.to, ...r };
}

export function createAuditService(deps: AuditDeps) {
  const { db, clock, clockService, config } = deps;

  async function calendarFor(ex: Executor, end: Date, start: Date): Promise<SqlCalendar> {
    const cal = await clockService.loadCalendar(ex);
    const now = clock.now();
    return sqlCalendar(ex, cal, clockService.officeHours, end > now ? end : now, start);
  }

  async function labelMaps(ex: Executor) {
    const [a, c] = [
      await ex.select({ id: agencies.id, code: agencies.code, name: agencies.name }).from(agencies),
      await ex.select({ id: categories.id, code: categories.code, name: categories.name }).from(categories),
    ];
    return { agency: new Map(a.map((x) => [String(x.id), x])), category: new Map(c.map((x) => [String(x.id), x])) };
  }

  // ------------------------------------------------------------------ on-time rates

  async function onTime(q: { from?: string; to?: string; period?: string; groupBy: GroupBy }) {
    const range = resolveRange(q);
    return db.transaction(
      async (tx) => {
        const cal = await calendarFor(tx, range.end, range.start);
        const [list, labels] = [await resolvedGroups(tx, cal, range.start, range.end, [q.groupBy as Dim, 'total']), await labelMaps(tx)];
        const toGroup = (r: (typeof list)[number]): OnTimeGroup => {
          let label = '';
          let key = r.key;
          const base = `/api/v1/audit/cases?dateField=resolved&answered=true`;
          let link: string | null = `${base}&from=${range.from}&to=${range.to}`;
          let id: number | null = null;
          if (r.dim === 'agency') {
            const a = r.key ? labels.agency.get(r.key) : undefined;
            label = a?.name ?? NO_AGENCY_LABEL;
            key = a?.code ?? null;
            id = a?.id ?? null;
            link = r.key ? `${link}&agencyId=${r.key}` : null;
          } else if (r.dim === 'category') {
            const c = r.key ? labels.category.get(r.key) : undefined;
            label = c?.name ?? NO_CATEGORY_LABEL;
            key = c?.code ?? null;
            id = c?.id ?? null;
            link = r.key ? `${link}&categoryId=${r.key}` : null;
          } else if (r.dim === 'channel') {
            label = CHANNEL_LABEL_VI[r.key as Channel] ?? String(r.key);
            link = `${link}&channel=${r.key}`;
          } else if (r.dim === 'kind') {
            label = KIND_LABEL_VI[r.key ?? ''] ?? String(r.key);
            link = `${link}&kind=${r.key}`;
          } else if (r.dim === 'month') {
            const p = parsePeriod(r.key ?? '')!;
            label = p.label;
            const from = p.from > range.from ? p.from : range.from;
            const to = p.to < range.to ? p.to : range.to;
            link = `${base}&from=${from}&to=${to}`;
          } else {
            label = 'Tổng cộng';
          }
          return {
            key,
            id,
            label,
            resolved: r.resolved,
            early: r.early,
            onTime: r.on_time,
            late: r.late,
            withExtension: r.with_extension,
            onTimeRate: rate(r.early + r.on_time, r.resolved),
            strictOnTimeRate: rate(r.strict_on_time, r.resolved),
            medianWorkingDays: round(r.median, 2),
            p90WorkingDays: round(r.p90, 2),
            smallCell: r.resolved < config.PAKN_REPORT_MIN_CELL,
            cases: link,
          };
        };
        const total = list.find((r) => r.dim === 'total');
        const groups = list
          .filter((r) => r.dim === q.groupBy)
          .map(toGroup)
          .sort((a, b) => (q.groupBy === 'month' ? 0 : b.resolved - a.resolved) || keyOrder(a.key, b.key));
        const empty = { dim: 'total' as Dim, key: '', resolved: 0, early: 0, on_time: 0, late: 0, with_extension: 0, strict_on_time: 0, median: null, p90: null };
        return {
          from: range.from,
          to: range.to,
          groupBy: q.groupBy,
          minCell: config.PAKN_REPORT_MIN_CELL,
          total: toGroup(total ?? empty),
          groups,
        };
      },
      { isolationLevel: 'repeatable read' },
    );
  }

  // ------------------------------------------------------------------ the case list

  function whereOf(f: CaseFilters, now: Date): { where: SQL; range: { from: string; to: string } | null } {
    const parts: SQL[] = [];
    let range: { from: string; to: string } | null = null;
    if (f.period || f.from || f.to) {
      const r = resolveRange(f);
      range = { from: r.from, to: r.to };
      const col = f.dateField === 'resolved' ? sql`c.resolved_at` : sql`c.received_at`;
      parts.push(sql`${col} >= ${tsp(r.start)} and ${col} < ${tsp(r.end)}`);
    }
    const flag = (v: boolean | undefined, cond: SQL) => {
      if (v === true) parts.push(cond);
      else if (v === false) parts.push(sql`not (${cond})`);
    };
    flag(f.answered, sql`c.outcome is not null and c.status in ('resolved', 'closed')`);
    flag(f.late, sql`coalesce(c.outcome = 'late', false)`);
    flag(f.overdue, sql`c.status in ('received', 'assigned', 'in_progress') and c.resolve_due_at < ${tsp(now)}`);
    flag(f.paused, sql`exists (select 1 from case_pauses p where p.case_id = c.id)`);
    flag(f.extended, sql`c.extensions_used > 0`);
    flag(f.disputed, sql`c.dispute_count > 0`);
    if (f.agencyId !== undefined) parts.push(sql`c.agency_id = ${f.agencyId}`);
    if (f.categoryId !== undefined) parts.push(sql`c.category_id = ${f.categoryId}`);
    if (f.kind) parts.push(sql`c.kind = ${f.kind}`);
    if (f.channel) parts.push(sql`c.channel = ${f.channel}`);
    if (f.status) parts.push(sql`c.status = ${f.status}`);
    if (f.outcome) parts.push(sql`c.outcome = ${f.outcome}`);
    return { where: parts.length ? sql.join(parts, sql` and `) : sql`true`, range };
  }

  interface CaseListRow {
    id: number;
    tracking_code: string;
    kind: string;
    priority: string;
    channel: string;
    status: string;
    agency_id: number | null;
    agency_name: string | null;
    category_code: string | null;
    category_name: string | null;
    received_at: Date | string;
    resolve_due_at: Date | string;
    resolved_at: Date | string | null;
    closed_at: Date | string | null;
    outcome: string | null;
    resolved_with_extension: boolean | null;
    extensions_used: number;
    pause_count: number;
    paused_wdays: number;
    wdays: number;
    dispute_count: number;
    rating: number | null;
    reason: string | null;
  }

  async function caseList(f: CaseFilters, page: { limit: number; cursor?: number }) {
    const now = clock.now();
    const { where, range } = whereOf(f, now);
    return db.transaction(
      async (tx) => {
        const cal = await calendarFor(tx, now, now);
        const after = page.cursor ? sql`and c.id > ${page.cursor}` : sql``;
        const list = await rows<CaseListRow>(
          tx,
          sql`with ${calendarCtes(cal)},
          base as (
            select c.id, (extract(epoch from c.received_at) * 1000)::bigint as a_ms,
                   (extract(epoch from coalesce(c.resolved_at, c.closed_at, ${tsp(now)})) * 1000)::bigint as b_ms
            from cases c
            where ${where} ${after}
            order by c.id
            limit ${page.limit + 1}
          ),
          ${durationCtes(cal)}
          select c.id::float8 as id, c.tracking_code, c.kind, c.priority, c.channel, c.status, c.agency_id, a.name as agency_name,
                 cat.code as category_code, cat.name as category_name, c.received_at, c.resolve_due_at, c.resolved_at, c.closed_at,
                 c.outcome, c.resolved_with_extension, c.extensions_used, c.dispute_count, c.rating, c.reason,
                 (select count(*)::int from case_pauses p where p.case_id = c.id) as pause_count,
                 d.wdays, d.paused_wdays
          from base b
          join cases c on c.id = b.id
          join dur d on d.id = b.id
          left join agencies a on a.id = c.agency_id
          left join categories cat on cat.id = c.category_id
          order by c.id`,
        );
        const [summary] = await rows<{ matching: number; answered: number; early: number; on_time: number; late: number; strict_on_time: number; overdue_now: number }>(
          tx,
          sql`select count(*)::int as matching,
                count(*) filter (where c.outcome is not null and c.status in ('resolved', 'closed'))::int as answered,
                count(*) filter (where c.outcome = 'early' and c.status in ('resolved', 'closed'))::int as early,
                count(*) filter (where c.outcome = 'on_time' and c.status in ('resolved', 'closed'))::int as on_time,
                count(*) filter (where c.outcome = 'late' and c.status in ('resolved', 'closed'))::int as late,
                count(*) filter (where c.outcome in ('early', 'on_time') and c.status in ('resolved', 'closed') and not coalesce(c.resolved_with_extension, false))::int as strict_on_time,
                count(*) filter (where c.status in ('received', 'assigned', 'in_progress') and c.resolve_due_at < ${tsp(now)})::int as overdue_now
              from cases c where ${where}`,
        );
        const more = list.length > page.limit;
        const items = list.slice(0, page.limit).map((r) => {
          const open = ['received', 'assigned', 'in_progress', 'awaiting_business'].includes(r.status);
          const answered = r.outcome != null && (r.status === 'resolved' || r.status === 'closed');
          return {
            id: Number(r.id),
            trackingCode: r.tracking_code,
            kind: r.kind,
            priority: r.priority,
            channel: r.channel,
            status: r.status,
            agencyId: r.agency_id,
            agency: r.agency_name,
            category: r.category_code,
            categoryName: r.category_name,
            receivedAt: toLocalIso(new Date(r.received_at)),
            resolveDueAt: toLocalIso(new Date(r.resolve_due_at)),
            resolvedAt: r.resolved_at ? toLocalIso(new Date(r.resolved_at)) : null,
            closedAt: r.closed_at ? toLocalIso(new Date(r.closed_at)) : null,
            outcome: answered ? r.outcome : null,
            onTime: answered ? r.outcome !== 'late' : null,
            strictOnTime: answered ? r.outcome !== 'late' && !r.resolved_with_extension : null,
            resolvedWithExtension: answered ? Boolean(r.resolved_with_extension) : null,
            extensionsUsed: r.extensions_used,
            pauses: r.pause_count,
            pausedWorkingDays: round(r.paused_wdays, 2) ?? 0,
            workingDays: round(r.wdays, 2) ?? 0,
            workingDaysUntil: (answered ? 'resolved' : open ? 'now' : 'closed') as 'resolved' | 'now' | 'closed',
            overdueNow: open && r.status !== 'awaiting_business' && new Date(r.resolve_due_at) < now,
            disputeCount: r.dispute_count,
            rating: r.rating,
            reason: r.reason,
          };
        });
        return {
          range,
          asOf: toLocalIso(now),
          summary: {
            matching: summary.matching,
            answered: summary.answered,
            early: summary.early,
            onTime: summary.on_time,
            late: summary.late,
            onTimeRate: rate(summary.early + summary.on_time, summary.answered),
            strictOnTimeRate: rate(summary.strict_on_time, summary.answered),
            overdueNow: summary.overdue_now,
          },
          items,
          nextCursor: more ? String(items[items.length - 1].id) : null,
        };
      },
      { isolationLevel: 'repeatable read' },
    );
  }

  // ------------------------------------------------------------------ samples and findings

  async function sampleView(ex: Executor, id: number) {
    const [s] = await ex
      .select({ sample: auditSamples, agencyName: agencies.name, createdByName: users.name })
      .from(auditSamples)
      .leftJoin(agencies, eq(agencies.id, auditSamples.agencyId))
      .leftJoin(users, eq(users.id, auditSamples.createdBy))
      .where(eq(auditSamples.id, id));
    if (!s) throw new NotFound(`Sample ${id} does not exist`);
    const findings = await ex
      .select({ f: auditFindings, inspector: users.name })
      .from(auditFindings)
      .leftJoin(users, eq(users.id, auditFindings.inspectorUserId))
      .where(eq(auditFindings.sampleId, id));
    const current = s.sample.caseIds.length
      ? await rows<{ id: number; status: string }>(ex, sql`select id::float8 as id, status from cases where id = any(${`{${s.sample.caseIds.map(Number).join(',')}}`}::bigint[])`)
      : [];
    const [q] = await rows<{ sampled: number; on_time: number; quality_on_time: number; reviewed: number; not_ok: number }>(
      ex,
      sql`select count(*)::int as sampled,
            count(*) filter (where x.outcome in ('early', 'on_time'))::int as on_time,
            count(*) filter (where x.outcome in ('early', 'on_time') and (f.finding is null or f.finding = 'ok'))::int as quality_on_time,
            count(f.id)::int as reviewed,
            count(*) filter (where f.finding is not null and f.finding <> 'ok')::int as not_ok
          from audit_samples s
          cross join lateral jsonb_to_recordset(coalesce(s.snapshot, '[]'::jsonb)) as x("caseId" bigint, outcome text)
          left join audit_findings f on f.sample_id = s.id and f.case_id = x."caseId"
          where s.id = ${id}`,
    );
    const byCase = new Map(findings.map((f) => [Number(f.f.caseId), f]));
    const statusOf = new Map(current.map((c) => [Number(c.id), c.status]));
    return {
      id: s.sample.id,
      agencyId: s.sample.agencyId,
      agency: s.agencyName,
      month: s.sample.month,
      seed: s.sample.seed,
      size: s.sample.size,
      drawn: s.sample.caseIds.length,
      population: s.sample.population ?? null,
      createdAt: toLocalIso(s.sample.createdAt),
      createdBy: s.createdByName ?? null,
      method: 'SHA-256 counter-mode generator over the ascending case ids, partial Fisher–Yates (see docs/reports.md)',
      cases: (s.sample.snapshot ?? []).map((c) => {
        const f = byCase.get(Number(c.caseId));
        return {
          caseId: Number(c.caseId),
          trackingCode: c.trackingCode,
          outcome: c.outcome,
          resolvedWithExtension: c.resolvedWithExtension,
          resolvedAt: c.resolvedAt,
          statusNow: statusOf.get(Number(c.caseId)) ?? null,
          finding: f
            ? {
                finding: f.f.finding as Finding,
                label: FINDING_LABEL_VI[f.f.finding as Finding] ?? f.f.finding,
                note: f.f.note,
                reopened: f.f.reopened,
                inspector: f.inspector ?? null,
                at: toLocalIso(f.f.createdAt),
              }
            : null,
        };
      }),
      reviewed: q.reviewed,
      onTimeRate: rate(q.on_time, q.sampled),
      qualityAdjustedOnTimeRate: rate(q.quality_on_time, q.sampled),
      findingsNotOk: q.not_ok,
    };
  }

  async function createSample(actor: Actor, input: { agencyId: number; month: string; size: number; seed: string }) {
    const period = parsePeriod(input.month);
    if (!period || period.kind !== 'month') throw fieldError('month', 'must be a month YYYY-MM');
    const now = clock.now();
    return db.transaction(async (tx) => {
      const [agency] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, input.agencyId));
      if (!agency) throw fieldError('agencyId', `agency ${input.agencyId} does not exist`);
      const population = await rows<{ id: number; tracking_code: string; outcome: string; resolved_with_extension: boolean | null; resolved_at: Date | string }>(
        tx,
        sql`select c.id::float8 as id, c.tracking_code, c.outcome, c.resolved_with_extension, c.resolved_at
            from cases c
            where c.agency_id = ${input.agencyId}
              and c.resolved_at >= ${tsp(period.start)} and c.resolved_at < ${tsp(period.end)}
              and c.outcome is not null and c.status in ('resolved', 'closed')
            order by c.id`,
      );
      const byId = new Map(population.map((p) => [Number(p.id), p]));
      const drawn = drawSample([...byId.keys()], input.size, input.seed);
      const [row] = await tx
        .insert(auditSamples)
        .values({
          agencyId: input.agencyId,
          month: period.period,
          seed: input.seed,
          size: input.size,
          caseIds: drawn,
          population: population.length,
          snapshot: drawn.map((id) => {
            const p = byId.get(id)!;
            return {
              caseId: id,
              trackingCode: p.tracking_code,
              outcome: p.outcome,
              resolvedWithExtension: Boolean(p.resolved_with_extension),
              resolvedAt: toLocalIso(new Date(p.resolved_at)),
            };
          }),
          createdBy: actor.userId,
          createdAt: now,
        })
        .returning({ id: auditSamples.id });
      return row.id;
    }).then((id) => sampleView(db, id));
  }

  async function addFinding(
    actor: Actor,
    sampleId: number,
    input: { caseId: number; finding: Finding; note?: string | null; reopen?: boolean; reason?: string; publicText?: string },
  ) {
    const now = clock.now();
    if (input.reopen && input.finding === 'ok') throw fieldError('reopen', 'a case is reopened only on a finding other than ok');
    const note = input.note?.normalize('NFC').trim() || null;
    try {
      await db.transaction(async (tx) => {
        const [s] = await tx.select({ caseIds: auditSamples.caseIds }).from(auditSamples).where(eq(auditSamples.id, sampleId));
        if (!s) throw new NotFound(`Sample ${sampleId} does not exist`);
        if (!s.caseIds.map(Number).includes(input.caseId)) throw fieldError('caseId', `case ${input.caseId} is not in sample ${sampleId}`);
        const [existing] = await tx
          .select({ id: auditFindings.id })
          .from(auditFindings)
          .where(and(eq(auditFindings.sampleId, sampleId), eq(auditFindings.caseId, input.caseId)));
        if (existing) throw new Conflict(`Case ${input.caseId} already has a finding in sample ${sampleId}`, { code: 'finding_exists' });
        await tx.insert(auditFindings).values({
          sampleId,
          caseId: input.caseId,
          finding: input.finding,
          note,
          reopened: input.reopen === true,
          inspectorUserId: actor.userId,
          createdAt: now,
        });
        if (input.reopen) {
          const [c] = await tx.select({ version: cases.version }).from(cases).where(eq(cases.id, input.caseId)).for('update');
          const reason =
            input.reason?.trim() ||
            `Kết luận kiểm tra (mẫu #${sampleId}): ${FINDING_LABEL_VI[input.finding]}${note ? ` — ${note}` : ''}`;
          // the reopen event is the last write of the transaction
          await deps.workflow.actInTx(tx, input.caseId, 'reopen', { kind: 'staff', actor }, { version: c.version, onFinding: true, reason, publicText: input.publicText });
        }
      });
      return await sampleView(db, sampleId);
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`Case ${input.caseId} already has a finding in sample ${sampleId}`, { code: 'finding_exists' });
      throw e;
    }
  }

  return {
    onTime,
    caseList,
    createSample,
    addFinding,
    getSample: (id: number) => sampleView(db, id),
    async listSamples(f: { agencyId?: number; month?: string }) {
      const where = and(
        f.agencyId !== undefined ? eq(auditSamples.agencyId, f.agencyId) : undefined,
        f.month ? eq(auditSamples.month, f.month) : undefined,
      );
      const list = await db
        .select({ id: auditSamples.id, agencyId: auditSamples.agencyId, month: auditSamples.month, seed: auditSamples.seed, size: auditSamples.size, createdAt: auditSamples.createdAt })
        .from(auditSamples)
        .where(where)
        .orderBy(desc(auditSamples.id))
        .limit(500);
      return list.map((s) => ({ ...s, createdAt: toLocalIso(s.createdAt) }));
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
