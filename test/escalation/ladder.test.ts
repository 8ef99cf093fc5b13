import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, fromLocal, isWorkingInstant, workingDaysBetween } from '../../src/domain/calendar.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel, onPostgres } from '../helpers/db.js';
import { startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { caseRow, claims, enterCase, escalationEvents, outboxOf, secondInstance } from './helpers.js';

const LEADERSHIP = 'vanphong.ubnd@bacninh.example';
const INSPECTORATE = 'thanhtra.tinh@bacninh.example';
const COORDINATORS = 'dieuphoi1@bacninh.example,dieuphoi2@bacninh.example';
const AGENCY = 'so.xay.dung@bacninh.example';
const AGENCY_LEAD = 'lanhdao.so.xay.dung@bacninh.example';
const BUSINESS = 'lienhe@cokhikinhbac.example';
const HOUR = 3_600_000;

let smtp: TestSmtp;
let t: TestApp;
let other: { app: FastifyInstance; close: () => Promise<void> };
const config = () => ({
  SMTP_URL: smtp.url,
  PAKN_LEADERSHIP_EMAILS: LEADERSHIP,
  PAKN_INSPECTORATE_EMAILS: INSPECTORATE,
  PAKN_COORDINATOR_EMAILS: COORDINATORS,
});

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: config() });
  other = await secondInstance(t.database, t.clock, config());
});
afterAll(async () => {
  await other?.close();
  await t?.close();
  await smtp?.stop();
});

/** What the cron of two instances does at `now`: the job on both and the delivery on both, at the same time. */
async function tick(now: Date) {
  t.clock.set(now);
  const runs = await Promise.all([t.app.services.escalation.runEscalation(now), other.app.services.escalation.runEscalation(now)]);
  for (const r of runs) expect(r.failed, JSON.stringify(r.errors)).toBe(0);
  await Promise.all([t.app.services.notifications.runOutbox(now), other.app.services.notifications.runOutbox(now)]);
}

const mailsFor = (code: string) => smtp.received.filter((m) => m.headers['x-pakn-case'] === code);
const byTemplate = (code: string) => Object.fromEntries(mailsFor(code).map((m) => [m.headers['x-pakn-template'], m]));

