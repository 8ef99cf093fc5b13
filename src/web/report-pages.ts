/**
 * Public report pages (/bao-cao, /bao-cao/{period}): Vietnamese, rendered on the server from the
 * stored JSON of a published revision, readable without JavaScript and printable. The on-time
 * chart is an inline SVG with text labels, a <title> and a <desc>.
 */
import { toLocalIso } from '../domain/calendar.js';
import type { AgencyRow, GroupRow, Rate, Report } from '../features/reports/report.js';
import { KIND_LABEL_VI, OUTCOME_LABEL_VI } from '../features/reports/report.js';
import type { FigureValue, RevisionChanges } from '../features/reports/revision-changes.js';
import { trusted } from './html.js';
import { page } from './layout.js';

export const escHtml = (s: unknown): string =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** 0.8333 → "83,3%" */
export function pctVi(value: number | null | undefined): string {
  if (value == null) return '—';
  return `${(Math.round(value * 1000) / 10).toFixed(1).replace('.', ',')}%`;
}

const numVi = (n: number | null | undefined, digits = 2): string => {
  if (n == null) return '—';
  const s = Number.isInteger(n) ? String(n) : n.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '');
  return s.replace('.', ',');
};

/** "2026-03-05T10:00:00+07:00" → "10:00 05/03/2026" (the text is local time already) */
export function dateTimeVi(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[4]}:${m[5]} ${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** "2026-03-01" → "01/03/2026" */
export function dateVi(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : date;
}

const rateText = (r: Rate) => (r.value == null ? '—' : `${pctVi(r.value)} (${r.numerator}/${r.denominator})`);

/** Styles of the report pages, on top of the site's style sheet. */
const STYLE = `
main{max-width:76rem}
.meta{color:var(--muted);font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:.8rem;margin:1rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.7rem .9rem}
.card .v{font-size:1.6rem;font-weight:700}
.card .k{color:var(--muted);font-size:.9rem}
.card .d{font-size:.82rem;color:var(--muted)}
.table-wrap{overflow-x:auto;margin:.5rem 0 1rem}
.table-wrap:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.table-wrap table.report{margin:0}
table.report{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.85rem}
table.report th,table.report td{border:1px solid var(--line);padding:.3rem .45rem;text-align:left;vertical-align:top}
table.report th{background:var(--soft)}
table.report td.n,table.report th.n{text-align:right}
table.report td.n{white-space:nowrap}
table.report td.name{min-width:11rem}
table.report tr.small td{color:var(--muted)}
.flag{display:inline-block;font-size:.78rem;border:1px solid var(--warn);color:var(--warn);border-radius:4px;padding:0 .3rem;white-space:nowrap}
.out-early{color:var(--ok)} .out-on_time{color:var(--accent)} .out-late{color:var(--bad)}
figure.chart{margin:1rem 0} figure.chart figcaption{color:var(--muted);font-size:.9rem}
svg.chart{width:100%;height:auto;max-width:1000px}
.method p{margin:.5rem 0}
.downloads a{margin-right:1rem}
code{font-size:.85em}
code.tc{white-space:nowrap}
code.hash{word-break:break-all}
ol.bars{list-style:none;margin:.5rem 0;padding:0;display:none}
ol.bars li{margin:0 0 .7rem}
ol.bars .name{display:block;font-size:.95rem;font-weight:600}
ol.bars .track{display:flex;align-items:center;gap:.5rem}
ol.bars .bar{flex:1 1 auto;height:1rem;background:var(--soft);border:1px solid var(--line)}
ol.bars .fill{display:block;height:100%;background:#0b5cad}
ol.bars .small .fill{background:repeating-linear-gradient(45deg,#e6ecf2 0 3px,#8c959f 3px 5px)}
ol.bars .val{flex:none;font-size:.9rem;white-space:nowrap}
.changes{border-left:6px solid var(--accent);background:var(--soft);padding:.6rem 1rem;margin:1rem 0}
.changes h2{margin-top:.4rem}
.changes blockquote{margin:.5rem 0;padding:.4rem .8rem;background:#fff;border:1px solid var(--line)}
@media (max-width:40rem){
  svg.chart{display:none}
  ol.bars{display:block}
  .card .v{font-size:1.35rem}
}
@media print{
  header.site nav,.skip,.downloads,nav.back{display:none}
  header.site{background:none;color:#000;border-bottom:2px solid #000}
  header.site a{color:#000}
  main{max-width:none;padding:0}
  body{font-size:11pt}
  h2{break-after:avoid}
  table.report tr{break-inside:avoid}
  .table-wrap{overflow:visible}
  svg.chart{display:block}
  ol.bars{display:none}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}`;

/** The common frame of the report pages: the site's layout with the report styles. */
export function reportLayout(title: string, body: string): string {
  return page({ title, body: trusted(`<style>${STYLE}</style>\n${body}`) });
}

// ------------------------------------------------------------------------------- the chart

const CHART = { width: 900, labelW: 260, barW: 470, rowH: 30, top: 34, bottom: 26 };

/** Horizontal bars of the on-time rate by agency; small cells drawn pale and marked. */
export function onTimeChartSvg(r: Report): string {
  const rows = r.agencies;
  const h = CHART.top + Math.max(rows.length, 1) * CHART.rowH + CHART.bottom;
  const x0 = CHART.labelW;
  const title = `Tỷ lệ giải quyết đúng hạn theo cơ quan, ${r.label}`;
  const desc =
    rows.length === 0
      ? 'Không có cơ quan nào có hồ sơ trong kỳ.'
      : rows
          .map((a) => {
            const what = a.onTimeRate.value == null ? 'chưa có hồ sơ giải quyết' : `${pctVi(a.onTimeRate.value)} (${a.onTimeRate.numerator}/${a.onTimeRate.denominator} hồ sơ)`;
            return `${a.label}: ${what}${a.rank != null ? `, hạng ${a.rank}` : a.smallCell ? ', ít số liệu, không xếp hạng' : ''}`;
          })
          .join('; ') + '.';
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" role="img" aria-labelledby="chart-title" aria-describedby="chart-desc" viewBox="0 0 ${CHART.width} ${h}" width="${CHART.width}" height="${h}" xmlns="http://www.w3.org/2000/svg" font-family="Segoe UI, Roboto, Noto Sans, Arial, sans-serif" font-size="13">`,
    `<title id="chart-title">${escHtml(title)}</title>`,
    `<desc id="chart-desc">${escHtml(desc)}</desc>`,
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e6ecf2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8c959f" stroke-width="2"/></pattern></defs>`,
  );
  // scale
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = x0 + t * CHART.barW;
    parts.push(
      `<line x1="${x}" y1="${CHART.top - 6}" x2="${x}" y2="${h - CHART.bottom + 4}" stroke="#d0d7de" stroke-width="1"/>`,
      `<text x="${x}" y="${CHART.top - 12}" text-anchor="middle" fill="#57606a">${t * 100}%</text>`,
    );
  }
  rows.forEach((a, i) => {
    const y = CHART.top + i * CHART.rowH;
    const label = a.shortName || a.label;
    const v = a.onTimeRate.value;
    parts.push(
      `<g class="bar" data-agency="${escHtml(a.key ?? '')}">`,
      `<title>${escHtml(a.label)}</title>`,
      `<text x="${x0 - 8}" y="${y + 19}" text-anchor="end" fill="#1b1f24">${escHtml(a.rank != null ? `${a.rank}. ${label}` : label)}</text>`,
    );
    if (v != null) {
      const w = Math.max(v * CHART.barW, 1.5);
      parts.push(
        `<rect x="${x0}" y="${y + 5}" width="${w.toFixed(1)}" height="${CHART.rowH - 10}" fill="${a.smallCell ? 'url(#hatch)' : '#0b5cad'}"${a.smallCell ? ' stroke="#8c959f"' : ''}/>`,
        `<text x="${(x0 + w + 6).toFixed(1)}" y="${y + 19}" fill="#1b1f24">${escHtml(`${pctVi(v)} (${a.onTimeRate.numerator}/${a.onTimeRate.denominator})${a.smallCell ? ' — ít số liệu' : ''}`)}</text>`,
      );
    } else {
      parts.push(`<text x="${x0 + 6}" y="${y + 19}" fill="#57606a">chưa có hồ sơ giải quyết</text>`);
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * The same chart for a phone (shown under 40rem instead of the SVG, whose text would shrink
 * below 12 px): one row per agency with its full name, a bar and the figure, in HTML text that
 * wraps and keeps the page's font size.
 */
export function onTimeChartNarrow(r: Report): string {
  const title = `Tỷ lệ giải quyết đúng hạn theo cơ quan, ${r.label}`;
  if (r.agencies.length === 0) return `<ol class="bars" aria-label="${escHtml(title)}"><li>Không có cơ quan nào có hồ sơ trong kỳ.</li></ol>`;
  const rows = r.agencies.map((a) => {
    const v = a.onTimeRate.value;
    const name = `${a.rank != null ? `${a.rank}. ` : ''}${a.label}`;
    const figure = v == null ? 'chưa có hồ sơ giải quyết' : `${pctVi(v)} (${a.onTimeRate.numerator}/${a.onTimeRate.denominator})`;
    const width = v == null ? 0 : Math.max(v * 100, 0.5);
    return `<li class="${a.smallCell ? 'small' : ''}" data-agency="${escHtml(a.key ?? '')}"><span class="name">${escHtml(name)}${a.smallCell ? ` <span class="flag">ít số liệu</span>` : ''}</span><span class="track"><span class="bar" aria-hidden="true"><span class="fill" style="width:${width.toFixed(1)}%"></span></span><span class="val">${escHtml(figure)}</span></span></li>`;
  });
  return `<ol class="bars" aria-label="${escHtml(title)}">\n${rows.join('\n')}\n</ol>`;
}

// ------------------------------------------------------------------------------- revisions

const figureText = (v: FigureValue): string => (v == null ? '—' : typeof v === 'number' ? numVi(v) : rateText(v));
const OUTCOME = (o: string) => OUTCOME_LABEL_VI[o] ?? o;

/** What changed from the previous revision, and why (the publisher's note). */
export function changesSection(c: RevisionChanges): string {
  const codes = (list: string[]) => list.map((x) => `<code class="tc">${escHtml(x)}</code>`).join(', ');
  const items: string[] = [];
  if (c.methodChanged) items.push(`<li>Phương pháp tính đổi từ phiên bản ${escHtml(c.methodChanged.before)} sang ${escHtml(c.methodChanged.after)}.</li>`);
  if (c.casesAdded.length) items.push(`<li>Thêm ${c.casesAdded.length} hồ sơ đã giải quyết: ${codes(c.casesAdded)}.</li>`);
  if (c.casesRemoved.length) items.push(`<li>Bớt ${c.casesRemoved.length} hồ sơ: ${codes(c.casesRemoved)}.</li>`);
  for (const x of c.casesReclassified) items.push(`<li>Hồ sơ <code class="tc">${escHtml(x.trackingCode)}</code>: ${escHtml(OUTCOME(x.before))} → ${escHtml(OUTCOME(x.after))}.</li>`);
  const table =
    c.figures.length === 0
      ? '<p>Không có số liệu nào thay đổi.</p>'
      : scrollRegion(
          `Số liệu thay đổi so với phiên bản ${c.from}`,
          `<table class="report" id="so-lieu-thay-doi"><thead><tr><th>Phạm vi</th><th>Chỉ tiêu</th><th class="n">Phiên bản ${c.from}</th><th class="n">Phiên bản ${c.to}</th></tr></thead><tbody>
${c.figures.map((f) => `<tr><td>${escHtml(f.scope)}</td><td>${escHtml(f.figure)}</td><td class="n">${escHtml(figureText(f.before))}</td><td class="n">${escHtml(figureText(f.after))}</td></tr>`).join('\n')}
</tbody></table>`,
        );
  return `<section class="changes" aria-labelledby="thay-doi">
<h2 id="thay-doi">Thay đổi so với phiên bản ${c.from}</h2>
${c.note ? `<p><strong>Lý do công bố lại</strong> (ghi chú của đơn vị công bố):</p><blockquote>${escHtml(c.note).replace(/\n/g, '<br>')}</blockquote>` : '<p><strong>Lý do công bố lại:</strong> đơn vị công bố không ghi chú.</p>'}
${items.length ? `<ul>${items.join('\n')}</ul>` : ''}
${table}
</section>`;
}

// ------------------------------------------------------------------------------- tables

const smallFlag = (g: GroupRow, minCell: number) =>
  g.smallCell ? ` <span class="flag" title="Ít hơn ${minCell} hồ sơ đã giải quyết: không xếp hạng">ít số liệu</span>` : '';

/**
 * A table that may be wider than a phone: a labelled region that scrolls sideways and takes
 * keyboard focus, so that it can be scrolled without a mouse (axe scrollable-region-focusable).
 */
const scrollRegion = (label: string, table: string) =>
  `<div class="table-wrap" role="region" aria-label="${escHtml(label)}" tabindex="0">${table}</div>`;

function groupTable(title: string, caption: string, rows: GroupRow[], minCell: number, firstHeader: string): string {
  if (rows.length === 0) return `<p>Không có hồ sơ trong kỳ.</p>`;
  return scrollRegion(title, `<table class="report">
<caption class="meta" style="caption-side:bottom;text-align:left">${escHtml(caption)}</caption>
<thead><tr><th>${escHtml(firstHeader)}</th><th class="n">Tiếp nhận</th><th class="n">Đã giải quyết</th><th class="n">Trước hạn</th><th class="n">Đúng hạn</th><th class="n">Trễ hạn</th><th class="n">Có gia hạn</th><th class="n">Tỷ lệ đúng hạn</th><th class="n">Đúng hạn không gia hạn</th><th class="n">Trung vị ngày làm việc</th></tr></thead>
<tbody>
${rows
  .map(
    (g) =>
      `<tr${g.smallCell ? ' class="small"' : ''}><td class="name">${escHtml(g.label)}${smallFlag(g, minCell)}</td><td class="n">${g.received}</td><td class="n">${g.resolved}</td><td class="n">${g.early}</td><td class="n">${g.onTime}</td><td class="n">${g.late}</td><td class="n">${g.withExtension}</td><td class="n">${rateText(g.onTimeRate)}</td><td class="n">${rateText(g.strictOnTimeRate)}</td><td class="n">${numVi(g.medianWorkingDays)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`);
}

function agencyTable(r: Report): string {
  if (r.agencies.length === 0) return '<p>Không có cơ quan nào có hồ sơ trong kỳ.</p>';
  return scrollRegion('Bảng kết quả theo cơ quan', `<table class="report" id="bang-co-quan">
<thead><tr><th class="n">Hạng</th><th>Cơ quan</th><th class="n">Tiếp nhận</th><th class="n">Đã giải quyết</th><th class="n">Trước hạn</th><th class="n">Đúng hạn</th><th class="n">Trễ hạn</th><th class="n">Tỷ lệ đúng hạn</th><th class="n">Đúng hạn không gia hạn</th><th class="n">Trung vị ngày làm việc</th><th class="n">Trong hạn cuối kỳ</th><th class="n">Quá hạn cuối kỳ</th></tr></thead>
<tbody>
${r.agencies
  .map(
    (a: AgencyRow) =>
      `<tr${a.smallCell ? ' class="small"' : ''} data-agency="${escHtml(a.key ?? '')}"><td class="n">${a.rank ?? '—'}</td><td class="name">${escHtml(a.label)}${smallFlag(a, r.minCell)}</td><td class="n">${a.received}</td><td class="n">${a.resolved}</td><td class="n">${a.early}</td><td class="n">${a.onTime}</td><td class="n">${a.late}</td><td class="n">${rateText(a.onTimeRate)}</td><td class="n">${rateText(a.strictOnTimeRate)}</td><td class="n">${numVi(a.medianWorkingDays)}</td><td class="n">${a.openWithinDeadline}</td><td class="n">${a.overdue}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`);
}

function casesTable(r: Report): string {
  if (r.cases.length === 0) return '<p>Không có hồ sơ nào được giải quyết trong kỳ.</p>';
  return scrollRegion('Danh sách hồ sơ đã giải quyết', `<table class="report" id="danh-sach-ho-so">
<thead><tr><th>Mã hồ sơ</th><th>Loại</th><th>Lĩnh vực</th><th>Cơ quan xử lý</th><th>Tiếp nhận</th><th>Trả lời</th><th>Kết quả</th><th class="n">Ngày làm việc</th><th>Doanh nghiệp</th><th>Nội dung trả lời</th></tr></thead>
<tbody>
${r.cases
  .map(
    (c) =>
      `<tr><td><code class="tc">${escHtml(c.trackingCode)}</code></td><td>${escHtml(KIND_LABEL_VI[c.kind] ?? c.kind)}</td><td>${escHtml(c.category)}</td><td>${escHtml(c.agency)}</td><td>${escHtml(dateTimeVi(c.receivedAt))}</td><td>${escHtml(dateTimeVi(c.resolvedAt))}</td><td class="out-${escHtml(c.outcome)}">${escHtml(OUTCOME_LABEL_VI[c.outcome] ?? c.outcome)}${c.resolvedWithExtension ? ' (có gia hạn)' : ''}</td><td class="n">${numVi(c.workingDays)}</td><td>${c.businessName ? escHtml(c.businessName) : '<span class="meta">không công khai</span>'}</td><td>${escHtml(c.publicAnswer ?? '')}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`);
}

function countList(items: Array<{ label: string; count: number }>): string {
  if (items.length === 0) return '—';
  return items.map((i) => `${escHtml(i.label)}: ${i.count}`).join('; ');
}

export interface ReportPageLinks {
  json: string;
  csv: string;
  revisions: Array<{ revision: number; publishedAt: string; href: string; current: boolean }>;
}

/** The page of one published revision. */
export function reportPage(r: Report, meta: { contentHash: string; links: ReportPageLinks; changes?: RevisionChanges | null }): string {
  const t = r.totals;
  // as the agencies' cells: fewer answers than minCell is a small sample, flagged and not to be read as a trend
  const satisfactionSmall = t.satisfaction.rated > 0 && t.satisfaction.rated < r.minCell;
  const satisfactionFlag = satisfactionSmall
    ? ` <span class="flag" title="Ít hơn ${r.minCell} đánh giá: chưa đủ để kết luận">ít số liệu</span>`
    : '';
  const cards: Array<[string, string, string, string?]> = [
    ['Hồ sơ tiếp nhận', String(t.received.total), 'tiếp nhận trong kỳ'],
    ['Đã giải quyết', String(t.resolved.total), `trước hạn ${t.resolved.early}, đúng hạn ${t.resolved.onTime}, trễ hạn ${t.resolved.late}`],
    ['Tỷ lệ đúng hạn', pctVi(t.onTimeRate.value), `${t.onTimeRate.numerator} trước hoặc đúng hạn / ${t.onTimeRate.denominator} đã giải quyết`],
    ['Đúng hạn không gia hạn', pctVi(t.strictOnTimeRate.value), `${t.strictOnTimeRate.numerator} / ${t.strictOnTimeRate.denominator} đã giải quyết`],
    ['Quá hạn cuối kỳ', String(t.openAtPeriodEnd.overdue), `trong ${t.openAtPeriodEnd.total} hồ sơ đang xử lý; ${t.openAtPeriodEnd.withinDeadline} còn trong hạn`],
    ['Số ngày làm việc để giải quyết', numVi(t.workingDaysToResolve.median), `trung vị; 90% hồ sơ trong ${numVi(t.workingDaysToResolve.p90)} ngày`],
    ['Mức độ hài lòng', pctVi(t.satisfaction.rate.value), `${t.satisfaction.satisfied} đánh giá 4–5 sao / ${t.satisfaction.rated} đánh giá`, satisfactionFlag],
  ];
  const revisionNote =
    meta.links.revisions.length > 1
      ? `<p class="meta">Các phiên bản: ${meta.links.revisions
          .map((v) => (v.current ? `<strong>phiên bản ${v.revision}</strong> (${escHtml(dateTimeVi(v.publishedAt))})` : `<a href="${escHtml(v.href)}">phiên bản ${v.revision}</a> (${escHtml(dateTimeVi(v.publishedAt))})`))
          .join(', ')}</p>`
      : '';
  const body = `
<nav class="meta back" aria-label="Báo cáo"><a href="/bao-cao">← Tất cả báo cáo</a></nav>
<h1>Báo cáo kết quả tiếp nhận, xử lý phản ánh, kiến nghị của doanh nghiệp ${escHtml(r.label)}</h1>
<p class="meta">Kỳ báo cáo: từ ${escHtml(dateVi(r.from))} đến hết ${escHtml(dateVi(r.to))}. Phiên bản ${r.revision}, công bố lúc ${escHtml(dateTimeVi(r.generatedAt))}. Phương pháp tính phiên bản ${escHtml(r.methodVersion)}.</p>
${revisionNote}
${meta.changes ? changesSection(meta.changes) : ''}
<p class="downloads"><a href="${escHtml(meta.links.json)}">Tải số liệu (JSON)</a><a href="${escHtml(meta.links.csv)}">Tải số liệu (CSV)</a></p>

<section aria-labelledby="so-lieu-chinh">
<h2 id="so-lieu-chinh">Số liệu chính</h2>
<div class="cards">
${cards.map(([k, v, d, flag]) => `<div class="card"><div class="k">${escHtml(k)}${flag ?? ''}</div><div class="v">${escHtml(v)}</div><div class="d">${escHtml(d)}</div></div>`).join('\n')}
</div>
<ul>
${t.resolved.total === 0 ? '<li>Chưa có hồ sơ nào được giải quyết trong kỳ, nên chưa tính được tỷ lệ đúng hạn.</li>' : ''}
<li>Tỷ lệ đúng hạn ${escHtml(pctVi(t.onTimeRate.value))} = ${t.onTimeRate.numerator} hồ sơ trả lời trước hạn hoặc đúng hạn (theo hạn đã gia hạn, nếu có) / ${t.onTimeRate.denominator} hồ sơ đã giải quyết trong kỳ.</li>
<li>Tỷ lệ đúng hạn không gia hạn ${escHtml(pctVi(t.strictOnTimeRate.value))} = ${t.strictOnTimeRate.numerator} hồ sơ trả lời trước hạn hoặc đúng hạn mà không gia hạn / ${t.strictOnTimeRate.denominator} hồ sơ đã giải quyết trong kỳ.</li>
<li>Đang xử lý vào cuối kỳ: ${t.openAtPeriodEnd.total} hồ sơ, trong đó ${t.openAtPeriodEnd.withinDeadline} trong hạn (có ${t.openAtPeriodEnd.awaitingBusiness} đang chờ doanh nghiệp bổ sung thông tin) và ${t.openAtPeriodEnd.overdue} quá hạn.</li>
<li>Tạm dừng chờ doanh nghiệp bổ sung: ${t.pauses.count} lần, tổng ${escHtml(numVi(t.pauses.workingDays))} ngày làm việc. Gia hạn được phê duyệt: ${t.extensions.approved} lần; ${t.extensions.resolvedWithExtension} hồ sơ giải quyết có gia hạn. Doanh nghiệp không đồng ý với kết quả: ${t.disputes.count} lần.</li>
<li>${t.satisfaction.rated === 0 ? 'Mức độ hài lòng: chưa có đánh giá nào trong kỳ.' : `Mức độ hài lòng ${escHtml(pctVi(t.satisfaction.rate.value))} = ${t.satisfaction.satisfied} đánh giá 4 hoặc 5 sao / ${t.satisfaction.rated} đánh giá nhận được trong kỳ.${satisfactionSmall ? `${satisfactionFlag} Dưới ${r.minCell} đánh giá: con số chưa đủ để kết luận về mức độ hài lòng.` : ''}`}</li>
<li>Tiếp nhận theo kênh: ${countList(t.received.byChannel)}.</li>
<li>Tiếp nhận theo loại: ${countList(t.received.byKind)}.</li>
</ul>
</section>

<section aria-labelledby="theo-co-quan">
<h2 id="theo-co-quan">Tỷ lệ giải quyết đúng hạn theo cơ quan</h2>
<figure class="chart">
${onTimeChartSvg(r)}
${onTimeChartNarrow(r)}
<figcaption>Cơ quan xếp theo tỷ lệ đúng hạn (trước hạn + đúng hạn / đã giải quyết). Cơ quan có ít hơn ${r.minCell} hồ sơ đã giải quyết được vẽ nhạt, đánh dấu "ít số liệu" và không xếp hạng.</figcaption>
</figure>
${agencyTable(r)}
</section>

<section aria-labelledby="theo-linh-vuc">
<h2 id="theo-linh-vuc">Theo lĩnh vực</h2>
${groupTable('Bảng kết quả theo lĩnh vực', `Ô có ít hơn ${r.minCell} hồ sơ đã giải quyết được đánh dấu "ít số liệu".`, r.byCategory, r.minCell, 'Lĩnh vực')}
</section>

<section aria-labelledby="theo-kenh">
<h2 id="theo-kenh">Theo kênh tiếp nhận</h2>
${groupTable('Bảng kết quả theo kênh tiếp nhận', `Ô có ít hơn ${r.minCell} hồ sơ đã giải quyết được đánh dấu "ít số liệu".`, r.byChannel, r.minCell, 'Kênh')}
</section>

<section aria-labelledby="theo-loai">
<h2 id="theo-loai">Theo loại phản ánh, kiến nghị</h2>
${groupTable('Bảng kết quả theo loại phản ánh, kiến nghị', `Ô có ít hơn ${r.minCell} hồ sơ đã giải quyết được đánh dấu "ít số liệu".`, r.byKind, r.minCell, 'Loại')}
</section>

<section aria-labelledby="danh-sach">
<h2 id="danh-sach">Danh sách hồ sơ đã giải quyết trong kỳ (${r.cases.length})</h2>
<p class="meta">Không có thông tin cá nhân; tên doanh nghiệp chỉ hiện khi doanh nghiệp đồng ý công khai.</p>
${casesTable(r)}
</section>

<section aria-labelledby="phuong-phap" class="method">
<h2 id="phuong-phap">Phương pháp tính</h2>
${r.method
  .split(/\n\s*\n/)
  .map((p) => `<p>${escHtml(p.trim())}</p>`)
  .join('\n')}
<p class="meta">Số hồ sơ tối thiểu để xếp hạng: ${r.minCell}. Mã băm SHA-256 của nội dung JSON phiên bản này: <code class="hash">${escHtml(meta.contentHash)}</code></p>
${r.chainHead
  ? `<p class="meta chain-head">Dữ liệu của báo cáo dựa trên nhật ký xử lý hồ sơ đến sự kiện số <strong>${r.chainHead.seq}</strong> (mã băm <code class="hash">${escHtml(r.chainHead.hash)}</code>), được hệ thống ký số lúc ${escHtml(dateTimeVi(toLocalIso(new Date(r.chainHead.at))))} (điểm kiểm tra số ${r.chainHead.n}, chữ ký Ed25519 <code class="hash">${escHtml(r.chainHead.signature)}</code>; khoá công khai tại <a href="/api/v1/public/chain/head">/api/v1/public/chain/head</a>). Mọi thay đổi về sau đối với các sự kiện này đều bị phát hiện khi kiểm tra.</p>`
  : ''}
</section>`;
  return reportLayout(`Báo cáo ${r.label}`, body);
}

/** The index of every published period. */
export function reportIndexPage(
  items: Array<{ period: string; label: string; kind: string; revision: number; publishedAt: string; href: string }>,
): string {
  const byYear = new Map<string, typeof items>();
  for (const i of items) {
    const y = i.period.slice(0, 4);
    byYear.set(y, [...(byYear.get(y) ?? []), i]);
  }
  const KIND_VI: Record<string, string> = { month: 'Tháng', quarter: 'Quý', half: '6 tháng', year: 'Năm' };
  const body = `
<h1>Báo cáo công khai kết quả xử lý phản ánh, kiến nghị</h1>
<p>Mỗi tháng, Tổ phản ứng nhanh công bố số hồ sơ tiếp nhận, số hồ sơ giải quyết trước hạn, đúng hạn, trễ hạn của từng cơ quan, kèm danh sách hồ sơ đã giải quyết và phương pháp tính.</p>
${
  items.length === 0
    ? '<p>Chưa có báo cáo nào được công bố.</p>'
    : [...byYear.entries()]
        .map(
          ([year, list]) => `<h2>Năm ${escHtml(year)}</h2>
${scrollRegion(`Báo cáo đã công bố năm ${year}`, `<table class="report"><thead><tr><th>Kỳ báo cáo</th><th>Loại</th><th class="n">Phiên bản</th><th>Công bố lúc</th></tr></thead><tbody>
${list
  .map(
    (i) =>
      `<tr><td><a href="${escHtml(i.href)}">Báo cáo ${escHtml(i.label)}</a></td><td>${escHtml(KIND_VI[i.kind] ?? i.kind)}</td><td class="n">${i.revision}</td><td>${escHtml(dateTimeVi(i.publishedAt))}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`)}`,
        )
        .join('\n')
}`;
  return reportLayout('Báo cáo công khai kết quả xử lý', body);
}

/** A short error page (unknown period, revision not published, bad address). */
export function reportErrorPage(status: number, message: string): string {
  return reportLayout(
    status === 404 ? 'Không tìm thấy báo cáo' : 'Địa chỉ không hợp lệ',
    `<h1>${status === 404 ? 'Không tìm thấy báo cáo' : 'Địa chỉ không hợp lệ'}</h1><p>${escHtml(message)}</p><p><a href="/bao-cao">Xem danh sách báo cáo đã công bố</a></p>`,
  );
}
