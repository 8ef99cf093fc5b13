import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../domain/calendar.js';
import { AppError } from '../lib/errors.js';
import { parsePeriod, PERIOD_PATTERN } from '../features/reports/period.js';
import type { Report } from '../features/reports/report.js';
import { revisionChanges } from '../features/reports/revision-changes.js';
import { reportErrorPage, reportIndexPage, reportPage } from './report-pages.js';

function sendHtml(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
}

const links = (period: string, revision?: number) => {
  const q = revision ? `?revision=${revision}` : '';
  return { json: `/api/v1/public/reports/${period}${q}`, csv: `/api/v1/public/reports/${period}${q ? `${q}&` : '?'}format=csv` };
};

/** The public report pages: /bao-cao (every published period) and /bao-cao/{period} (a revision). */
export async function registerReportPages(app: FastifyInstance): Promise<void> {
  const reports = app.services.reports;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/bao-cao', { schema: { hide: true }, config: { htmlErrors: true } }, async (_req, reply) => {
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
    {
      schema: { hide: true, params: z.object({ period: z.string().max(20) }), querystring: z.object({ revision: z.string().max(12).optional() }) },
      config: { htmlErrors: true },
    },
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
      // a revision after the first says what moved since the one before it, and why
      const changes = row.revision > 1 ? revisionChanges(JSON.parse((await reports.get(period, row.revision - 1)).json) as Report, report) : null;
      const all = (await reports.list()).find((p) => p.period === row.period);
      const revisions = (all?.revisions ?? []).map((v) => ({
        revision: v.revision,
        publishedAt: toLocalIso(v.publishedAt),
        href: `/bao-cao/${row.period}?revision=${v.revision}`,
        current: v.revision === row.revision,
      }));
      const l = links(row.period, rev ? row.revision : undefined);
      return sendHtml(reply, 200, reportPage(report, { contentHash: row.contentHash, links: { json: l.json, csv: l.csv, revisions }, changes }));
    },
  );
}
