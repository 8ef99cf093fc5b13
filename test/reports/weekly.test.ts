/**
 * The weekly report of ISO week 2026-W11 (Monday 9 to Sunday 15 March 2026; no holiday; an
 * office day is 7.5 h), scripted through intake and the workflow on a FixedClock, read by API
 * (JSON, CSV, per role) and mailed once through a real SMTP server, also with two instances.
 */
import { eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases, outbox } from '../../src/db/schema.js';
import type { Action } from '../../src/domain/lifecycle.js';
import type { ActionInput, CaseActor } from '../../src/features/cases/effects.js';
import { parseIsoWeek, previousIsoWeek } from '../../src/features/reports/week.js';
import { staffActor, secondInstance } from '../escalation/helpers.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { idsByCode, parseCsv, receive, vn } from './helpers.js';

let t: TestApp;
let smtp: TestSmtp;
let ids: Awaited<ReturnType<typeof idsByCode>>;
const id: Record<string, number> = {};
const code: Record<string, string> = {};
const LEADERSHIP = 'lanhdao.ubnd@bacninh.example';
const XD = ['lanhdao.so.xay.dung@bacninh.example', 'so.xay.dung@bacninh.example'];
const NN = ['lanhdao.so.nn.mt@bacninh.example', 'so.nn.mt@bacninh.example'];
const COORDINATOR = 'to.3.nhat@bacninh.example';

async function act(name: string, at: string, action: Action, who: CaseActor, input: ActionInput = {}) {
  t.clock.set(vn(at));
  const [c] = await t.database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, id[name]));
  return t.app.services.workflow.act(id[name], action, who, { version: who.kind === 'staff' ? c.version : undefined, ...input });
}
async function newCase(name: string, o: Parameters<typeof receive>[1]) {
  t.clock.set(vn(o.at));
  const c = await receive(t, o);
  id[name] = c.id;
  code[name] = c.trackingCode;
}
const setDue = (name: string, at: string) => t.database.db.update(cases).set({ resolveDueAt: vn(at) }).where(eq(cases.id, id[name]));
const answer = { reason: 'answered', publicText: 'Sở đã hướng dẫn doanh nghiệp hoàn thiện hồ sơ.' };

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ now: '2026-03-01T00:00:00Z', config: { SMTP_URL: smtp.url, PAKN_LEADERSHIP_EMAILS: LEADERSHIP } });
  ids = await idsByCode(t);
  const X = ids.category.xay_dung; // → Sở Xây dựng
  const M = ids.category.moi_truong; // → Sở Nông nghiệp và Môi trường
  const staffXd = await staffActor(t.app, 'agency_staff');
  const staffNn = await staffActor(t.app, 'agency_staff', 'so_nn_mt');

  // the week before (W10): still open or answered in W11
  await newCase('a1', { at: '2026-03-02 09:00', category: X, title: 'Chậm cấp giấy phép xây dựng nhà xưởng' });
  await act('a1', '2026-03-02 10:00', 'accept', staffXd);
  await setDue('a1', '2026-03-05 14:30'); // overdue at the end of W11: 2.5 h + 7.5 h + 5 × 7.5 h = 6 days 2.5 h
  await newCase('a2', { at: '2026-03-03 09:00', category: X, title: 'Vướng mắc thẩm định thiết kế' });
  await act('a2', '2026-03-03 10:00', 'accept', staffXd);
  await setDue('a2', '2026-03-12 17:00'); // overdue by Friday 13/3: 1 day
  await newCase('a5', { at: '2026-03-02 09:30', category: X });
  await act('a5', '2026-03-02 10:00', 'accept', staffXd);
  await setDue('a5', '2026-03-06 17:00');
  await newCase('a6', { at: '2026-03-03 09:30', category: X });
  await act('a6', '2026-03-03 10:00', 'accept', staffXd);
  await setDue('a6', '2026-03-11 17:00');

  // W11
  await newCase('a4', { at: '2026-03-09 08:00', category: X, title: 'Đề nghị hướng dẫn quy hoạch chi tiết' });
  await act('a4', '2026-03-09 09:00', 'accept', staffXd);
  await setDue('a4', '2026-03-18 17:00'); // due next week
  await act('a5', '2026-03-10 09:00', 'resolve', staffXd, answer); // late
  await newCase('a3', { at: '2026-03-10 09:00', category: X });
  await act('a3', '2026-03-10 10:00', 'accept', staffXd);
  await act('a3', '2026-03-11 09:00', 'resolve', staffXd, answer); // early
  await act('a6', '2026-03-11 15:00', 'resolve', staffXd, answer); // on time (the deadline's day)
  await newCase('n1', { at: '2026-03-11 09:00', category: M });
  await act('n1', '2026-03-11 10:00', 'accept', staffNn);
  await act('n1', '2026-03-12 09:00', 'request_info', staffNn, { publicText: 'Đề nghị bổ sung báo cáo đánh giá tác động môi trường.' });
  await newCase('u1', { at: '2026-03-12 09:00', category: null, title: 'Kiến nghị chung về thủ tục' }); // with the coordinators

  // after the week: counts in W12, not W11
  await newCase('later', { at: '2026-03-16 08:00', category: X });
  t.clock.set(vn('2026-03-16 07:30'));
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const XD_FIGURES = { received: 2, answered: 3, early: 1, onTime: 1, late: 1, openWithinDeadline: 1, overdue: 2, dueNextWeek: 1, awaitingBusiness: 0 };

