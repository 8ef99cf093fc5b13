import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../../domain/calendar.js';
import { AppError } from '../../lib/errors.js';
import { actorOf, problemSchema } from '../../lib/http.js';
import { reportErrorPage, reportIndexPage, reportPage } from '../../web/report-pages.js';
import { parsePeriod, PERIOD_PATTERN } from './period.js';
import { reportTables, type Report } from './report.js';
import { exportFormat, sendXlsx, toXlsx, XLSX_TYPE, type XlsxColumn, type XlsxKind } from '../../lib/xlsx.js';
import { periodParam, publishedSchema, reportListQuery, reportListSchema, reportQuery, reportSchema } from './schemas.js';
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

function sendHtml(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
}

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
        params: periodParam,
        response: { 201: publishedSchema, 400: problemSchema, 409: problemSchema },
      },
    },
    async (req, reply) => {
      const { report } = await reports.publish(req.params.period, { actor: actorOf(req) });
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

  // ---------------------------------------------------------------- public pages
  r.get('/bao-cao', { schema: { hide: true } }, async (_req, reply) => {
    const all = await reports.list();
    return sendHtml(
      reply,
      200,
      reportIndexPage(
        all.map((p) => ({
          period: p.period,
          label: parsePeriod(p.period)!.label,
          kind: parsePeriod(p.period)!.kind,
          revision: p.latest.revision,
          publishedAt: toLocalIso(p.latest.publishedAt),
          href: `/bao-cao/${p.period}`,
        })),
      ),
    );
  });

  r.get(
    '/bao-cao/:period',
    { schema: { hide: true, params: z.object({ period: z.string().max(20) }), querystring: z.object({ revision: z.string().max(12).optional() }) } },
    async (req, reply) => {
      const { period } = req.params;
      if (!new RegExp(PERIOD_PATTERN).test(period) || !parsePeriod(period)) {
        return sendHtml(reply, 400, reportErrorPage(400, `"${period}" không phải là kỳ báo cáo. Dùng dạng 2026-03 (tháng), 2026-Q1 (quý), 2026-H1 (6 tháng) hoặc 2026 (năm).`));
      }
      const rev = req.query.revision;
      if (rev !== undefined && !/^[1-9]\d{0,5}$/.test(rev)) {
        return sendHtml(reply, 400, reportErrorPage(400, `Phiên bản "${rev}" không hợp lệ.`));
      }
      let row;
      try {
        row = await reports.get(period, rev ? Number(rev) : undefined);
      } catch (e) {
        if (e instanceof AppError && e.status === 404) {
          return sendHtml(reply, 404, reportErrorPage(404, rev ? `Báo cáo ${period} không có phiên bản ${rev}.` : `Chưa công bố báo cáo kỳ ${period}.`));
        }
        throw e;
      }
      const report = JSON.parse(row.json) as Report;
      const all = (await reports.list()).find((p) => p.period === row.period);
      const revisions = (all?.revisions ?? []).map((v) => ({
        revision: v.revision,
        publishedAt: toLocalIso(v.publishedAt),
        href: `/bao-cao/${row.period}?revision=${v.revision}`,
        current: v.revision === row.revision,
      }));
      const l = links(row.period, rev ? row.revision : undefined);
      return sendHtml(reply, 200, reportPage(report, { contentHash: row.contentHash, links: { json: l.json, csv: l.csv, revisions } }));
    },
  );
}
