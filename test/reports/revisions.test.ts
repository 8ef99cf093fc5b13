import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/features/reports/report.js';
import { revisionChanges } from '../../src/features/reports/revision-changes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { publishTwoRevisions, REVISION_NOTE } from './revision-setup.js';

/** Each revision after the first says what changed from the one before, computed, and why. */
let t: TestApp;
let added = '';
beforeAll(async () => {
  t = await createTestApp({ now: '2026-04-02T02:00:00Z', config: { PAKN_REPORT_MIN_CELL: '3' } });
  ({ added } = await publishTwoRevisions(t));
}, 120_000);
afterAll(async () => t?.close());

const json = async (revision: number) => JSON.parse((await t.request().get(`/api/v1/public/reports/2026-03?revision=${revision}`)).text) as Report;
/** the rows of the changes table: scope | figure | before | after */
const changeRows = (html: string) =>
  [...(/<table class="report" id="so-lieu-thay-doi">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '').matchAll(/<tr><td>(.*?)<\/td><td>(.*?)<\/td><td class="n">(.*?)<\/td><td class="n">(.*?)<\/td><\/tr>/g)].map((m) =>
    m.slice(1).join(' | '),
  );

describe(`report revisions on ${dbLabel}`, () => {
  it('keeps the note in the second revision (hashed with it), not in the first', async () => {
    expect((await json(1)).revisionNote).toBeUndefined();
    expect((await json(2)).revisionNote).toBe(REVISION_NOTE);
  });

  it('computes the figures that moved between two revisions, and only those', async () => {
    const c = revisionChanges(await json(1), await json(2));
    expect(c).toMatchObject({ from: 1, to: 2, note: REVISION_NOTE, methodChanged: null, casesAdded: [added], casesRemoved: [], casesReclassified: [] });
    const by = (scope: string, figure: string) => c.figures.find((f) => f.scope === scope && f.figure === figure);
    expect(by('Toàn tỉnh', 'Hồ sơ tiếp nhận')).toMatchObject({ before: 6, after: 7 });
    expect(by('Toàn tỉnh', 'Đã giải quyết')).toMatchObject({ before: 6, after: 7 });
    expect(by('Toàn tỉnh', 'Đúng hạn')).toMatchObject({ before: 1, after: 2 });
    expect(by('Toàn tỉnh', 'Tỷ lệ đúng hạn')).toMatchObject({ before: { numerator: 5, denominator: 6 }, after: { numerator: 6, denominator: 7 } });
    expect(by('Cơ quan: Sở Nông nghiệp và Môi trường', 'Đã giải quyết')).toMatchObject({ before: 2, after: 3 });
    // three answers: no longer a small cell, so it is ranked now
    expect(by('Cơ quan: Sở Nông nghiệp và Môi trường', 'Hạng')).toMatchObject({ before: null, after: 1 });
    // what did not move is not listed
    expect(by('Toàn tỉnh', 'Trễ hạn')).toBeUndefined();
    expect(c.figures.filter((f) => f.scope === 'Cơ quan: Sở Y tế')).toEqual([]);
    expect(by('Toàn tỉnh', 'Mức độ hài lòng')).toBeUndefined();
  });

  it('shows the changes and the note on the page of the second revision, and none on the first', async () => {
    const page = await t.request().get('/bao-cao/2026-03');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2 id="thay-doi">Thay đổi so với phiên bản 1</h2>');
    expect(page.text).toContain(`<blockquote>${REVISION_NOTE}</blockquote>`);
    expect(page.text).toContain(`Thêm 1 hồ sơ đã giải quyết: <code class="tc">${added}</code>`);
    const rows = changeRows(page.text);
    expect(rows).toContain('Toàn tỉnh | Đã giải quyết | 6 | 7');
    expect(rows).toContain('Toàn tỉnh | Tỷ lệ đúng hạn | 83,3% (5/6) | 85,7% (6/7)');
    expect(rows).toContain('Cơ quan: Sở Nông nghiệp và Môi trường | Hạng | — | 1');
    expect(rows.some((r) => r.startsWith('Cơ quan: Sở Y tế'))).toBe(false);
    const second = await t.request().get('/bao-cao/2026-03?revision=2');
    expect(changeRows(second.text)).toEqual(rows);
    const first = await t.request().get('/bao-cao/2026-03?revision=1');
    expect(first.status).toBe(200);
    expect(first.text).not.toContain('id="thay-doi"');
  });

  it('flags the satisfaction figure when it rests on fewer ratings than the minimum cell', async () => {
    const page = (await t.request().get('/bao-cao/2026-03')).text;
    const card = /<div class="card"><div class="k">Mức độ hài lòng(.*?)<\/div>/.exec(page)?.[1] ?? '';
    expect(card).toContain('<span class="flag" title="Ít hơn 3 đánh giá: chưa đủ để kết luận">ít số liệu</span>');
    expect(page).toContain('Dưới 3 đánh giá: con số chưa đủ để kết luận về mức độ hài lòng.');
  });
});