describe('ISO weeks', () => {
  it('parses YYYY-Www into Monday–Sunday in Hà Nội time; week 53 only where it exists', () => {
    const w = parseIsoWeek('2026-W11')!;
    expect(w).toMatchObject({ from: '2026-03-09', to: '2026-03-15', label: 'tuần 11/2026 (09/03–15/03/2026)' });
    expect(w.start.toISOString()).toBe('2026-03-08T17:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-03-15T17:00:00.000Z');
    expect(parseIsoWeek('2026-W01')!.from).toBe('2025-12-29');
    expect(parseIsoWeek('2026-W53')!.from).toBe('2026-12-28'); // 2026 starts on a Thursday: 53 weeks
    expect(parseIsoWeek('2025-W53')).toBeNull();
    for (const bad of ['2026-W00', '2026-W54', '2026-11', '2026W11', '2026-w11', '']) expect(parseIsoWeek(bad)).toBeNull();
    expect(previousIsoWeek(vn('2026-03-16 07:30')).week).toBe('2026-W11');
    expect(previousIsoWeek(vn('2026-01-05 07:30')).week).toBe('2026-W01');
    expect(previousIsoWeek(vn('2026-01-04 23:59')).week).toBe('2025-W52');
  });
});

describe(`the weekly report on ${dbLabel}`, () => {
  it('coordinators get the province: figures per agency from the publication SQL, overdue oldest first, due next week', async () => {
    const r = await t.request().get('/api/v1/reports/weekly/2026-W11').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ week: '2026-W11', from: '2026-03-09', to: '2026-03-15', asOf: '2026-03-16T00:00:00+07:00', scope: 'province' });
    expect(r.body.totals).toEqual({ received: 4, answered: 3, early: 1, onTime: 1, late: 1, openWithinDeadline: 2, overdue: 2, dueNextWeek: 1, awaitingBusiness: 1 });
    const byCode = Object.fromEntries(r.body.agencies.map((a: { code: string | null }) => [a.code ?? 'none', a]));
    expect(Object.keys(byCode).sort()).toEqual(['none', 'so_nn_mt', 'so_xay_dung']);
    expect(byCode.so_xay_dung).toMatchObject({ name: 'Sở Xây dựng', ...XD_FIGURES });
    expect(byCode.so_nn_mt).toMatchObject({ received: 1, answered: 0, openWithinDeadline: 0, overdue: 0, awaitingBusiness: 1 });
    expect(byCode.none).toMatchObject({ agencyId: null, received: 1, openWithinDeadline: 1 });
    expect(byCode.none.name).not.toMatch(/\(chưa phân công\)/);
    expect(r.body.overdue.map((c: { trackingCode: string }) => c.trackingCode)).toEqual([code.a1, code.a2]);
    expect(r.body.overdue[0]).toMatchObject({ agencyName: 'Sở Xây dựng', overdueWorkingDays: 6, overdueWorkingHours: 2, overdueText: '6 ngày 2 giờ làm việc', resolveDueAt: '2026-03-05T14:30:00+07:00' });
    expect(r.body.overdue[1]).toMatchObject({ overdueWorkingDays: 1, overdueWorkingHours: 0, overdueText: '1 ngày làm việc' });
    expect(r.body.dueNextWeek.map((c: { trackingCode: string }) => c.trackingCode)).toEqual([code.a4]);
    // nothing about the reporter
    expect(JSON.stringify(r.body)).not.toMatch(/Nguyễn Văn A|0912345678|Thử Nghiệm/);
  });

  it('the answered figures are the monthly publication’s: the same cases, the same outcomes', async () => {
    const month = await t.request().get('/api/v1/reports/2026-03/preview').set(bearer(t.tokens.coordinator));
    expect(month.status).toBe(200);
    // every case answered in March so far was answered in W11: the month and the week agree case for case
    const week = (await t.request().get('/api/v1/reports/weekly/2026-W11').set(bearer(t.tokens.coordinator))).body;
    expect(month.body.totals.resolved).toMatchObject({ total: week.totals.answered, early: week.totals.early, onTime: week.totals.onTime, late: week.totals.late });
    expect(month.body.totals.resolved).toMatchObject({ total: 3, early: 1, onTime: 1, late: 1 });
  });

  it('an agency lead sees its own agency only; inspectors read it; agency staff and strangers do not', async () => {
    const r = await t.request().get('/api/v1/reports/weekly/2026-W11').set(bearer(t.tokens.agency_lead));
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('agency');
    expect(r.body.totals).toEqual(XD_FIGURES);
    expect(r.body.agencies).toHaveLength(1);
    expect(r.body.agencies[0].code).toBe('so_xay_dung');
    expect(r.body.overdue.every((c: { agencyName: string }) => c.agencyName === 'Sở Xây dựng')).toBe(true);
    expect(JSON.stringify(r.body)).not.toContain(code.n1);
    expect((await t.request().get('/api/v1/reports/weekly/2026-W11').set(bearer(t.tokens.inspector))).status).toBe(200);
    expect((await t.request().get('/api/v1/reports/weekly/2026-W11').set(bearer(t.tokens.agency_staff))).status).toBe(403);
    expect((await t.request().get('/api/v1/reports/weekly/2026-W11')).status).toBe(401);
  });

  it('CSV by Accept: one row per agency and the province total', async () => {
    const r = await t.request().get('/api/v1/reports/weekly/2026-W11').set(bearer(t.tokens.coordinator)).set('Accept', 'text/csv');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const rowsOut = parseCsv(r.text.replace(/^\uFEFF/, '')).filter((x) => x.length > 1);
    expect(rowsOut[0]).toEqual(['week', 'agency_code', 'agency', 'received', 'answered', 'early', 'on_time', 'late', 'open_within_deadline', 'overdue', 'due_next_week', 'awaiting_business']);
    expect(rowsOut.find((x) => x[1] === 'so_xay_dung')).toEqual(['2026-W11', 'so_xay_dung', 'Sở Xây dựng', '2', '3', '1', '1', '1', '1', '2', '1', '0']);
    expect(rowsOut[rowsOut.length - 1]).toEqual(['2026-W11', '', 'Toàn tỉnh', '4', '3', '1', '1', '1', '2', '2', '1', '1']);
  });

  it('XLSX by Accept: the same figures as numbers, and the overdue cases with their deadlines as dates', async () => {
    const r = await t.request()
      .get('/api/v1/reports/weekly/2026-W11')
      .set(bearer(t.tokens.coordinator))
      .set('Accept', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as ArrayBuffer);
    const figures = wb.worksheets[0];
    const row = (name: string) => figures.getSheetValues().find((v) => Array.isArray(v) && v[2] === name) as unknown[];
    // [_, code, name, received, answered, early, on time, late, open within, overdue, due next week, awaiting]
    expect(row('Sở Xây dựng').slice(1)).toEqual(['so_xay_dung', 'Sở Xây dựng', 2, 3, 1, 1, 1, 1, 2, 1, 0]);
    expect(row('Toàn tỉnh').slice(3)).toEqual([4, 3, 1, 1, 1, 2, 2, 1, 1]);
    const overdue = wb.getWorksheet('Quá hạn')!;
    expect(overdue.rowCount - 1).toBe(2);
    expect(overdue.getRow(2).getCell(4).value).toBeInstanceOf(Date);
    expect(String(overdue.getRow(2).getCell(5).value)).toMatch(/làm việc/);
  });

  it('a bad week is a 400 naming it; a week not over is a 409', async () => {
    for (const w of ['2026-W54', '2026-03', '2025-W53', '2026-W1']) {
      const r = await t.request().get(`/api/v1/reports/weekly/${w}`).set(bearer(t.tokens.coordinator));
      expect(r.status, w).toBe(400);
      expect(r.body.errors?.[0]?.path ?? r.body.detail).toMatch(/week/);
    }
    const r = await t.request().get('/api/v1/reports/weekly/2026-W12').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(409);
  });

  it('Monday 07:30: each agency and the province get the week once, across two instances; a second run sends nothing', async () => {
    const second = await secondInstance(t.database, t.clock, { SMTP_URL: smtp.url, PAKN_LEADERSHIP_EMAILS: LEADERSHIP });
    try {
      const now = t.clock.now();
      const [r1, r2] = await Promise.all([t.app.services.weekly.run(now), second.app.services.weekly.run(now)]);
      expect([r1.sent, r2.sent].sort()).toEqual([false, true]);
      const won = r1.sent ? r1 : r2;
      expect(won).toMatchObject({ week: '2026-W11', messages: 3, agencies: 2 });
      const again = await t.request().post('/api/v1/admin/jobs/weekly-report/run').set(bearer(t.tokens.coordinator)).send({});
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ week: '2026-W11', sent: false, messages: 0, agencies: 0 });
      const n = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(sql`${outbox.template} like 'weekly_%'`);
      expect(Number(n[0].n)).toBe(3);

      await t.app.services.notifications.runOutbox(t.clock.now());
      const mails = smtp.received.filter((m) => /^weekly_/.test(m.headers['x-pakn-template'] ?? ''));
      expect(mails).toHaveLength(3);
      const xd = mails.find((m) => m.envelopeTo.includes(XD[1]))!;
      expect(xd.envelopeTo.sort()).toEqual([...XD].sort());
      expect(xd.subject).toBe('[Báo cáo tuần 11/2026 (09/03–15/03/2026)] Sở Xây dựng: tiếp nhận 2, trả lời 3, quá hạn 2');
      const text = xd.text.replace(/\s+/g, ' ');
      expect(text).toContain('Đã trả lời trong tuần: 3 hồ sơ (trước hạn 1, đúng hạn 1, quá hạn 1).');
      expect(text).toContain(`1. ${code.a1} "Chậm cấp giấy phép xây dựng nhà xưởng": hạn 14:30 ngày 05/03/2026, quá hạn 6 ngày 2 giờ làm việc`);
      expect(text).toContain(`2. ${code.a2} "Vướng mắc thẩm định thiết kế": hạn 17:00 ngày 12/03/2026, quá hạn 1 ngày làm việc`);
      expect(text).toContain(`Hồ sơ đến hạn trong tuần tới: 1. ${code.a4}`);
      expect(text).not.toContain(code.n1);
      expect(text).toContain('Đường dây nóng: 0222 3 822 000');
      expect(xd.html).not.toMatch(/href=/);
      const nn = mails.find((m) => m.envelopeTo.includes(NN[1]))!;
      expect(nn.envelopeTo.sort()).toEqual([...NN].sort());
      const province = mails.find((m) => m.headers['x-pakn-template'] === 'weekly_province')!;
      expect(province.envelopeTo.sort()).toEqual([COORDINATOR, LEADERSHIP].sort());
      const p = province.text.replace(/\s+/g, ' ');
      expect(p).toContain('Sở Xây dựng: tiếp nhận 2; trả lời 3 (trước hạn 1, đúng hạn 1, quá hạn 1); trong hạn 1; quá hạn 2; đến hạn tuần tới 1; chờ doanh nghiệp 0.');
      expect(p).toContain(`${code.a1} "Chậm cấp giấy phép xây dựng nhà xưởng" — Sở Xây dựng`);
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(3);
    } finally {
      await second.close();
    }
  });

  it('the run job is for admin and coordinator; a week not over is refused; an unknown field is a 400', async () => {
    expect((await t.request().post('/api/v1/admin/jobs/weekly-report/run').set(bearer(t.tokens.agency_lead)).send({})).status).toBe(403);
    expect((await t.request().post('/api/v1/admin/jobs/weekly-report/run').set(bearer(t.tokens.admin)).send({ week: '2026-W12' })).status).toBe(409);
    const bad = await t.request().post('/api/v1/admin/jobs/weekly-report/run').set(bearer(t.tokens.admin)).send({ week: '2026-W11', force: true });
    expect(bad.status).toBe(400);
    const bad2 = await t.request().post('/api/v1/admin/jobs/weekly-report/run').set(bearer(t.tokens.admin)).send({ week: 'W11' });
    expect(bad2.status).toBe(400);
    expect(bad2.body.errors[0].path).toBe('week');
  });
});
