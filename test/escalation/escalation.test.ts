import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromLocal, isWorkingInstant } from '../../src/domain/calendar.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel, onPostgres } from '../helpers/db.js';
import { startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { agencyIdOf, caseRow, claims, enterCase, escalationEvents, outboxOf, secondInstance, staffActor } from './helpers.js';

const LEADERSHIP = 'lanhdao.ubnd@bacninh.example';
const INSPECTORATE = 'thanhtra.tinh@bacninh.example';
const COORDINATOR = 'to.3.nhat@bacninh.example'; // the coordinator agency's contact (no PAKN_COORDINATOR_EMAILS)
const AGENCY = 'so.xay.dung@bacninh.example';
const AGENCY_LEAD = 'lanhdao.so.xay.dung@bacninh.example';
const ESCALATION_TEMPLATES = ['due_soon', 'accept_overdue', 'overdue', 'serious', 'triage_stale'];

let smtp: TestSmtp;
let t: TestApp;
const config = () => ({ SMTP_URL: smtp.url, PAKN_LEADERSHIP_EMAILS: LEADERSHIP, PAKN_INSPECTORATE_EMAILS: INSPECTORATE });

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: config() });
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const at = (date: string, time: string) => {
  t.clock.set(fromLocal(date, time));
  return t.clock.now();
};
const run = () => t.app.services.escalation.runEscalation(t.clock.now());
const staffMail = async (caseId: number) => (await outboxOf(t.app, caseId)).filter((m) => ESCALATION_TEMPLATES.includes(m.template));

