/**
 * Inspection through HTTP: roles, validation, the case list and its filters (JSON and CSV),
 * samples, findings, reopening on a finding and the quality-adjusted on-time rate.
 */
import { eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFindings, cases } from '../../src/db/schema.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { extension, force, idsByCode, parseCsv, pause, receive, vn } from '../reports/helpers.js';

let t: TestApp;
let ids: Awaited<ReturnType<typeof idsByCode>>;
const c: Record<string, { id: number; trackingCode: string }> = {};

beforeAll(async () => {
  t = await createTestApp({ now: '2026-04-06T02:00:00Z', config: { PAKN_REPORT_MIN_CELL: '3' } });
  ids = await idsByCode(t);
  const X = ids.category.xay_dung;
  const M = ids.category.moi_truong;
  const answered = (at: string, outcome: string, ext = false) => ({
    status: 'resolved',
    resolvedAt: vn(at),
    outcome,
    resolvedWithExtension: ext,
    extensionsUsed: ext ? 1 : 0,
    reason: 'answered',
    publicAnswer: 'Đã trả lời.',
  });
  // Sở Xây dựng, answered in March: early, early, on time, late, on time with an extension, late (paused, disputed before)
  const plan: Array<[string, string, string, string, boolean]> = [
    ['e1', '2026-03-02 09:00', '2026-03-03 09:00', 'early', false],
    ['e2', '2026-03-03 09:00', '2026-03-05 09:00', 'early', false],
    ['o1', '2026-03-04 09:00', '2026-03-18 16:00', 'on_time', false],
    ['l1', '2026-03-05 09:00', '2026-03-25 09:00', 'late', false],
    ['o2', '2026-03-06 09:00', '2026-03-27 16:00', 'on_time', true],
    ['l2', '2026-03-09 09:00', '2026-03-30 09:00', 'late', false],
  ];
  for (const [name, at, done, outcome, ext] of plan) {
    c[name] = await receive(t, { at, category: X });
    await force(t, c[name].id, done, 'resolve', 'resolved', answered(done, outcome, ext));
  }
  await extension(t, c.o2.id, '2026-03-16 09:00', 5, '2026-03-20 17:00', '2026-03-27 17:00');
  await pause(t, c.l2.id, '2026-03-10 09:00', '2026-03-11 09:00');
  await t.database.db.update(cases).set({ disputeCount: 1 }).where(eq(cases.id, c.l2.id));
  // open: overdue now (due 23/3), and within its deadline
  c.od = await receive(t, { at: '2026-03-09 10:00', category: X });
  await force(t, c.od.id, '2026-03-09 11:00', 'accept', 'in_progress');
  c.ok = await receive(t, { at: '2026-04-01 10:00', category: X });
  // another agency
  c.m1 = await receive(t, { at: '2026-03-02 09:00', category: M });
  await force(t, c.m1.id, '2026-03-04 09:00', 'resolve', 'resolved', answered('2026-03-04 09:00', 'early'));
}, 120_000);
afterAll(async () => t?.close());

const get = (url: string, role = 'inspector') => t.request().get(url).set(bearer(t.tokens[role]));

