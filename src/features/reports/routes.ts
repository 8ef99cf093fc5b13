import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../../domain/calendar.js';
import { actorOf, problemSchema } from '../../lib/http.js';
import { parsePeriod } from './period.js';
import { reportTables, type Report } from './report.js';
import { exportFormat, sendXlsx, toXlsx, XLSX_TYPE, type XlsxColumn, type XlsxKind } from '../../lib/xlsx.js';
import { periodParam, publishBody, publishedSchema, reportListQuery, reportListSchema, reportQuery, reportSchema } from './schemas.js';
import type { ReportMeta } from './service.js';

/** UTF-8 byte-order mark, so that spreadsheet programs read Vietnamese text correctly */
export const CSV_BOM = '\uFEFF';

const links = (period: string, revision?: number) => {
  const q = revision ? `?revision=${revision}` : '';
  return {
    json: `/api/v1/public/reports/${period}${q}`,
    csv: `/api/v1/public/reports/${period}${q ? `${q}&` : '?'}format=csv`,
    html: `/bao-cao/${period}${q}`,
  };
};

const FIGURES_XLSX: XlsxColumn[] = [
  { header: 'Phần', width: 20 },
  { header: 'Mã', width: 16 },
  { header: 'Tên', width: 36 },
  { header: 'Chỉ tiêu', width: 36 },
  { header: 'Giá trị', kind: 'number', width: 14 },
];
const CASES_XLSX: XlsxColumn[] = [
  { header: 'Mã hồ sơ', width: 22 },
  { header: 'Loại' },
  { header: 'Lĩnh vực', width: 24 },
  { header: 'Cơ quan', width: 30 },
  { header: 'Ngày tiếp nhận', kind: 'datetime', width: 18 },
  { header: 'Ngày trả lời', kind: 'datetime', width: 18 },
  { header: 'Kết quả' },
  { header: 'Trả lời sau gia hạn', kind: 'boolean' },
  { header: 'Ngày làm việc', kind: 'number' },
  { header: 'Nội dung trả lời', width: 60 },
  { header: 'Doanh nghiệp', width: 30 },
];
/** in the long-form figures, a rate is a number shown as a percentage; dates are dates */
const figureKind = (row: unknown[], col: number): XlsxKind | undefined => {
  if (col !== 4) return undefined;
  const metric = String(row[3]);
  if (/(^|\.)(value|rate)$/i.test(metric) && /rate/i.test(metric)) return 'rate';
  if (metric === 'generatedAt') return 'datetime';
  if (metric === 'from' || metric === 'to') return 'date';
  return typeof row[4] === 'number' ? 'number' : 'text';
};

/** The published report as a workbook: the figures and the answered cases, from the stored JSON. */
async function reportXlsx(json: string, period: string): Promise<Buffer> {
  const report = JSON.parse(json) as Report;
  const { figures, cases } = reportTables(report);
  return toXlsx(
    [
      { name: 'Số liệu', columns: FIGURES_XLSX, rows: figures, cellKind: figureKind },
      { name: 'Hồ sơ đã trả lời', columns: CASES_XLSX, rows: cases },
    ],
    { title: `Báo cáo ${report.label ?? period}`, created: new Date(report.generatedAt ?? Date.now()) },
  );
}

const metaOut = (m: ReportMeta) => ({
  revision: m.revision,
  methodVersion: m.methodVersion,
  contentHash: m.contentHash,
  publishedAt: toLocalIso(m.publishedAt),
});