describe(`the escalation job on ${dbLabel}`, () => {
  it('runs on demand for admin and coordinator only', async () => {
    const r = await t.request().post('/api/v1/admin/jobs/escalation/run').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ dueSoon: 0, overdue: 0, failed: 0, at: '2026-03-02T09:00:00+07:00' });
    expect((await t.request().post('/api/v1/admin/jobs/escalation/run').set(bearer(t.tokens.admin))).status).toBe(200);
    expect((await t.request().post('/api/v1/admin/jobs/escalation/run').set(bearer(t.tokens.agency_lead))).status).toBe(403);
    expect((await t.request().post('/api/v1/admin/jobs/escalation/run').set(bearer(t.tokens.inspector))).status).toBe(403);
    expect((await t.request().post('/api/v1/admin/jobs/escalation/run')).status).toBe(401);
  });

  it('climbs the ladder of a never-accepted case: each level once, at its time, as an event and a level', async () => {
    const c = await enterCase(t.app, at('2026-03-02', '09:00'));
    const row0 = await caseRow(t.app, c.id);
    expect(row0.status).toBe('assigned');
    expect(row0.resolveDueAt).toEqual(fromLocal('2026-03-16', '17:00'));
    expect(row0.acceptDueAt).toEqual(fromLocal('2026-03-03', '09:30'));

    at('2026-03-02', '10:00');
    await run();
    expect(await claims(t.app, c.id)).toEqual([]);

    // the accept deadline has passed → the agency's contacts, copy to its lead
    at('2026-03-03', '09:31');
    const r1 = await run();
    expect(r1.acceptOverdue).toBe(1);
    expect(await run()).toMatchObject({ acceptOverdue: 0 });
    expect((await caseRow(t.app, c.id)).escalationLevel).toBe(1);
    let mail = await staffMail(c.id);
    expect(mail.map((m) => [m.template, m.to_addrs, m.cc_addrs])).toEqual([['accept_overdue', [AGENCY], [AGENCY_LEAD]]]);
    expect(mail[0].next_attempt_at).toEqual(t.clock.now());

    // one working day before the deadline → warn the agency
    at('2026-03-13', '16:59');
    await run();
    expect((await staffMail(c.id)).map((m) => m.template)).toEqual(['accept_overdue']);
    at('2026-03-13', '17:00');
    expect((await run()).dueSoon).toBe(1);
    expect((await staffMail(c.id)).map((m) => m.template)).toEqual(['accept_overdue', 'due_soon']);

    // overdue → agency lead and coordinator; level 2
    at('2026-03-16', '17:00');
    await run();
    expect((await caseRow(t.app, c.id)).escalationLevel).toBe(1);
    at('2026-03-16', '17:01');
    expect((await run()).overdue).toBe(1);
    expect((await caseRow(t.app, c.id)).escalationLevel).toBe(2);
    mail = await staffMail(c.id);
    expect(mail[2]).toMatchObject({ template: 'overdue', to_addrs: [AGENCY_LEAD], cc_addrs: [COORDINATOR] });
    // computed after office hours: waits for the next opening
    expect(mail[2].next_attempt_at).toEqual(fromLocal('2026-03-17', '07:30'));

    // overdue by more than 5 working days → leadership and inspectorate; level 3
    at('2026-03-23', '16:59');
    await run();
    expect((await staffMail(c.id)).map((m) => m.template)).not.toContain('serious');
    at('2026-03-23', '17:00');
    expect((await run()).serious).toBe(1);
    expect((await caseRow(t.app, c.id)).escalationLevel).toBe(3);
    mail = await staffMail(c.id);
    expect(mail[3]).toMatchObject({ template: 'serious', to_addrs: [LEADERSHIP], cc_addrs: [INSPECTORATE] });

    // nothing more, however often it runs
    for (const [d, h] of [['2026-03-24', '10:00'], ['2026-03-30', '10:00'], ['2026-04-20', '10:00']]) {
      at(d, h);
      await run();
    }
    expect((await staffMail(c.id)).map((m) => m.template)).toEqual(['accept_overdue', 'due_soon', 'overdue', 'serious']);
    const cl = await claims(t.app, c.id);
    expect(cl.map((x) => x.level)).toEqual(['accept_overdue', 'due_soon', 'overdue', 'serious']);
    expect(new Date(cl[0].deadline_at)).toEqual(row0.acceptDueAt);
    expect(new Date(cl[2].deadline_at)).toEqual(row0.resolveDueAt);

    const ev = await escalationEvents(t.app, c.id);
    expect(ev.map((e) => e.data.level)).toEqual(['accept_overdue', 'due_soon', 'overdue', 'serious']);
    expect(ev.map((e) => e.data.escalationLevel)).toEqual([1, 1, 2, 3]);
    expect(ev.every((e) => e.public_text === null && e.internal_text.length > 10)).toBe(true);
    expect(ev[2].data).toMatchObject({ notified: ['agency_lead', 'coordinator'], mailNotBefore: '2026-03-17T07:30:00+07:00' });

    // delivered to the real SMTP server, staff mail only in office hours, no reporter identity
    await t.app.services.notifications.runOutbox(t.clock.now());
    const got = smtp.received.filter((m) => m.headers['x-pakn-case'] === c.trackingCode && ESCALATION_TEMPLATES.includes(m.headers['x-pakn-template']));
    expect(got.map((m) => m.headers['x-pakn-template']).sort()).toEqual(['accept_overdue', 'due_soon', 'overdue', 'serious']);
    const serious = got.find((m) => m.headers['x-pakn-template'] === 'serious')!;
    expect(serious.envelopeTo.sort()).toEqual([INSPECTORATE, LEADERSHIP].sort());
    expect(serious.subject).toContain('Quá hạn nghiêm trọng');
    expect(serious.text).toContain(c.trackingCode);
    expect(serious.text).toContain('17:00 ngày 16/03/2026');
    for (const m of got) {
      expect(m.text).not.toMatch(/Cơ khí Kinh Bắc|Nguyễn Văn An|0912345678|lienhe@/);
      expect(m.html).toContain('<!doctype html>');
    }
    const sent = (await outboxOf(t.app, c.id)).filter((m) => ESCALATION_TEMPLATES.includes(m.template));
    expect(sent.every((m) => m.status === 'sent')).toBe(true);
  });

  it('warns again for an extended deadline, never twice for the same one; the level is never lowered by the job', async () => {
    const c = await enterCase(t.app, at('2026-04-06', '09:00'), { title: 'Gia hạn xử lý' });
    at('2026-04-06', '10:00');
    const staff = await staffActor(t.app, 'agency_staff');
    await t.app.services.workflow.act(c.id, 'accept', staff, { version: (await caseRow(t.app, c.id)).version });
    const due1 = (await caseRow(t.app, c.id)).resolveDueAt;
    expect(due1).toEqual(fromLocal('2026-04-20', '17:00'));
    at('2026-04-20', '09:00');
    expect((await run()).dueSoon).toBeGreaterThanOrEqual(1);
    const lead = await staffActor(t.app, 'agency_lead');
    at('2026-04-20', '10:00');
    await t.app.services.workflow.act(c.id, 'extend', lead, { version: (await caseRow(t.app, c.id)).version, amount: 5, unit: 'working_days', reason: 'Cần khảo sát thực địa' });
    const due2 = (await caseRow(t.app, c.id)).resolveDueAt;
    expect(due2.getTime()).toBeGreaterThan(due1.getTime());
    at('2026-04-20', '11:00');
    await run();
    expect((await claims(t.app, c.id)).map((x) => x.level)).toEqual(['due_soon']);
    t.clock.set(new Date(due2.getTime() - 3_600_000));
    await run();
    await run();
    const cl = await claims(t.app, c.id);
    expect(cl.map((x) => x.level)).toEqual(['due_soon', 'due_soon']);
    expect(cl.map((x) => new Date(x.deadline_at).getTime())).toEqual([due1.getTime(), due2.getTime()]);
    expect((await staffMail(c.id)).map((m) => m.template)).toEqual(['due_soon', 'due_soon']);
    expect((await caseRow(t.app, c.id)).escalationLevel).toBeGreaterThanOrEqual(1);
  });

  it('reminds the coordinator of a case waiting in triage, and again when it comes back to the queue', async () => {
    const c = await enterCase(t.app, at('2026-05-11', '09:00'), { category: 'hai_quan', title: 'Thủ tục hải quan kéo dài' });
    expect((await caseRow(t.app, c.id)).status).toBe('received');
    at('2026-05-11', '14:59');
    await run();
    expect(await claims(t.app, c.id)).toEqual([]);
    at('2026-05-11', '15:00');
    expect((await run()).triageStale).toBeGreaterThanOrEqual(1);
    expect((await staffMail(c.id)).map((m) => [m.template, m.to_addrs])).toEqual([['triage_stale', [COORDINATOR]]]);
    expect((await caseRow(t.app, c.id)).escalationLevel).toBe(1);
    await run();

    // assigned, then returned by the agency: a new wait in the queue, a new reminder
    at('2026-05-11', '15:30');
    const coord = await staffActor(t.app, 'coordinator');
    await t.app.services.workflow.act(c.id, 'assign', coord, { version: (await caseRow(t.app, c.id)).version, agencyId: await agencyIdOf(t.app, 'so_xay_dung') });
    at('2026-05-12', '10:00');
    const staff = await staffActor(t.app, 'agency_staff');
    await t.app.services.workflow.act(c.id, 'return', staff, { version: (await caseRow(t.app, c.id)).version, reason: 'Không thuộc thẩm quyền của Sở Xây dựng' });
    at('2026-05-12', '15:59');
    await run();
    expect((await claims(t.app, c.id)).map((x) => x.level)).toEqual(['triage_stale']);
    at('2026-05-12', '16:00');
    await run();
    const cl = await claims(t.app, c.id);
    expect(cl.map((x) => x.level)).toEqual(['triage_stale', 'triage_stale']);
    expect(new Date(cl[1].deadline_at)).toEqual(fromLocal('2026-05-12', '16:00'));
  });

  it('closes a resolved case once the dispute window is over, through the workflow, and tells the business', async () => {
    const c = await enterCase(t.app, at('2026-06-01', '09:00'), { title: 'Đóng tự động sau khi trả lời' });
    const staff = await staffActor(t.app, 'agency_staff');
    at('2026-06-01', '09:30');
    await t.app.services.workflow.act(c.id, 'accept', staff, { version: (await caseRow(t.app, c.id)).version });
    at('2026-06-01', '10:00');
    await t.app.services.workflow.act(c.id, 'resolve', staff, { version: (await caseRow(t.app, c.id)).version, reason: 'answered', publicText: 'Sở đã cấp phép ngày 01/6.' });
    at('2026-06-08', '10:00');
    await run();
    expect((await caseRow(t.app, c.id)).status).toBe('resolved');
    at('2026-06-08', '10:01');
    const r = await run();
    expect(r.closedAfterDisputeWindow).toBeGreaterThanOrEqual(1);
    const row = await caseRow(t.app, c.id);
    expect(row).toMatchObject({ status: 'closed', reason: 'answered' });
    expect((await claims(t.app, c.id)).map((x) => x.level)).toEqual(['auto_close']);
    const closeEv = (await t.database.db.execute(sql`select actor_role, actor_label from case_events where case_id = ${c.id} and action = 'close'`)) as unknown as {
      rows: Array<{ actor_role: string; actor_label: string }>;
    };
    expect(closeEv.rows).toHaveLength(1);
    expect(closeEv.rows[0]).toMatchObject({ actor_role: 'system' });
    const notice = (await outboxOf(t.app, c.id)).filter((m) => m.template.startsWith('auto_close'));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatchObject({ to_addrs: ['lienhe@cokhikinhbac.example'], template: 'auto_close_dispute_window_over' });
    await run();
    expect((await outboxOf(t.app, c.id)).filter((m) => m.template.startsWith('auto_close'))).toHaveLength(1);
  });

  it('closes a case awaiting the business after 15 working days without reply, never flagging it overdue while paused', async () => {
    const c = await enterCase(t.app, at('2026-06-01', '09:00'), { title: 'Chờ doanh nghiệp bổ sung' });
    const staff = await staffActor(t.app, 'agency_staff');
    at('2026-06-01', '09:30');
    await t.app.services.workflow.act(c.id, 'accept', staff, { version: (await caseRow(t.app, c.id)).version });
    at('2026-06-02', '10:00');
    await t.app.services.workflow.act(c.id, 'request_info', staff, { version: (await caseRow(t.app, c.id)).version, publicText: 'Đề nghị gửi bản vẽ thiết kế.' });
    expect((await caseRow(t.app, c.id)).status).toBe('awaiting_business');
    at('2026-06-17', '10:00'); // past the deadline the case had when it paused
    await run();
    expect(await claims(t.app, c.id)).toEqual([]);
    at('2026-06-23', '09:59');
    await run();
    expect((await caseRow(t.app, c.id)).status).toBe('awaiting_business');
    at('2026-06-23', '10:00');
    expect((await run()).closedNoResponse).toBeGreaterThanOrEqual(1);
    expect(await caseRow(t.app, c.id)).toMatchObject({ status: 'closed', reason: 'no_response_from_business', pausedAt: null });
    const notice = (await outboxOf(t.app, c.id)).filter((m) => m.template.startsWith('auto_close'));
    expect(notice.map((m) => m.template)).toEqual(['auto_close_no_response_from_business']);
    expect(notice[0].text_body).toContain('không nhận được thông tin bổ sung');
  });

  it('holds staff mail computed at night for the office opening; mail to the business goes at once', async () => {
    smtp.received.length = 0;
    const late = await enterCase(t.app, at('2026-07-06', '09:00'), { title: 'Quá hạn phát hiện ban đêm' });
    const answered = await enterCase(t.app, at('2026-07-06', '09:00'), { title: 'Đóng ban đêm' });
    const staff = await staffActor(t.app, 'agency_staff');
    at('2026-07-06', '10:00');
    await t.app.services.workflow.act(answered.id, 'accept', staff, { version: (await caseRow(t.app, answered.id)).version });
    await t.app.services.workflow.act(answered.id, 'resolve', staff, { version: (await caseRow(t.app, answered.id)).version, reason: 'fixed', publicText: 'Đã khắc phục.' });
    await t.app.services.notifications.runOutbox(t.clock.now());

    at('2026-07-20', '21:00'); // Monday evening, the day `late` fell due
    await run();
    const overdue = (await staffMail(late.id)).find((m) => m.template === 'overdue')!;
    expect(overdue.next_attempt_at).toEqual(fromLocal('2026-07-21', '07:30'));
    const close = (await outboxOf(t.app, answered.id)).find((m) => m.template.startsWith('auto_close'))!;
    expect(close.next_attempt_at).toEqual(fromLocal('2026-07-20', '21:00'));
    smtp.received.length = 0;
    await t.app.services.notifications.runOutbox(t.clock.now());
    expect(smtp.received.map((m) => m.headers['x-pakn-template'])).toContain('auto_close_dispute_window_over');
    expect(smtp.received.filter((m) => ESCALATION_TEMPLATES.includes(m.headers['x-pakn-template']))).toEqual([]);
    at('2026-07-21', '07:29');
    await t.app.services.notifications.runOutbox(t.clock.now());
    expect(smtp.received.filter((m) => ESCALATION_TEMPLATES.includes(m.headers['x-pakn-template']))).toEqual([]);
    at('2026-07-21', '07:30');
    await t.app.services.notifications.runOutbox(t.clock.now());
    const staffGot = smtp.received.filter((m) => ESCALATION_TEMPLATES.includes(m.headers['x-pakn-template']));
    expect(staffGot.map((m) => m.headers['x-pakn-case'])).toContain(late.trackingCode);
    const cal = await t.app.services.clockService.calendar();
    const sentAt = (await outboxOf(t.app)).filter((m) => ESCALATION_TEMPLATES.includes(m.template) && m.sent_at).map((m) => new Date(m.sent_at!));
    expect(sentAt.length).toBeGreaterThan(0);
    expect(sentAt.filter((d) => !isWorkingInstant(cal, d))).toEqual([]);
  });

  it(`fires each notice once with two app instances running the job at the same time${onPostgres ? ' (two connection pools on one PostgreSQL)' : ' (PGlite: one in-process handle, see docs)'}`, async () => {
    const ids: number[] = [];
    const codes = new Set<string>();
    at('2026-08-03', '09:00');
    for (let i = 0; i < 40; i++) {
      const c = await enterCase(t.app, t.clock.now(), { title: `Hồ sơ đồng thời ${i}`, email: null });
      ids.push(c.id);
      codes.add(c.trackingCode);
    }
    const other = await secondInstance(t.database, t.clock, config());
    try {
      const now = at('2026-08-25', '10:00'); // 10 working days due 17/8, 5 more → 24/8 17:00
      const results = await Promise.all([
        t.app.services.escalation.runEscalation(now),
        other.app.services.escalation.runEscalation(now),
        t.app.services.escalation.runEscalation(now),
        other.app.services.escalation.runEscalation(now),
      ]);
      expect(results.every((r) => r.failed === 0)).toBe(true);
      const fired = (await t.database.db.execute(sql`select level, count(*)::int as n from escalations where fired_at = ${now} group by level`)) as unknown as {
        rows: Array<{ level: string; n: number }>;
      };
      const byLevel = Object.fromEntries(fired.rows.map((r) => [r.level, Number(r.n)]));
      const sum = (k: 'acceptOverdue' | 'overdue' | 'serious') => results.reduce((s, r) => s + r[k], 0);
      expect(sum('acceptOverdue')).toBe(byLevel.accept_overdue);
      expect(sum('overdue')).toBe(byLevel.overdue);
      expect(sum('serious')).toBe(byLevel.serious);
      for (const id of ids) {
        expect((await claims(t.app, id)).map((x) => x.level).sort()).toEqual(['accept_overdue', 'overdue', 'serious']);
        expect((await escalationEvents(t.app, id)).map((e) => e.data.level).sort()).toEqual(['accept_overdue', 'overdue', 'serious']);
        expect((await staffMail(id)).map((m) => m.template).sort()).toEqual(['accept_overdue', 'overdue', 'serious']);
        expect((await caseRow(t.app, id)).escalationLevel).toBe(3);
      }
      // and both instances delivering at once: each message once
      smtp.received.length = 0;
      await Promise.all([t.app.services.notifications.runOutbox(now), other.app.services.notifications.runOutbox(now)]);
      const mine = smtp.received.filter((m) => codes.has(m.headers['x-pakn-case']) && ESCALATION_TEMPLATES.includes(m.headers['x-pakn-template']));
      expect(mine).toHaveLength(120);
      expect([...smtp.byMessageId().values()].every((n) => n === 1)).toBe(true);
    } finally {
      await other.close();
    }
  });
});