describe(`inspection API on ${dbLabel}`, () => {
  it('lets inspectors, coordinators and admins read, and no agency role', async () => {
    for (const role of ['inspector', 'coordinator', 'admin']) expect((await get('/api/v1/audit/on-time?period=2026-03', role)).status).toBe(200);
    for (const role of ['agency_staff', 'agency_lead']) expect((await get('/api/v1/audit/cases', role)).status).toBe(403);
    expect((await t.request().get('/api/v1/audit/on-time?period=2026-03')).status).toBe(401);
  });

  it('answers bad queries with 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/audit/on-time?period=2026-03&groupBy=district', 'groupBy'],
      ['/api/v1/audit/on-time?to=2026-03-31', 'from'],
      ['/api/v1/audit/on-time?from=2026-03-31&to=2026-03-01', 'to'],
      ['/api/v1/audit/on-time?from=2026-02-30&to=2026-03-01', 'from'],
      ['/api/v1/audit/on-time?period=2026-13', 'period'],
      ['/api/v1/audit/on-time?period=2026-03&from=2026-03-01&to=2026-03-02', 'period'],
      ['/api/v1/audit/cases?late=maybe', 'late'],
      ['/api/v1/audit/cases?limit=0', 'limit'],
      ['/api/v1/audit/cases?status=lost', 'status'],
      ['/api/v1/audit/cases?agencyId=99999999999', 'agencyId'],
      ['/api/v1/audit/cases?cursor=1e300', 'cursor'],
      ['/api/v1/audit/samples/99999999999', 'id'],
      ['/api/v1/audit/samples?month=2026-3', 'month'],
    ];
    for (const [url, field] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body.errors.map((e: { path: string }) => e.path), url).toContain(field);
    }
  });

  it('gives strict and extension-adjusted rates per group, with small cells flagged', async () => {
    const r = await get('/api/v1/audit/on-time?from=2026-03-01&to=2026-03-31&groupBy=agency');
    expect(r.body.total).toMatchObject({ resolved: 7, early: 3, onTime: 2, late: 2, withExtension: 1, onTimeRate: { numerator: 5, denominator: 7 }, strictOnTimeRate: { numerator: 4, denominator: 7 } });
    const xd = r.body.groups.find((g: { key: string }) => g.key === 'so_xay_dung');
    expect(xd).toMatchObject({ resolved: 6, onTimeRate: { numerator: 4, denominator: 6, value: 0.6667 }, strictOnTimeRate: { numerator: 3, denominator: 6, value: 0.5 }, smallCell: false });
    expect(r.body.groups.find((g: { key: string }) => g.key === 'so_nn_mt')).toMatchObject({ resolved: 1, smallCell: true });
    const csv = await get('/api/v1/audit/on-time?from=2026-03-01&to=2026-03-31&groupBy=agency&format=csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    expect(rows[0].slice(0, 3)).toEqual(['key', 'label', 'resolved']);
    expect(rows.find((x) => x[0] === 'so_xay_dung')?.slice(2, 6)).toEqual(['6', '2', '2', '2']);
  });

  it('filters the case list: late, overdue, paused, extended, disputed, agency, period', async () => {
    const codes = async (q: string) => ((await get(`/api/v1/audit/cases?${q}`)).body.items as Array<{ trackingCode: string }>).map((i) => i.trackingCode).sort();
    const of = (...names: string[]) => names.map((n) => c[n].trackingCode).sort();
    expect(await codes('late=true')).toEqual(of('l1', 'l2'));
    expect(await codes('overdue=true')).toEqual(of('od'));
    expect(await codes('paused=true')).toEqual(of('l2'));
    expect(await codes('extended=true')).toEqual(of('o2'));
    expect(await codes('disputed=true')).toEqual(of('l2'));
    expect(await codes(`agencyId=${ids.agency.so_nn_mt}`)).toEqual(of('m1'));
    expect(await codes('period=2026-04')).toEqual(of('ok'));
    expect(await codes('period=2026-03&dateField=resolved&late=false')).toEqual(of('e1', 'e2', 'o1', 'o2', 'm1'));
    const r = await get(`/api/v1/audit/cases?late=true&agencyId=${ids.agency.so_xay_dung}`);
    const l2 = r.body.items.find((i: { trackingCode: string }) => i.trackingCode === c.l2.trackingCode);
    expect(l2).toMatchObject({ outcome: 'late', onTime: false, pauses: 1, pausedWorkingDays: 1, disputeCount: 1, workingDaysUntil: 'resolved' });
    const od = (await get('/api/v1/audit/cases?overdue=true')).body.items[0];
    expect(od).toMatchObject({ status: 'in_progress', overdueNow: true, outcome: null, workingDaysUntil: 'now', resolveDueAt: '2026-03-23T17:00:00+07:00' });
  });

  it('pages with a cursor and exports every matching case as CSV', async () => {
    const seen: string[] = [];
    let url = '/api/v1/audit/cases?limit=3';
    for (;;) {
      const r = await get(url);
      expect(r.body.summary.matching).toBe(9);
      seen.push(...r.body.items.map((i: { trackingCode: string }) => i.trackingCode));
      if (!r.body.nextCursor) break;
      url = `/api/v1/audit/cases?limit=3&cursor=${r.body.nextCursor}`;
    }
    expect(new Set(seen).size).toBe(9);
    const csv = await get('/api/v1/audit/cases?dateField=resolved&period=2026-03').set('Accept', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/attachment/);
    const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    expect(rows[0]).toContain('trackingCode');
    expect(rows).toHaveLength(1 + 7);
    expect(csv.text).not.toContain('Nguyễn Văn A');
  });

  it('exports the case list and the on-time rates as Excel workbooks: Vietnamese headers, dates as dates, rates as numbers', async () => {
    const binary = (res: unknown, cb: (err: Error | null, body: unknown) => void) => {
      const stream = res as NodeJS.ReadableStream;
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => cb(null, Buffer.concat(chunks)));
    };
    const read = async (body: unknown) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(body as ArrayBuffer);
      return wb;
    };
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const list = await get('/api/v1/audit/cases?dateField=resolved&period=2026-03&format=xlsx').buffer(true).parse(binary);
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe(XLSX);
    expect(list.headers['content-disposition']).toMatch(/attachment; filename=".+\.xlsx"/);
    const ws = (await read(list.body)).worksheets[0];
    expect(ws.name).toBe('Hồ sơ');
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['Mã hồ sơ', 'Ngày tiếp nhận', 'Hạn giải quyết', 'Đúng hạn (tính gia hạn)']));
    expect(ws.rowCount).toBe(1 + 7);
    const col = (name: string) => header.indexOf(name) + 1;
    const l1 = ws.getRows(2, 7)!.find((r) => r.getCell(col('Mã hồ sơ')).value === c.l1.trackingCode)!;
    // received 2026-03-05 09:00 in Hà Nội: the cell shows that local time
    const received = l1.getCell(col('Ngày tiếp nhận')).value as Date;
    expect(received).toBeInstanceOf(Date);
    expect(received.toISOString()).toBe('2026-03-05T09:00:00.000Z');
    expect(l1.getCell(col('Ngày tiếp nhận')).numFmt).toBe('dd/mm/yyyy hh:mm');
    expect(l1.getCell(col('Đúng hạn (tính gia hạn)')).value).toBe(false);
    expect(typeof l1.getCell(col('Ngày làm việc')).value).toBe('number');
    // chosen by Accept as well
    const byAccept = await get('/api/v1/audit/cases?period=2026-03').set('Accept', XLSX).buffer(true).parse(binary);
    expect(byAccept.headers['content-type']).toBe(XLSX);

    const rates = await get('/api/v1/audit/on-time?from=2026-03-01&to=2026-03-31&groupBy=agency&format=xlsx').buffer(true).parse(binary);
    expect(rates.status).toBe(200);
    const rs = (await read(rates.body)).worksheets[0];
    const rh = (rs.getRow(1).values as unknown[]).slice(1);
    const xd = rs.getRows(2, rs.rowCount - 1)!.find((r) => r.getCell(1).value === 'so_xay_dung')!;
    expect(xd.getCell(2).value).toBe('Sở Xây dựng');
    const rate = xd.getCell(rh.indexOf('Tỷ lệ đúng hạn (tính gia hạn)') + 1);
    expect(rate.value).toBe(0.6667);
    expect(rate.numFmt).toBe('0.0%');
    expect(xd.getCell(rh.indexOf('Đã trả lời') + 1).value).toBe(6);
  });

  it('draws the same sample for the same seed and states the population', async () => {
    const body = { agencyId: ids.agency.so_xay_dung, month: '2026-03', size: 4, seed: 'tt-03' };
    const a = await t.request().post('/api/v1/audit/samples').set(bearer(t.tokens.inspector)).send(body);
    const b = await t.request().post('/api/v1/audit/samples').set(bearer(t.tokens.inspector)).send(body);
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ agencyId: ids.agency.so_xay_dung, month: '2026-03', seed: 'tt-03', size: 4, drawn: 4, population: 6, reviewed: 0 });
    expect(b.body.cases.map((x: { caseId: number }) => x.caseId)).toEqual(a.body.cases.map((x: { caseId: number }) => x.caseId));
    expect(b.body.id).not.toBe(a.body.id);
    const all = await t.request().post('/api/v1/audit/samples').set(bearer(t.tokens.inspector)).send({ ...body, size: 50, seed: 7 });
    expect(all.body).toMatchObject({ drawn: 6, seed: '7' });
    expect(all.body.onTimeRate).toEqual({ numerator: 4, denominator: 6, value: 0.6667 });
    expect(all.body.qualityAdjustedOnTimeRate).toEqual({ numerator: 4, denominator: 6, value: 0.6667 });
    expect((await get(`/api/v1/audit/samples?agencyId=${ids.agency.so_xay_dung}&month=2026-03`, 'coordinator')).body.items).toHaveLength(3);
  });

  it('refuses bad samples and findings, and only inspectors write them', async () => {
    const post = (url: string, body: unknown, role = 'inspector') => t.request().post(url).set(bearer(t.tokens[role])).send(body as object);
    expect((await post('/api/v1/audit/samples', { agencyId: ids.agency.so_xay_dung, month: '2026-03', size: 2, seed: 'x' }, 'coordinator')).status).toBe(403);
    const bad: Array<[unknown, string]> = [
      [{ agencyId: 99999, month: '2026-03', size: 2, seed: 'x' }, 'agencyId'],
      [{ agencyId: ids.agency.so_xay_dung, month: '2026-Q1', size: 2, seed: 'x' }, 'month'],
      [{ agencyId: ids.agency.so_xay_dung, month: '2026-03', size: 0, seed: 'x' }, 'size'],
      [{ agencyId: ids.agency.so_xay_dung, month: '2026-03', size: 2, seed: '' }, 'seed'],
    ];
    for (const [body, field] of bad) {
      const r = await post('/api/v1/audit/samples', body);
      expect(r.status, field).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    const s = await post('/api/v1/audit/samples', { agencyId: ids.agency.so_xay_dung, month: '2026-03', size: 50, seed: 'f' });
    const url = `/api/v1/audit/samples/${s.body.id}/findings`;
    const notIn = await post(url, { caseId: c.m1.id, finding: 'ok' });
    expect(notIn.status).toBe(400);
    expect(notIn.body.errors[0].path).toBe('caseId');
    const okReopen = await post(url, { caseId: c.e1.id, finding: 'ok', reopen: true });
    expect(okReopen.status).toBe(400);
    expect(okReopen.body.errors[0].path).toBe('reopen');
    expect((await post(url, { caseId: c.e1.id, finding: 'perfect' })).status).toBe(400);
    expect((await post(url, { caseId: c.e1.id, finding: 'ok' }, 'admin')).status).toBe(403);
    expect((await post(url, { caseId: c.e1.id, finding: 'ok', note: 'Trả lời đầy đủ' })).status).toBe(201);
    const again = await post(url, { caseId: c.e1.id, finding: 'wrong_reason_code' });
    expect(again.status).toBe(409);
    expect((await post('/api/v1/audit/samples/99999/findings', { caseId: c.e1.id, finding: 'ok' })).status).toBe(404);
    expect((await get('/api/v1/audit/samples/99999')).status).toBe(404);
  });

  it('reopens on a finding, and gives the quality-adjusted on-time rate', async () => {
    const s = await t.request()
      .post('/api/v1/audit/samples')
      .set(bearer(t.tokens.inspector))
      .send({ agencyId: ids.agency.so_xay_dung, month: '2026-03', size: 6, seed: 'q' });
    const url = `/api/v1/audit/samples/${s.body.id}/findings`;
    const post = (body: object) => t.request().post(url).set(bearer(t.tokens.inspector)).send(body);
    // 4 of 6 on time; a not-ok finding on an on-time case takes it out of the quality-adjusted numerator
    let r = await post({ caseId: c.e2.id, finding: 'no_substantive_answer', note: 'Chưa trả lời nội dung', reopen: true });
    expect(r.status).toBe(201);
    expect(r.body.onTimeRate).toEqual({ numerator: 4, denominator: 6, value: 0.6667 });
    expect(r.body.qualityAdjustedOnTimeRate).toEqual({ numerator: 3, denominator: 6, value: 0.5 });
    const e2 = r.body.cases.find((x: { caseId: number }) => x.caseId === c.e2.id);
    expect(e2).toMatchObject({ outcome: 'early', statusNow: 'in_progress', finding: { finding: 'no_substantive_answer', reopened: true, inspector: 'Thanh tra viên (demo)' } });
    const [row] = await t.database.db.select({ status: cases.status, outcome: cases.outcome }).from(cases).where(eq(cases.id, c.e2.id));
    expect(row).toEqual({ status: 'in_progress', outcome: null });
    // a not-ok finding on a late case changes nothing in the rates; ok changes nothing
    r = await post({ caseId: c.l1.id, finding: 'unjustified_pause' });
    r = await post({ caseId: c.o1.id, finding: 'ok' });
    expect(r.body).toMatchObject({ reviewed: 3, findingsNotOk: 2, qualityAdjustedOnTimeRate: { numerator: 3, denominator: 6 } });

    // a reopen the workflow refuses (the case was disputed meanwhile) writes no finding
    await force(t, c.o2.id, '2026-04-06 08:00', 'dispute', 'in_progress', { status: 'in_progress', resolvedAt: null, outcome: null });
    const refused = await post({ caseId: c.o2.id, finding: 'wrong_reason_code', reopen: true });
    expect(refused.status).toBe(409);
    const stored = await t.database.db.select().from(auditFindings).where(eq(auditFindings.caseId, c.o2.id));
    expect(stored).toHaveLength(0);
    // the sample keeps the outcome it was drawn with
    const again = await get(`/api/v1/audit/samples/${s.body.id}`, 'coordinator');
    expect(again.body.onTimeRate).toEqual({ numerator: 4, denominator: 6, value: 0.6667 });
    const n = await t.database.db.execute(sql`select count(*)::int as n from case_events where case_id = ${c.e2.id} and action = 'reopen'`);
    expect((n.rows[0] as { n: number }).n).toBe(1);
  });
});