describe(`the escalation ladder on ${dbLabel}, two app instances${onPostgres ? ' on one PostgreSQL' : ' (PGlite: sharing one in-process handle)'}, a real SMTP server`, () => {
  it('a hotline case never accepted, followed for 30 working days: accept reminder, due-soon warning, overdue, serious — once each', async () => {
    const t0 = fromLocal('2026-03-02', '09:00');
    const c = await enterCase(t.app, t0);
    const cal = await t.app.services.clockService.calendar();
    const end = addWorkingDays(cal, t0, 30);
    for (let now = t0.getTime() + 2 * HOUR; now <= end.getTime() + 24 * HOUR; now += 2 * HOUR) await tick(new Date(now));

    // exactly the ladder, once each, plus the receipt and the assignment of the intake
    const got = mailsFor(c.trackingCode);
    expect(got.map((m) => m.headers['x-pakn-template']).sort()).toEqual(['accept_overdue', 'assignment', 'due_soon', 'overdue', 'receipt', 'serious']);
    expect(new Set(got.map((m) => m.messageId)).size).toBe(got.length);
    const m = byTemplate(c.trackingCode);
    expect(m.receipt.envelopeTo).toEqual([BUSINESS]);
    expect(m.assignment.envelopeTo).toEqual([AGENCY]);
    expect(m.accept_overdue.envelopeTo.sort()).toEqual([AGENCY, AGENCY_LEAD].sort());
    expect(m.due_soon.envelopeTo).toEqual([AGENCY]);
    expect(m.overdue.envelopeTo.sort()).toEqual([AGENCY_LEAD, ...COORDINATORS.split(',')].sort());
    expect(m.serious.envelopeTo.sort()).toEqual([INSPECTORATE, LEADERSHIP].sort());
    expect(m.serious.to).toContain(LEADERSHIP);
    expect(m.serious.cc).toContain(INSPECTORATE);
    expect(m.accept_overdue.subject).toBe(`[${c.trackingCode}] Nhắc tiếp nhận: đã quá hạn tiếp nhận hồ sơ`);
    expect(m.due_soon.subject).toBe(`[${c.trackingCode}] Sắp đến hạn trả lời (17:00 ngày 16/03/2026)`);
    expect(m.overdue.subject).toBe(`[${c.trackingCode}] Quá hạn trả lời — Sở Xây dựng`);
    expect(m.serious.subject).toMatch(new RegExp(`^\\[${c.trackingCode.replace(/\./g, '\\.')}\\] Quá hạn nghiêm trọng`));
    for (const k of ['accept_overdue', 'due_soon', 'overdue', 'serious']) {
      // staff mail links nothing a browser cannot open: it gives the code and what to do
      expect(m[k].text).not.toContain('http://pakn.test/');
      expect(m[k].text.replace(/\s+/g, ' ')).toContain(`theo mã ${c.trackingCode}`);
      expect(m[k].html).toContain(c.trackingCode);
    }

    // when each fired (the job ran every two hours), and staff mail left only in office hours
    const cl = await claims(t.app, c.id);
    expect(cl.map((x) => x.level)).toEqual(['accept_overdue', 'due_soon', 'overdue', 'serious']);
    const fired = (await t.database.db.execute(sql`select level, fired_at from escalations where case_id = ${c.id} order by fired_at`)) as unknown as {
      rows: Array<{ level: string; fired_at: Date }>;
    };
    expect(fired.rows.map((r) => new Date(r.fired_at))).toEqual([
      fromLocal('2026-03-03', '11:00'), // accept deadline 09:30
      fromLocal('2026-03-13', '17:00'), // one working day before 17:00 16/3
      fromLocal('2026-03-16', '19:00'), // deadline 17:00 16/3
      fromLocal('2026-03-23', '17:00'), // five working days later
    ]);
    const rows = await outboxOf(t.app, c.id);
    for (const r of rows.filter((x) => !['receipt', 'assignment'].includes(x.template))) {
      expect(r.status).toBe('sent');
      expect(isWorkingInstant(cal, new Date(r.sent_at!))).toBe(true);
    }
    expect(new Date(rows.find((r) => r.template === 'overdue')!.sent_at!)).toEqual(fromLocal('2026-03-17', '09:00'));

    // the timeline and the queue flag
    const ev = await escalationEvents(t.app, c.id);
    expect(ev.map((e) => [e.data.level, e.data.escalationLevel])).toEqual([
      ['accept_overdue', 1],
      ['due_soon', 1],
      ['overdue', 2],
      ['serious', 3],
    ]);
    expect(await caseRow(t.app, c.id)).toMatchObject({ status: 'assigned', escalationLevel: 3 });
  }, 180_000);

  it('a hotline case received 30 working days ago, entered today and never accepted: overdue and serious at once, the accept reminder the next day — once each', async () => {
    const now = fromLocal('2026-04-15', '10:00');
    const receivedAt = fromLocal('2026-03-04', '10:00');
    const cal = await t.app.services.clockService.calendar();
    expect(workingDaysBetween(cal, receivedAt, now)).toBe(30);
    t.clock.set(now);
    const c = await enterCase(t.app, now, { receivedAt, title: 'Phản ánh qua đường dây nóng từ tháng trước' });
    expect((await caseRow(t.app, c.id)).resolveDueAt).toEqual(fromLocal('2026-03-18', '17:00'));

    await tick(now);
    expect(Object.keys(byTemplate(c.trackingCode)).sort()).toEqual(['assignment', 'overdue', 'receipt', 'serious']);
    for (let h = 1; h <= 48; h++) await tick(new Date(now.getTime() + h * HOUR));

    const got = mailsFor(c.trackingCode);
    expect(got.map((x) => x.headers['x-pakn-template']).sort()).toEqual(['accept_overdue', 'assignment', 'overdue', 'receipt', 'serious']);
    expect(new Set(got.map((x) => x.messageId)).size).toBe(got.length);
    const m = byTemplate(c.trackingCode);
    expect(m.overdue.text.replace(/\s+/g, ' ')).toContain('đã quá hạn trả lời doanh nghiệp 19 ngày 2 giờ làm việc (hạn: 17:00 ngày 18/03/2026)');
    expect(m.serious.envelopeTo.sort()).toEqual([INSPECTORATE, LEADERSHIP].sort());
    expect((await claims(t.app, c.id)).map((x) => x.level)).toEqual(['overdue', 'serious', 'accept_overdue']);
    expect(await caseRow(t.app, c.id)).toMatchObject({ status: 'assigned', escalationLevel: 3 });
  }, 120_000);
});
