/**
 * A scripted month driven through the real actions (intake, the workflow, public replies,
 * ratings and disputes) on a FixedClock, then published by the scheduled job on 1/4/2026 and
 * read back as JSON, CSV and HTML. Every expected figure is computed by hand in the comments.
 *
 * March 2026: 22 working days, no holiday; an office day is 7.5 h (07:30–11:30, 13:30–17:00).
 * minCell is 3 for this test.
 */
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEvents, cases, outbox, users } from '../../src/db/schema.js';
import type { Action } from '../../src/domain/lifecycle.js';
import type { Actor } from '../../src/features/auth/service.js';
import type { ActionInput, CaseActor } from '../../src/features/cases/effects.js';
import type { Report } from '../../src/features/reports/report.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { dueOf, idsByCode, parseReportCsv, receive, vn } from './helpers.js';

let t: TestApp;
let ids: Awaited<ReturnType<typeof idsByCode>>;
const codes: Record<string, string> = {};
const caseIds: Record<string, number> = {};
const wd = (hours: number) => Math.round((hours / 7.5) * 100) / 100;
/** the body as bytes (supertest would decode text and drop the BOM) */
const rawBody = (res: unknown, cb: (err: Error | null, body: unknown) => void) => {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

async function actorOf(token: string): Promise<Actor> {
  const a = await t.app.services.auth.authenticate(token);
  if (!a) throw new Error('unknown token');
  return a;
}

let staffXd: CaseActor;
let leadXd: CaseActor;
let staffNn: CaseActor;
let staffYt: CaseActor;
let coordinator: CaseActor;
const business: CaseActor = { kind: 'public' };

/** One action at a local time, through the workflow service. */
async function act(name: string, at: string, action: Action, who: CaseActor, input: ActionInput = {}) {
  t.clock.set(vn(at));
  const id = caseIds[name];
  const [c] = await t.database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, id));
  const version = who.kind === 'staff' ? c.version : undefined;
  return t.app.services.workflow.act(id, action, who, { version, ...input });
}

async function newCase(name: string, o: Parameters<typeof receive>[1]) {
  t.clock.set(vn(o.at));
  const c = await receive(t, o);
  caseIds[name] = c.id;
  codes[name] = c.trackingCode;
  return c;
}

const answer = (text: string) => ({ reason: 'answered', publicText: text });

