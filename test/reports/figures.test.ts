/**
 * The report's SQL against a month of cases whose outcomes are set directly (columns, pauses,
 * extensions and status events), with every expected figure computed by hand below.
 *
 * March 2026 has 22 working days and no holiday; an office day is 7.5 h (07:30–11:30, 13:30–17:00).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/features/reports/report.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { dueOf, extension, force, idsByCode, pause, receive, vn } from './helpers.js';

let t: TestApp;
let r: Report;
const wd = (hours: number) => Math.round((hours / 7.5) * 100) / 100;

beforeAll(async () => {
  t = await createTestApp({ now: '2026-04-05T02:00:00Z', config: { PAKN_REPORT_MIN_CELL: '3' } });
  const { category: cat } = await idsByCode(t);
  const X = cat.xay_dung; // → Sở Xây dựng
  const M = cat.moi_truong; // → Sở NN&MT
  const F = cat.an_toan_thuc_pham; // → Sở Y tế
  const answered = (at: string, outcome: string, answer: string, ext = false) => ({
    status: 'resolved',
    resolvedAt: vn(at),
    outcome,
    resolvedWithExtension: ext,
    reason: 'answered',
    publicAnswer: answer,
  });

  // ---- Sở Xây dựng
  const a1 = await receive(t, { at: '2026-03-02 09:00', category: X, businessName: 'Công ty TNHH Minh An', consent: true });
  await force(t, a1.id, '2026-03-02 09:10', 'accept', 'in_progress');
  await force(t, a1.id, '2026-03-04 10:00', 'resolve', 'resolved', answered('2026-03-04 10:00', 'early', 'Đã cấp giấy phép xây dựng.'));
  const a2 = await receive(t, { at: '2026-03-02 14:00', category: X, channel: 'hotline', businessName: 'Công ty CP Kín Tên', consent: false });
  expect((await dueOf(t, a2.id)).toISOString()).toBe(vn('2026-03-16 17:00').toISOString());
  await force(t, a2.id, '2026-03-16 16:00', 'resolve', 'resolved', answered('2026-03-16 16:00', 'on_time', 'Liên hệ 0912 345 678 hoặc cv.xaydung@bacninh.gov.vn để nhận bản chính.'));
  const a3 = await receive(t, { at: '2026-03-03 08:00', category: X });
  await force(t, a3.id, '2026-03-19 10:00', 'resolve', 'resolved', answered('2026-03-19 10:00', 'late', 'Đã trả lời.'));
  const a4 = await receive(t, { at: '2026-03-04 10:00', category: X, channel: 'email' });
  await force(t, a4.id, '2026-03-05 10:00', 'request_info', 'awaiting_business');
  await pause(t, a4.id, '2026-03-05 10:00', '2026-03-09 10:00');
  await force(t, a4.id, '2026-03-09 10:00', 'reply', 'in_progress');
  await extension(t, a4.id, '2026-03-10 09:00', 5, '2026-03-20 17:00', '2026-03-27 17:00');
  await force(t, a4.id, '2026-03-20 11:00', 'resolve', 'resolved', { ...answered('2026-03-20 11:00', 'early', 'Đã trả lời sau khi gia hạn.', true), extensionsUsed: 1 });
  const a5 = await receive(t, { at: '2026-03-09 09:00', category: X });
  await force(t, a5.id, '2026-03-09 10:00', 'accept', 'in_progress'); // due 23/3: overdue at the end
  await receive(t, { at: '2026-03-23 09:00', category: X }); // a6: assigned, due 6/4: within
  const e = await receive(t, { at: '2026-03-05 09:00', category: X });
  await force(t, e.id, '2026-03-05 11:00', 'reject', 'rejected', { status: 'rejected', reason: 'spam' });
  const g = await receive(t, { at: '2026-03-30 09:00', category: X });
  await force(t, g.id, '2026-03-30 10:00', 'accept', 'in_progress');
  await force(t, g.id, '2026-04-02 10:00', 'resolve', 'resolved', answered('2026-04-02 10:00', 'early', 'Trả lời tháng sau.'));

  // ---- Sở NN&MT
  const b1 = await receive(t, { at: '2026-03-02 07:30', category: M, channel: 'zalo' });
  await force(t, b1.id, '2026-03-02 16:30', 'resolve', 'resolved', {
    ...answered('2026-03-02 16:30', 'early', 'Đã hướng dẫn.'),
    rating: 5,
    ratedAt: vn('2026-03-03 08:00'),
  });
  const b2 = await receive(t, { at: '2026-03-10 13:30', category: M, kind: 'kien_nghi' });
  expect((await dueOf(t, b2.id)).toISOString()).toBe(vn('2026-03-24 17:00').toISOString());
  await force(t, b2.id, '2026-03-24 17:00', 'resolve', 'resolved', { ...answered('2026-03-24 17:00', 'on_time', 'Đã tiếp thu.'), rating: 2, ratedAt: vn('2026-03-25 09:00') });
  const b3 = await receive(t, { at: '2026-03-11 09:00', category: M });
  await force(t, b3.id, '2026-03-27 09:00', 'resolve', 'resolved', { ...answered('2026-03-27 09:00', 'late', 'Trả lời muộn.'), rating: 4, ratedAt: vn('2026-03-30 09:00') });
  const b4 = await receive(t, { at: '2026-02-26 10:00', category: M });
  await force(t, b4.id, '2026-03-02 10:00', 'resolve', 'resolved', answered('2026-03-02 10:00', 'early', 'Đã giải quyết.'));
  const b5 = await receive(t, { at: '2026-03-16 09:00', category: M });
  await force(t, b5.id, '2026-03-18 09:00', 'resolve', 'resolved', answered('2026-03-18 09:00', 'early', 'Trả lời lần 1.'));
  await force(t, b5.id, '2026-03-20 09:00', 'dispute', 'in_progress', { status: 'in_progress', resolvedAt: null, outcome: null, publicAnswer: null, disputeCount: 1 });
  const f = await receive(t, { at: '2026-03-03 09:00', category: M });
  await force(t, f.id, '2026-03-13 10:00', 'request_info', 'awaiting_business', { status: 'awaiting_business', pausedAt: vn('2026-03-13 10:00') });
  await pause(t, f.id, '2026-03-13 10:00', null);

  // ---- Sở Y tế: one answered case (a small cell)
  const c1 = await receive(t, { at: '2026-03-05 09:00', category: F, channel: 'hotline' });
  await force(t, c1.id, '2026-03-12 09:00', 'resolve', 'resolved', answered('2026-03-12 09:00', 'early', 'Đã cấp giấy chứng nhận.'));

  // ---- the triage queue: no rule for "khác"
  await receive(t, { at: '2026-03-31 10:00', category: cat.khac, channel: 'hotline' });

  r = await t.app.services.reports.preview('2026-03');
});
afterAll(async () => t?.close());

describe(`report figures for a hand-computed month on ${dbLabel}`, () => {
  it('states the period, the method and the small-cell threshold', () => {
    expect(r).toMatchObject({ period: '2026-03', periodKind: 'month', from: '2026-03-01', to: '2026-03-31', label: 'tháng 3/2026', minCell: 3, methodVersion: '1.1' });
    expect(r.generatedAt).toBe('2026-04-05T09:00:00+07:00');
    expect(r.method).toContain('Tỷ lệ đúng hạn =');
  });

  it('counts received cases by channel, kind, category and agency', () => {
    const rc = r.totals.received;
    expect(rc.total).toBe(15);
    expect(rc.byChannel.map((x) => [x.key, x.count])).toEqual([
      ['web', 10],
      ['hotline', 3],
      ['email', 1],
      ['zalo', 1],
    ]);
    expect(rc.byKind.map((x) => [x.key, x.count])).toEqual([
      ['phan_anh', 14],
      ['kien_nghi', 1],
    ]);
    expect(rc.byCategory.map((x) => [x.key, x.count])).toEqual([
      ['xay_dung', 8],
      ['moi_truong', 5],
      ['an_toan_thuc_pham', 1],
      ['khac', 1],
    ]);
    expect(rc.byAgency.map((x) => [x.key, x.count])).toEqual([
      ['so_xay_dung', 8],
      ['so_nn_mt', 5],
      ['so_y_te', 1],
      [null, 1],
    ]);
  });

  it('splits answered cases early / on time / late and states both rates with their denominators', () => {
    expect(r.totals.resolved).toEqual({ total: 9, early: 5, onTime: 2, late: 2, withExtension: 1 });
    expect(r.totals.onTimeRate).toEqual({ numerator: 7, denominator: 9, value: 0.7778 });
    expect(r.totals.strictOnTimeRate).toEqual({ numerator: 6, denominator: 9, value: 0.6667 });
  });

  it('counts cases open at the end of the month from their timeline, awaiting-business ones within deadline', () => {
    // open: a5 (overdue), a6, g (answered in April), b5 (disputed, due 30/3: overdue), f (awaiting), the triage case
    expect(r.totals.openAtPeriodEnd).toEqual({ total: 6, withinDeadline: 4, overdue: 2, awaitingBusiness: 1 });
  });

  it('measures working days to resolve net of pauses (median, p90)', () => {
    // sorted office hours: b1 7, b4 15, a1 16, c1 37.5, a4 91-15=76, a2 77, b2 78.5, b3 90, a3 92
    expect(r.totals.workingDaysToResolve).toEqual({ count: 9, median: wd(76), p90: 12.05 });
    expect(r.cases.find((c) => c.workingDays === wd(76))?.resolvedWithExtension).toBe(true);
  });

  it('counts pauses, extensions, disputes and satisfaction', () => {
    // pauses started in March: a4 (15 h) and f (13/3 10:00 to the end of March: 5 h + 12 days = 95 h)
    expect(r.totals.pauses).toEqual({ count: 2, workingDays: wd(110) });
    expect(r.totals.extensions).toEqual({ approved: 1, resolvedWithExtension: 1 });
    expect(r.totals.disputes).toEqual({ count: 1 });
    expect(r.totals.satisfaction).toEqual({ rated: 3, satisfied: 2, rate: { numerator: 2, denominator: 3, value: 0.6667 } });
  });

  it('ranks agencies by on-time rate, ties sharing a rank, and flags small cells without ranking them', () => {
    const a = r.agencies.map((x) => ({
      key: x.key,
      received: x.received,
      resolved: x.resolved,
      split: [x.early, x.onTime, x.late],
      rate: x.onTimeRate.value,
      strict: x.strictOnTimeRate.value,
      median: x.medianWorkingDays,
      open: [x.openWithinDeadline, x.overdue],
      smallCell: x.smallCell,
      rank: x.rank,
    }));
    expect(a).toEqual([
      { key: 'so_xay_dung', received: 8, resolved: 4, split: [2, 1, 1], rate: 0.75, strict: 0.5, median: 10.2, open: [2, 1], smallCell: false, rank: 1 },
      { key: 'so_nn_mt', received: 5, resolved: 4, split: [2, 1, 1], rate: 0.75, strict: 0.75, median: wd((15 + 78.5) / 2), open: [1, 1], smallCell: false, rank: 1 },
      { key: 'so_y_te', received: 1, resolved: 1, split: [1, 0, 0], rate: 1, strict: 1, median: 5, open: [0, 0], smallCell: true, rank: null },
    ]);
  });

  it('gives tables by category, channel and kind with small cells flagged', () => {
    const cat = Object.fromEntries(r.byCategory.map((x) => [x.key, [x.received, x.resolved, x.onTimeRate.value, x.smallCell]]));
    expect(cat).toEqual({ xay_dung: [8, 4, 0.75, false], moi_truong: [5, 4, 0.75, false], an_toan_thuc_pham: [1, 1, 1, true], khac: [1, 0, null, true] });
    const ch = Object.fromEntries(r.byChannel.map((x) => [x.key, [x.received, x.resolved, x.onTimeRate.numerator, x.smallCell]]));
    expect(ch).toEqual({ web: [10, 5, 3, false], hotline: [3, 2, 2, true], email: [1, 1, 1, true], zalo: [1, 1, 1, true] });
    const kind = Object.fromEntries(r.byKind.map((x) => [x.key, [x.resolved, x.onTimeRate.value, x.strictOnTimeRate.value, x.smallCell]]));
    expect(kind).toEqual({ phan_anh: [8, 0.75, 0.625, false], kien_nghi: [1, 1, 1, true] });
  });

  it('lists the answered cases without personal data, names only with consent', () => {
    expect(r.cases).toHaveLength(9);
    expect(r.cases.map((c) => c.resolvedAt)).toEqual([...r.cases.map((c) => c.resolvedAt)].sort());
    const first = r.cases[0];
    expect(first).toMatchObject({ kind: 'phan_anh', category: 'Môi trường', agency: 'Sở Nông nghiệp và Môi trường', outcome: 'early', workingDays: 2, receivedAt: '2026-02-26T10:00:00+07:00' });
    const named = r.cases.filter((c) => c.businessName);
    expect(named.map((c) => c.businessName)).toEqual(['Công ty TNHH Minh An']);
    const a2 = r.cases.find((c) => c.outcome === 'on_time' && c.agency === 'Sở Xây dựng')!;
    expect(a2.publicAnswer).toBe('Liên hệ [đã ẩn] hoặc [đã ẩn] để nhận bản chính.');
    expect(a2.receivedAt).toBe('2026-03-02T14:00:00+07:00');
    const text = JSON.stringify(r);
    for (const secret of ['0912345678', 'Nguyễn Văn A', 'Công ty CP Kín Tên', 'Thử Nghiệm', '@bacninh']) expect(text).not.toContain(secret);
  });

  it('gives the same figures over a quarter for the same cases (February and April add their own)', async () => {
    const q = await t.app.services.reports.preview('2026-Q1');
    expect(q).toMatchObject({ period: '2026-Q1', periodKind: 'quarter', from: '2026-01-01', to: '2026-03-31' });
    expect(q.totals.received.total).toBe(16); // + b4, received in February
    expect(q.totals.resolved).toEqual(r.totals.resolved);
    expect(q.totals.onTimeRate).toEqual(r.totals.onTimeRate);
    const year = await t.app.services.reports.preview('2026');
    expect(year.totals.resolved.total).toBe(10); // + g, answered in April
  });
});
