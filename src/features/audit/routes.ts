import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toCsv } from '../../lib/csv.js';
import { actorOf, problemSchema, sendCsv } from '../../lib/http.js';
import { exportFormat, sendXlsx, toXlsx, XLSX_TYPE, type XlsxColumn } from '../../lib/xlsx.js';
import { auditCasesQuery, auditCasesSchema, findingInput, onTimeQuery, onTimeSchema, sampleIdParam, sampleInput, sampleListQuery, sampleListSchema, sampleSchema } from './schemas.js';
import type { CaseFilters } from './service.js';

const READ = { roles: ['inspector', 'admin', 'coordinator'] as const };
const INSPECT = { roles: ['inspector'] as const };
const CSV_MAX_ROWS = 100_000;

/** a spreadsheet export: JSON schema for JSON, a file for CSV and XLSX */
const exportResponse = (json: unknown, what: string) => ({
  description: `${what}: JSON, or a file (CSV for machines, XLSX for people) with format= or Accept`,
  content: {
    'application/json': { schema: json },
    'text/csv': { schema: z.string().describe('RFC 4180, UTF-8 with a byte-order mark; no cell opens as a formula') },
    [XLSX_TYPE]: { schema: z.string().describe('an Excel workbook (binary)') },
  },
});

const ON_TIME_XLSX: XlsxColumn[] = [
  { header: 'Mã nhóm', kind: 'text' },
  { header: 'Nhóm', kind: 'text', width: 36 },
  { header: 'Đã trả lời', kind: 'integer' },
  { header: 'Trước hạn', kind: 'integer' },
  { header: 'Đúng hạn', kind: 'integer' },
  { header: 'Trễ hạn', kind: 'integer' },
  { header: 'Có gia hạn', kind: 'integer' },
  { header: 'Số đúng hạn (tính gia hạn)', kind: 'integer' },
  { header: 'Tỷ lệ đúng hạn (tính gia hạn)', kind: 'rate' },
  { header: 'Số đúng hạn (không gia hạn)', kind: 'integer' },
  { header: 'Tỷ lệ đúng hạn (không gia hạn)', kind: 'rate' },
  { header: 'Trung vị ngày làm việc', kind: 'number' },
  { header: 'P90 ngày làm việc', kind: 'number' },
  { header: 'Ô nhỏ (ẩn số liệu)', kind: 'boolean' },
];

const CASE_XLSX: Record<string, XlsxColumn> = {
  id: { header: 'ID', kind: 'integer' },
  trackingCode: { header: 'Mã hồ sơ', kind: 'text', width: 22 },
  kind: { header: 'Loại', kind: 'text' },
  priority: { header: 'Mức ưu tiên', kind: 'text' },
  channel: { header: 'Kênh tiếp nhận', kind: 'text' },
  status: { header: 'Tình trạng', kind: 'text' },
  agency: { header: 'Cơ quan', kind: 'text' },
  category: { header: 'Lĩnh vực', kind: 'text' },
  receivedAt: { header: 'Ngày tiếp nhận', kind: 'datetime', width: 18 },
  resolveDueAt: { header: 'Hạn giải quyết', kind: 'datetime', width: 18 },
  resolvedAt: { header: 'Ngày trả lời', kind: 'datetime', width: 18 },
  closedAt: { header: 'Ngày đóng', kind: 'datetime', width: 18 },
  outcome: { header: 'Kết quả', kind: 'text' },
  onTime: { header: 'Đúng hạn (tính gia hạn)', kind: 'boolean' },
  strictOnTime: { header: 'Đúng hạn (không gia hạn)', kind: 'boolean' },
  resolvedWithExtension: { header: 'Trả lời sau gia hạn', kind: 'boolean' },
  extensionsUsed: { header: 'Số lần gia hạn', kind: 'integer' },
  pauses: { header: 'Số lần tạm dừng', kind: 'integer' },
  pausedWorkingDays: { header: 'Ngày làm việc tạm dừng', kind: 'number' },
  workingDays: { header: 'Ngày làm việc', kind: 'number' },
  overdueNow: { header: 'Đang quá hạn', kind: 'boolean' },
  disputeCount: { header: 'Số lần không đồng ý', kind: 'integer' },
  rating: { header: 'Đánh giá', kind: 'integer' },
  reason: { header: 'Lý do', kind: 'text', width: 40 },
};

const bool = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true');