beforeAll(async () => {
  t = await createTestApp({
    now: '2026-03-01T00:00:00Z',
    config: { PAKN_REPORT_MIN_CELL: '3', PAKN_LEADERSHIP_EMAILS: 'lanhdao@bacninh.example,vanphong.ubnd@bacninh.example' },
  });
  ids = await idsByCode(t);
  staffXd = { kind: 'staff', actor: await actorOf(t.tokens.agency_staff) };
  leadXd = { kind: 'staff', actor: await actorOf(t.tokens.agency_lead) };
  staffNn = { kind: 'staff', actor: await actorOf(t.tokens.agency_staff_nnmt) };
  coordinator = { kind: 'staff', actor: await actorOf(t.tokens.coordinator) };
  const [yt] = await t.database.db
    .insert(users)
    .values({ name: 'Chuyên viên Sở Y tế', role: 'agency_staff', agencyId: ids.agency.so_y_te })
    .returning();
  staffYt = { kind: 'staff', actor: { userId: yt.id, name: yt.name, role: 'agency_staff', agencyId: ids.agency.so_y_te, tokenId: 0 } };

  const X = ids.category.xay_dung; // → Sở Xây dựng
  const M = ids.category.moi_truong; // → Sở Nông nghiệp và Môi trường
  const F = ids.category.an_toan_thuc_pham; // → Sở Y tế

  // February: n4, answered in March
  await newCase('n4', { at: '2026-02-26 10:00', category: M });
  await act('n4', '2026-02-26 11:00', 'accept', staffNn);

  // ---------------------------------------------------------------- March, in order of time
  await newCase('n1', { at: '2026-03-02 07:30', category: M, channel: 'zalo' });
  await newCase('x1', { at: '2026-03-02 09:00', category: X, businessName: 'Công ty TNHH Minh An', consent: true, email: 'lienhe@minhan.example' });
  await act('n1', '2026-03-02 08:00', 'accept', staffNn);
  await act('x1', '2026-03-02 09:30', 'accept', staffXd);
  await act('n4', '2026-03-02 10:00', 'resolve', staffNn, answer('Đã giải quyết xong thủ tục đất đai.'));
  await newCase('x2', { at: '2026-03-02 14:00', category: X, channel: 'hotline', businessName: 'Công ty CP Kín Tên', consent: false });
  await act('n1', '2026-03-02 16:30', 'resolve', staffNn, answer('Đã hướng dẫn doanh nghiệp lập hồ sơ môi trường.'));
  await act('n1', '2026-03-03 08:00', 'rate', business, { rating: 5 });
  await act('x2', '2026-03-03 08:00', 'accept', staffXd);
  await newCase('x3', { at: '2026-03-03 08:00', category: X });
  await act('x3', '2026-03-03 08:30', 'accept', staffXd);
  await newCase('n6', { at: '2026-03-03 09:00', category: M });
  await act('n6', '2026-03-03 09:30', 'accept', staffNn);
  await newCase('x4', { at: '2026-03-04 10:00', category: X, channel: 'email' });
  await act('x1', '2026-03-04 10:00', 'resolve', staffXd, answer('Sở đã cấp giấy phép xây dựng cho nhà xưởng.'));
  await act('x4', '2026-03-04 11:00', 'accept', staffXd);
  await act('x1', '2026-03-05 08:00', 'rate', business, { rating: 5, comment: 'Nhanh' });
  await newCase('y1', { at: '2026-03-05 09:00', category: F, channel: 'hotline' });
  await newCase('x7', { at: '2026-03-05 09:00', category: X });
  await act('x4', '2026-03-05 10:00', 'request_info', staffXd, { publicText: 'Đề nghị bổ sung bản vẽ mặt bằng.' });
  await act('y1', '2026-03-05 10:00', 'accept', staffYt);
  await act('x7', '2026-03-05 11:00', 'reject', coordinator, { reason: 'not_business_related', publicText: 'Nội dung không liên quan đến sản xuất, kinh doanh.' });
  await newCase('x5', { at: '2026-03-09 09:00', category: X });
  await act('x4', '2026-03-09 10:00', 'reply', business, { publicText: 'Đã gửi bản vẽ mặt bằng.' });
  // 18/3 17:00 moved by the 15 office hours waited (2 working days)
  expect((await dueOf(t, caseIds.x4)).toISOString()).toBe(vn('2026-03-20 17:00').toISOString());
  await act('x5', '2026-03-09 10:00', 'accept', staffXd);
  await act('x4', '2026-03-10 09:00', 'extend', leadXd, { amount: 5, unit: 'working_days', reason: 'Cần lấy ý kiến Sở Tài chính' });
  expect((await dueOf(t, caseIds.x4)).toISOString()).toBe(vn('2026-03-27 17:00').toISOString());
  await newCase('n2', { at: '2026-03-10 13:30', category: M, kind: 'kien_nghi' });
  await act('n2', '2026-03-10 14:00', 'accept', staffNn);
  await newCase('n3', { at: '2026-03-11 09:00', category: M });
  await act('n3', '2026-03-11 10:00', 'accept', staffNn);
  await act('y1', '2026-03-12 09:00', 'resolve', staffYt, answer('Đã cấp giấy chứng nhận an toàn thực phẩm.'));
  await act('n6', '2026-03-13 10:00', 'request_info', staffNn, { publicText: 'Đề nghị bổ sung báo cáo đánh giá tác động môi trường.' });
  await newCase('n5', { at: '2026-03-16 09:00', category: M });
  await act('n5', '2026-03-16 10:00', 'accept', staffNn);
  await act('x2', '2026-03-16 16:00', 'resolve', staffXd, answer('Liên hệ 0912 345 678 hoặc cv.xaydung@bacninh.gov.vn để nhận bản chính.'));
  await act('n5', '2026-03-18 09:00', 'resolve', staffNn, answer('Đã trả lời lần thứ nhất.'));
  await act('x3', '2026-03-19 10:00', 'resolve', staffXd, answer('Trả lời về quy hoạch chi tiết.'));
  await act('n5', '2026-03-20 09:00', 'dispute', business, { publicText: 'Câu trả lời chưa đúng nội dung.' });
  await act('x4', '2026-03-20 11:00', 'resolve', staffXd, answer('Đã thẩm định xong bản vẽ.'));
  await act('x3', '2026-03-20 14:00', 'rate', business, { rating: 2 });
  await newCase('x6', { at: '2026-03-23 09:00', category: X });
  await act('n2', '2026-03-24 17:00', 'resolve', staffNn, answer('Kiến nghị được tiếp thu.'));
  await act('n3', '2026-03-27 09:00', 'resolve', staffNn, answer('Đã xử lý việc xả thải.'));
  await newCase('x8', { at: '2026-03-30 09:00', category: X });
  await act('n3', '2026-03-30 09:00', 'rate', business, { rating: 4 });
  await act('x8', '2026-03-30 10:00', 'accept', staffXd);
  await newCase('t1', { at: '2026-03-31 10:00', category: ids.category.khac, channel: 'hotline' });
  // April, before the scheduled run
  await act('x8', '2026-04-01 05:00', 'resolve', staffXd, answer('Trả lời sớm đầu tháng.'));

  // the scheduled job at 06:00 on 1/4
  t.clock.set(vn('2026-04-01 06:00'));
  const run = await t.app.services.reports.publishPreviousMonthIfMissing();
  expect(run).toEqual({ period: '2026-03', published: true, revision: 1 });
}, 240_000);
afterAll(async () => t?.close());