export async function registerReportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const reports = app.services.reports;

  // ---------------------------------------------------------------- public API
  r.get(
    '/api/v1/public/reports',
    {
      schema: {
        tags: ['public', 'reports'],
        summary: 'Published reports (newest period first), each with all its revisions',
        querystring: reportListQuery,
        response: { 200: reportListSchema, 400: problemSchema },
      },
    },
    async (req) => {
      const all = await reports.list();
      const { limit, cursor } = req.query;
      const at = cursor ? all.findIndex((p) => p.period === cursor) : -1;
      const from = cursor ? (at >= 0 ? all.slice(at + 1) : []) : all;
      const page = from.slice(0, limit);
      return {
        items: page.map((p) => {
          const period = parsePeriod(p.period)!;
          return {
            period: p.period,
            label: period.label,
            periodKind: period.kind,
            latest: metaOut(p.latest),
            revisions: p.revisions.map(metaOut),
            links: links(p.period),
          };
        }),
        nextCursor: from.length > limit ? page[page.length - 1].period : null,
      };
    },
  );

  r.get(
    '/api/v1/public/reports/:period',
    {
      schema: {
        tags: ['public', 'reports'],
        summary: 'A published report: the stored JSON byte for byte, its CSV (Accept: text/csv or ?format=csv) or an Excel workbook (?format=xlsx)',
        description:
          'The latest revision unless `revision` is given. The body is exactly the text whose SHA-256 is `contentHash` ' +
          '(also sent as the ETag and in X-Content-SHA256). The CSV has a block of figures (section, key, label, metric, value), ' +
          'an empty line, and the list of answered cases. The XLSX (format=xlsx or Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet) ' +
          'has the same two tables as two sheets, with dates as dates and rates as percentages.',
        params: periodParam,
        querystring: reportQuery,
        response: {
          200: {
            description: 'The report: JSON, CSV or XLSX',
            content: {
              'application/json': { schema: reportSchema },
              'text/csv': { schema: z.string().describe('RFC 4180, UTF-8 with a byte-order mark; no cell opens as a formula') },
              [XLSX_TYPE]: { schema: z.string().describe('an Excel workbook (binary)') },
            },
          },
          400: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (req, reply) => {
      const row = await reports.get(req.params.period, req.query.revision);
      // the stored text is sent as it is, never re-serialised
      const out = reply as unknown as FastifyReply;
      out
        .header('x-report-revision', String(row.revision))
        .header('x-method-version', row.methodVersion)
        .header('x-content-sha256', row.contentHash)
        .header('cache-control', req.query.revision ? 'public, max-age=86400, immutable' : 'public, max-age=60')
        .header('vary', 'accept');
      const format = exportFormat(req, req.query.format);
      if (format === 'xlsx') return sendXlsx(out, `bao-cao-${row.period}-r${row.revision}.xlsx`, await reportXlsx(row.json, row.period));
      if (format === 'csv') {
        return out
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="bao-cao-${row.period}-r${row.revision}.csv"`)
          .send(CSV_BOM + row.csv);
      }
      const etag = `"${row.contentHash}"`;
      out.header('etag', etag);
      if (req.headers['if-none-match'] === etag) return out.code(304).send();
      return out.header('content-type', 'application/json; charset=utf-8').send(row.json);
    },
  );

  // ---------------------------------------------------------------- staff
  r.post(
    '/api/v1/admin/reports/:period/publish',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['admin', 'reports'],
        summary: 'Publish a period now (a new immutable revision; earlier revisions stay)',
        description:
          'Computes the period as of now and stores it as the next revision. `note` says why (a correction, answers recorded late); ' +
          'it is kept in the revision\'s JSON, and the public page of every revision after the first shows it above the figures that moved.',
        params: periodParam,
        body: publishBody,
        response: { 201: publishedSchema, 400: problemSchema, 409: problemSchema },
      },
    },
    async (req, reply) => {
      const { report } = await reports.publish(req.params.period, { actor: actorOf(req), note: req.body?.note });
      return reply.code(201).send({
        period: report.period,
        ...metaOut(report),
        links: links(report.period, report.revision),
      });
    },
  );

  r.get(
    '/api/v1/reports/:period/preview',
    {
      config: { roles: ['admin', 'coordinator', 'inspector'] },
      schema: {
        tags: ['reports'],
        summary: 'The figures of a period as of now, computed and not published (revision 0)',
        params: periodParam,
        response: { 200: reportSchema, 400: problemSchema },
      },
    },
    async (req) => (await reports.preview(req.params.period)) as z.infer<typeof reportSchema>,
  );
}