export async function registerAuditRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const audit = app.services.audit;

  r.get(
    '/api/v1/audit/on-time',
    {
      config: READ,
      schema: {
        tags: ['audit'],
        summary: 'On-time rates (strict and extension-adjusted) of the cases answered in a period, grouped',
        description:
          'Cases answered between from and to (local dates, inclusive), or in `period`. onTimeRate = (early + on time) / answered, ' +
          'against the deadline as extended (extension-adjusted); strictOnTimeRate counts only cases answered in time without any extension. ' +
          'Each row links to the case list behind it. CSV with Accept: text/csv or format=csv; an Excel workbook (rates as percentages) ' +
          'with Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or format=xlsx.',
        querystring: onTimeQuery,
        response: { 200: exportResponse(onTimeSchema, 'On-time rates'), 400: problemSchema },
      },
    },
    async (req, reply) => {
      const result = await audit.onTime(req.query);
      const format = exportFormat(req, req.query.format);
      if (format !== 'json') {
        const rows = [...result.groups, { ...result.total, key: 'total' }].map((g) => [
          g.key,
          g.label,
          g.resolved,
          g.early,
          g.onTime,
          g.late,
          g.withExtension,
          g.onTimeRate.numerator,
          g.onTimeRate.value,
          g.strictOnTimeRate.numerator,
          g.strictOnTimeRate.value,
          g.medianWorkingDays,
          g.p90WorkingDays,
          g.smallCell,
        ]);
        const name = `dung-han-${result.from}-${result.to}-${result.groupBy}`;
        if (format === 'xlsx') {
          const book = await toXlsx([{ name: 'Tỷ lệ đúng hạn', columns: ON_TIME_XLSX, rows }], { title: `Tỷ lệ đúng hạn ${result.from} – ${result.to}`, created: app.services.clock.now() });
          return sendXlsx(reply, `${name}.xlsx`, book);
        }
        return sendCsv(
          reply,
          `${name}.csv`,
          toCsv(
            ['key', 'label', 'resolved', 'early', 'onTime', 'late', 'withExtension', 'onTimeNumerator', 'onTimeRate', 'strictNumerator', 'strictOnTimeRate', 'medianWorkingDays', 'p90WorkingDays', 'smallCell'],
            rows,
          ),
        );
      }
      return result;
    },
  );

  r.get(
    '/api/v1/audit/cases',
    {
      config: READ,
      schema: {
        tags: ['audit'],
        summary: 'Cases with their timing (late, overdue, paused, extended, disputed …), JSON pages or the whole list as CSV',
        description:
          'Filters combine with AND; a flag set to false keeps the cases without it. from/to/period apply to dateField (received by default). ' +
          'summary counts every matching case, so the on-time rate of a group from /audit/on-time can be checked against its list ' +
          '(dateField=resolved&answered=true&…). CSV (Accept: text/csv or format=csv) and XLSX (format=xlsx or the XLSX type in Accept; ' +
          'dates as dates in Hà Nội time) have every matching case, without paging.',
        querystring: auditCasesQuery,
        response: { 200: exportResponse(auditCasesSchema, 'Cases'), 400: problemSchema },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const filters: CaseFilters = {
        from: q.from,
        to: q.to,
        period: q.period,
        dateField: q.dateField,
        answered: bool(q.answered),
        late: bool(q.late),
        overdue: bool(q.overdue),
        paused: bool(q.paused),
        extended: bool(q.extended),
        disputed: bool(q.disputed),
        agencyId: q.agencyId,
        categoryId: q.categoryId,
        kind: q.kind,
        channel: q.channel,
        status: q.status,
        outcome: q.outcome,
      };
      const format = exportFormat(req, q.format);
      const result = await audit.caseList(filters, format !== 'json' ? { limit: CSV_MAX_ROWS } : { limit: q.limit, cursor: q.cursor });
      if (format !== 'json') {
        const cols = [
          'id',
          'trackingCode',
          'kind',
          'priority',
          'channel',
          'status',
          'agency',
          'category',
          'receivedAt',
          'resolveDueAt',
          'resolvedAt',
          'closedAt',
          'outcome',
          'onTime',
          'strictOnTime',
          'resolvedWithExtension',
          'extensionsUsed',
          'pauses',
          'pausedWorkingDays',
          'workingDays',
          'overdueNow',
          'disputeCount',
          'rating',
          'reason',
        ] as const;
        const rows = result.items.map((i) => cols.map((c) => i[c]));
        if (format === 'xlsx') {
          const book = await toXlsx([{ name: 'Hồ sơ', columns: cols.map((c) => CASE_XLSX[c]), rows }], { title: 'Hồ sơ kiểm tra', created: app.services.clock.now() });
          return sendXlsx(reply, 'ho-so-kiem-tra.xlsx', book);
        }
        return sendCsv(reply, `ho-so-kiem-tra.csv`, toCsv([...cols], rows));
      }
      return result;
    },
  );

  r.post(
    '/api/v1/audit/samples',
    {
      config: INSPECT,
      schema: {
        tags: ['audit'],
        summary: "Draw a reproducible random sample of an agency's answered cases of a month",
        description:
          'The population is the cases of the agency answered in the month (resolved or closed with an outcome), by ascending id; ' +
          'the same seed over the same population gives the same cases (SHA-256 counter-mode generator, partial Fisher–Yates; see docs/reports.md).',
        body: sampleInput,
        response: { 201: sampleSchema, 400: problemSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await audit.createSample(actorOf(req), req.body)),
  );

  r.get(
    '/api/v1/audit/samples',
    { config: READ, schema: { tags: ['audit'], summary: 'Samples drawn (newest first)', querystring: sampleListQuery, response: { 200: sampleListSchema } } },
    async (req) => ({ items: await audit.listSamples(req.query) }),
  );

  r.get(
    '/api/v1/audit/samples/:id',
    {
      config: READ,
      schema: {
        tags: ['audit'],
        summary: 'A sample with its findings, its on-time rate and its quality-adjusted on-time rate',
        params: sampleIdParam,
        response: { 200: sampleSchema, 404: problemSchema },
      },
    },
    async (req) => audit.getSample(req.params.id),
  );

  r.post(
    '/api/v1/audit/samples/:id/findings',
    {
      config: INSPECT,
      schema: {
        tags: ['audit'],
        summary: 'Record a finding on a sampled case, and reopen the case on it if asked',
        description: 'One finding per case and sample. With reopen: true (not with ok) the case is reopened in the same transaction.',
        params: sampleIdParam,
        body: findingInput,
        response: { 201: sampleSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await audit.addFinding(actorOf(req), req.params.id, req.body)),
  );
}