describe(`a scripted month, published, on ${dbLabel}`, () => {
  let json = '';
  let report: Report;

  it('stores each outcome as the workflow classified it', async () => {
    const rows = await t.database.db.select({ id: cases.id, outcome: cases.outcome, ext: cases.resolvedWithExtension, status: cases.status }).from(cases);
    const by = Object.fromEntries(Object.entries(caseIds).map(([k, id]) => [k, rows.find((r) => r.id === id)!]));
    expect([by.x1.outcome, by.x2.outcome, by.x3.outcome, by.x4.outcome, by.x4.ext]).toEqual(['early', 'on_time', 'late', 'early', true]);
    expect([by.n1.outcome, by.n2.outcome, by.n3.outcome, by.n4.outcome, by.y1.outcome]).toEqual(['early', 'on_time', 'late', 'early', 'early']);
    expect([by.n5.status, by.n5.outcome, by.n6.status, by.x7.status, by.t1.status]).toEqual(['in_progress', null, 'awaiting_business', 'rejected', 'received']);
  });

  it('publishes JSON whose hash is the one stored, with the hand-computed figures', async () => {
    const res = await t.request().get('/api/v1/public/reports/2026-03');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    json = res.text;
    expect(sha256(json)).toBe(res.headers['x-content-sha256']);
    expect(res.headers.etag).toBe(`"${sha256(json)}"`);
    expect(res.headers['x-report-revision']).toBe('1');
    report = JSON.parse(json);
    expect(report).toMatchObject({ period: '2026-03', revision: 1, minCell: 3, methodVersion: '1.1', generatedAt: '2026-04-01T06:00:00+07:00' });

    const tt = report.totals;
    expect(tt.received.total).toBe(15);
    expect(tt.received.byChannel.map((x) => [x.key, x.count])).toEqual([['web', 10], ['hotline', 3], ['email', 1], ['zalo', 1]]);
    expect(tt.resolved).toEqual({ total: 9, early: 5, onTime: 2, late: 2, withExtension: 1 });
    expect(tt.onTimeRate).toEqual({ numerator: 7, denominator: 9, value: 0.7778 });
    expect(tt.strictOnTimeRate).toEqual({ numerator: 6, denominator: 9, value: 0.6667 });
    // open at 24:00 on 31/3: x5 and n5 overdue; x6, x8, t1 within; n6 waiting for the business
    expect(tt.openAtPeriodEnd).toEqual({ total: 6, withinDeadline: 4, overdue: 2, awaitingBusiness: 1 });
    // office hours: n1 7, n4 15, x1 16, y1 37.5, x4 91−15, x2 77, n2 78.5, n3 90, x3 92
    expect(tt.workingDaysToResolve).toEqual({ count: 9, median: wd(76), p90: 12.05 });
    expect(tt.pauses).toEqual({ count: 2, workingDays: wd(15 + 95) });
    expect(tt.extensions).toEqual({ approved: 1, resolvedWithExtension: 1 });
    expect(tt.disputes).toEqual({ count: 1 });
    expect(tt.satisfaction).toEqual({ rated: 4, satisfied: 3, rate: { numerator: 3, denominator: 4, value: 0.75 } });

    expect(report.agencies.map((a) => [a.key, a.received, a.resolved, a.early, a.onTime, a.late, a.onTimeRate.value, a.strictOnTimeRate.value, a.medianWorkingDays, a.openWithinDeadline, a.overdue, a.smallCell, a.rank])).toEqual([
      ['so_xay_dung', 8, 4, 2, 1, 1, 0.75, 0.5, 10.2, 2, 1, false, 1],
      ['so_nn_mt', 5, 4, 2, 1, 1, 0.75, 0.75, wd((15 + 78.5) / 2), 1, 1, false, 1],
      ['so_y_te', 1, 1, 1, 0, 0, 1, 1, 5, 0, 0, true, null],
    ]);
    expect(report.cases.map((c) => c.trackingCode).sort()).toEqual(['x1', 'x2', 'x3', 'x4', 'n1', 'n2', 'n3', 'n4', 'y1'].map((k) => codes[k]).sort());
    expect(report.cases.find((c) => c.trackingCode === codes.x1)?.businessName).toBe('Công ty TNHH Minh An');
    expect(report.cases.find((c) => c.trackingCode === codes.x2)).toMatchObject({ businessName: null, publicAnswer: 'Liên hệ [đã ẩn] hoặc [đã ẩn] để nhận bản chính.', outcome: 'on_time' });
    for (const secret of ['Kín Tên', 'Nguyễn Văn A', '0912345678', 'lienhe@minhan', 'Thử Nghiệm']) expect(json).not.toContain(secret);
  });

  it('told the coordinator and the leadership by e-mail in the same transaction', async () => {
    const mail = await t.database.db.select().from(outbox).where(eq(outbox.template, 'report_published'));
    expect(mail).toHaveLength(1);
    expect(mail[0].toAddrs.sort()).toEqual(['lanhdao@bacninh.example', 'to.3.nhat@bacninh.example', 'vanphong.ubnd@bacninh.example'].sort());
    expect(mail[0].textBody).toContain('77,8%');
    expect(mail[0].textBody).toContain(sha256(json));
    // the scheduled job does nothing more once the month is published
    expect(await t.app.services.reports.publishPreviousMonthIfMissing()).toEqual({ period: '2026-03', published: false, revision: 1 });
  });

  it('serves an Excel workbook with the same figures and cases: rates as numbers, dates as dates', async () => {
    const res = await t.request().get('/api/v1/public/reports/2026-03?format=xlsx').buffer(true).parse(rawBody);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe('attachment; filename="bao-cao-2026-03-r1.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Số liệu', 'Hồ sơ đã trả lời']);
    const [figs, list] = wb.worksheets;
    expect((figs.getRow(1).values as unknown[]).slice(1)).toEqual(['Phần', 'Mã', 'Tên', 'Chỉ tiêu', 'Giá trị']);
    const row = (metric: string) => figs.getRows(2, figs.rowCount - 1)!.find((r) => r.getCell(1).value === 'totals' && r.getCell(4).value === metric)!;
    expect(row('received.total').getCell(5).value).toBe(15);
    const rate = row('onTimeRate.value').getCell(5);
    expect(rate.value).toBe(0.7778);
    expect(rate.numFmt).toBe('0.0%');
    const json = JSON.parse((await t.request().get('/api/v1/public/reports/2026-03')).text) as { cases: Array<{ trackingCode: string; receivedAt: string }> };
    expect(list.rowCount).toBe(1 + json.cases.length);
    const first = list.getRow(2);
    expect(first.getCell(1).value).toBe(json.cases[0].trackingCode);
    const received = first.getCell(5).value as Date;
    expect(received).toBeInstanceOf(Date);
    // the local time the JSON shows, as Excel shows it
    expect(received.toISOString().slice(0, 16)).toBe(json.cases[0].receivedAt.slice(0, 16));
  });

  it('serves a CSV that agrees with the JSON, figure by figure and case by case', async () => {
    const res = await t.request().get('/api/v1/public/reports/2026-03').set('Accept', 'text/csv').buffer(true).parse(rawBody);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for spreadsheet programs
    const text = bytes.toString('utf8');
    const same = await t.request().get('/api/v1/public/reports/2026-03?format=csv').buffer(true).parse(rawBody);
    expect(Buffer.compare(same.body as Buffer, bytes)).toBe(0);
    const stored = await t.database.db.execute(sql`select csv from reports where period = '2026-03' and revision = 1`);
    expect('\uFEFF' + (stored.rows[0] as { csv: string }).csv).toBe(text);
    const { figures, cases: list } = parseReportCsv(text);
    expect(figures[0]).toEqual(['section', 'key', 'label', 'metric', 'value']);
    const fig = (section: string, key: string, metric: string) => figures.find((f) => f[0] === section && f[1] === key && f[3] === metric)?.[4];
    expect(fig('totals', '', 'received.total')).toBe('15');
    expect(fig('totals', '', 'onTimeRate.numerator')).toBe('7');
    expect(fig('totals', '', 'onTimeRate.denominator')).toBe('9');
    expect(fig('totals', '', 'onTimeRate.value')).toBe('0.7778');
    expect(fig('totals', '', 'openAtPeriodEnd.overdue')).toBe('2');
    expect(fig('totals', '', 'workingDaysToResolve.median')).toBe(String(wd(76)));
    expect(fig('received.byChannel', 'web', 'count')).toBe('10');
    expect(fig('agencies', 'so_xay_dung', 'strictOnTimeRate.value')).toBe('0.5');
    expect(fig('agencies', 'so_y_te', 'smallCell')).toBe('true');
    expect(fig('agencies', 'so_y_te', 'rank')).toBe('');
    // every number of the JSON tables is in the CSV
    for (const a of report.agencies) {
      for (const m of ['received', 'resolved', 'early', 'onTime', 'late', 'overdue'] as const) expect(fig('agencies', a.key!, m)).toBe(String(a[m]));
    }
    expect(list[0]).toEqual(['trackingCode', 'kind', 'category', 'agency', 'receivedAt', 'resolvedAt', 'outcome', 'resolvedWithExtension', 'workingDays', 'publicAnswer', 'businessName']);
    const rows = list.slice(1);
    expect(rows).toHaveLength(report.cases.length);
    rows.forEach((r, i) => {
      const c = report.cases[i];
      expect(r).toEqual([c.trackingCode, c.kind, c.category, c.agency, c.receivedAt, c.resolvedAt, c.outcome, String(c.resolvedWithExtension), String(c.workingDays), c.publicAnswer ?? '', c.businessName ?? '']);
    });
    // the on-time rate can be recounted from the case rows
    expect(rows.filter((r) => r[6] !== 'late').length).toBe(7);
  });

  it('renders the HTML page in Vietnamese with the same figures, the chart, the method and the case list', async () => {
    const res = await t.request().get('/bao-cao/2026-03');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const h = res.text;
    expect(h).toContain('<html lang="vi">');
    expect(h).toContain('Báo cáo kết quả tiếp nhận, xử lý phản ánh, kiến nghị của doanh nghiệp tháng 3/2026');
    expect(h).toContain('Tỷ lệ đúng hạn 77,8% = 7 hồ sơ trả lời trước hạn hoặc đúng hạn');
    expect(h).toContain('/ 9 hồ sơ đã giải quyết trong kỳ');
    expect(h).toContain('66,7%');
    expect(h).toMatch(/<svg class="chart" role="img" aria-labelledby="chart-title" aria-describedby="chart-desc"/);
    expect(h).toContain('<title id="chart-title">Tỷ lệ giải quyết đúng hạn theo cơ quan, tháng 3/2026</title>');
    expect(h).toContain('Sở Xây dựng: 75,0% (3/4 hồ sơ), hạng 1');
    expect(h).toContain('Sở Y tế: 100,0% (1/1 hồ sơ), ít số liệu, không xếp hạng');
    expect(h).toContain('ít số liệu');
    // the agency table says what the JSON says
    const cells = (key: string) => {
      const m = new RegExp(`<tr[^>]*data-agency="${key}">(.*?)</tr>`, 's').exec(h);
      return [...(m?.[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((x) => x[1].replace(/<[^>]+>/g, '').trim());
    };
    expect(cells('so_xay_dung')).toEqual(['1', 'Sở Xây dựng', '8', '4', '2', '1', '1', '75,0% (3/4)', '50,0% (2/4)', '10,2', '2', '1']);
    expect(cells('so_nn_mt')).toEqual(['1', 'Sở Nông nghiệp và Môi trường', '5', '4', '2', '1', '1', '75,0% (3/4)', '75,0% (3/4)', '6,23', '1', '1']);
    expect(cells('so_y_te')).toEqual(['—', 'Sở Y tế ít số liệu', '1', '1', '1', '0', '0', '100,0% (1/1)', '100,0% (1/1)', '5', '0', '0']);
    const caseRows = /<table class="report" id="danh-sach-ho-so">.*?<tbody>(.*?)<\/tbody>/s.exec(h)![1].match(/<tr>/g);
    expect(caseRows).toHaveLength(report.cases.length);
    for (const c of report.cases) expect(h).toContain(c.trackingCode);
    expect(h).toContain('Liên hệ [đã ẩn] hoặc [đã ẩn] để nhận bản chính.');
    expect(h).toContain('Công ty TNHH Minh An');
    expect(h).not.toContain('Kín Tên');
    expect(h).toContain('Phương pháp tính (phiên bản 1.1)');
    expect(h).toContain(sha256(json));
    expect(h).toContain('@media print');
    expect(h).not.toMatch(/<script/i);
    const index = await t.request().get('/bao-cao');
    expect(index.status).toBe(200);
    expect(index.text).toContain('href="/bao-cao/2026-03"');
    expect(index.text).toContain('Báo cáo tháng 3/2026');
  });

  it('lets an inspector explain an agency on-time rate from the case list', async () => {
    const on = await t.request().get('/api/v1/audit/on-time?from=2026-03-01&to=2026-03-31&groupBy=agency').set(bearer(t.tokens.inspector));
    expect(on.status).toBe(200);
    expect(on.body.total).toMatchObject({ resolved: 9, onTimeRate: { numerator: 7, denominator: 9 }, strictOnTimeRate: { numerator: 6, denominator: 9 } });
    const xd = on.body.groups.find((g: { key: string }) => g.key === 'so_xay_dung');
    expect(xd).toMatchObject({ id: ids.agency.so_xay_dung, label: 'Sở Xây dựng', resolved: 4, early: 2, onTime: 1, late: 1, withExtension: 1, onTimeRate: { numerator: 3, denominator: 4, value: 0.75 }, strictOnTimeRate: { numerator: 2, denominator: 4, value: 0.5 } });
    const list = await t.request().get(xd.cases).set(bearer(t.tokens.inspector));
    expect(list.status).toBe(200);
    expect(list.body.summary).toMatchObject({ matching: 4, answered: 4, early: 2, onTime: 1, late: 1, onTimeRate: { numerator: 3, denominator: 4, value: 0.75 }, strictOnTimeRate: { numerator: 2, denominator: 4 } });
    const items = list.body.items as Array<{ trackingCode: string; onTime: boolean; strictOnTime: boolean; workingDays: number; pausedWorkingDays: number; resolvedWithExtension: boolean }>;
    expect(items.map((i) => i.trackingCode).sort()).toEqual([codes.x1, codes.x2, codes.x3, codes.x4].sort());
    expect(items.filter((i) => i.onTime)).toHaveLength(3);
    expect(items.filter((i) => i.strictOnTime)).toHaveLength(2);
    const x4 = items.find((i) => i.trackingCode === codes.x4)!;
    expect(x4).toMatchObject({ resolvedWithExtension: true, workingDays: wd(76), pausedWorkingDays: 2 });
    // the same cases, as the published list shows them
    expect(report.cases.filter((c) => c.agency === 'Sở Xây dựng').map((c) => c.trackingCode).sort()).toEqual(items.map((i) => i.trackingCode).sort());

    const byMonth = await t.request().get('/api/v1/audit/on-time?period=2026-Q1&groupBy=month').set(bearer(t.tokens.coordinator));
    expect(byMonth.body.groups.map((g: { key: string; resolved: number }) => [g.key, g.resolved])).toEqual([['2026-03', 9]]);
    const byKind = await t.request().get('/api/v1/audit/on-time?from=2026-03-01&to=2026-04-30&groupBy=kind').set(bearer(t.tokens.admin));
    expect(byKind.body.total.resolved).toBe(10); // + x8, answered on 1/4
  });

  it('keeps revision 1 byte for byte when a later revision is published', async () => {
    // an inspector reopens x3 on a finding in April: the month's figures change for revision 2
    const sample = await t.request()
      .post('/api/v1/audit/samples')
      .set(bearer(t.tokens.inspector))
      .send({ agencyId: ids.agency.so_xay_dung, month: '2026-03', size: 4, seed: 'tt-2026-03' });
    expect(sample.status).toBe(201);
    t.clock.set(vn('2026-04-10 09:00'));
    const f = await t.request()
      .post(`/api/v1/audit/samples/${sample.body.id}/findings`)
      .set(bearer(t.tokens.inspector))
      .send({ caseId: caseIds.x3, finding: 'no_substantive_answer', note: 'Chưa trả lời nội dung chính', reopen: true });
    expect(f.status).toBe(201);
    const [x3] = await t.database.db.select({ status: cases.status, resolvedAt: cases.resolvedAt }).from(cases).where(eq(cases.id, caseIds.x3));
    expect(x3).toEqual({ status: 'in_progress', resolvedAt: null });

    t.clock.set(vn('2026-04-10 10:00'));
    const pub = await t.request().post('/api/v1/admin/reports/2026-03/publish').set(bearer(t.tokens.admin));
    expect(pub.status).toBe(201);
    expect(pub.body).toMatchObject({ period: '2026-03', revision: 2, methodVersion: '1.1', links: { html: '/bao-cao/2026-03?revision=2' } });

    const latest = await t.request().get('/api/v1/public/reports/2026-03');
    const r2: Report = JSON.parse(latest.text);
    expect(r2.revision).toBe(2);
    expect(r2.totals.resolved).toEqual({ total: 8, early: 5, onTime: 2, late: 1, withExtension: 1 });
    expect(r2.totals.onTimeRate).toEqual({ numerator: 7, denominator: 8, value: 0.875 });

    const first = await t.request().get('/api/v1/public/reports/2026-03?revision=1');
    expect(first.text).toBe(json);
    expect(first.headers['x-content-sha256']).toBe(sha256(json));
    const stored = await t.database.db.execute(sql`select revision, content_hash, json from reports where period = '2026-03' order by revision`);
    const rows = stored.rows as Array<{ revision: number; content_hash: string; json: string }>;
    expect(rows.map((r) => r.revision)).toEqual([1, 2]);
    expect(rows[0].json).toBe(json);
    expect(rows[1].content_hash).toBe(sha256(latest.text));

    const list = await t.request().get('/api/v1/public/reports');
    expect(list.body.items[0]).toMatchObject({ period: '2026-03', latest: { revision: 2 }, revisions: [{ revision: 1, contentHash: sha256(json) }, { revision: 2 }] });
    const page1 = await t.request().get('/bao-cao/2026-03?revision=1');
    expect(page1.text).toContain('Phiên bản 1');
    expect(page1.text).toContain('77,8%');
    expect(page1.text).toContain('href="/bao-cao/2026-03?revision=2"');
    // the reopen is on the case's timeline, marked as made on a finding
    const ev = await t.database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseIds.x3));
    expect(ev.find((e) => e.action === 'reopen')).toMatchObject({ actorRole: 'inspector', data: expect.objectContaining({ onFinding: true }) });
  });
});
