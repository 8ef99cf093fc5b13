import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { createTestDatabase } from '../helpers/db.js';
import { bearer, createTestApp, registerTestDatabase, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { seedDemo } from '../../src/db/seed.js';
import { FixedClock } from '../../src/lib/clock.js';
import { backoffMs } from '../../src/features/notifications/service.js';
import { enterCase, outboxOf, secondInstance } from '../escalation/helpers.js';
import { startSmtp, type TestSmtp } from './smtp.js';

const MIN = 60_000;
let smtp: TestSmtp;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ config: { SMTP_URL: smtp.url, MAIL_FROM: 'Tổ phản ứng nhanh <pakn@pakn.test>', PAKN_OUTBOX_MAX_ATTEMPTS: '3' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const run = () => t.app.services.notifications.runOutbox(t.clock.now());
const unsent = async () => (await outboxOf(t.app)).filter((m) => m.status !== 'sent');

/** Moves the clock past every backoff and runs the worker until nothing is due (at most n runs). */
async function drain(n = 10) {
  for (let i = 0; i < n; i++) {
    t.clock.advance(6 * 3_600_000);
    const r = await run();
    if (r.claimed === 0 && (await unsent()).length === 0) return;
  }
}

describe(`the outbox and its worker on ${dbLabel}, against a real SMTP server`, () => {
  it('delivers the receipt and the assignment with the right recipients, content and a stable Message-ID', async () => {
    const c = await enterCase(t.app, t.clock.now());
    const rows = await outboxOf(t.app, c.id);
    expect(rows.map((r) => r.template).sort()).toEqual(['assignment', 'receipt']);
    const r = await run();
    expect(r).toMatchObject({ smtp: 'configured', claimed: 2, sent: 2, failed: 0, dead: 0 });
    expect(smtp.received).toHaveLength(2);

    const receipt = smtp.received.find((m) => m.subject.includes('Đã tiếp nhận'))!;
    expect(receipt.envelopeTo).toEqual(['lienhe@cokhikinhbac.example']);
    expect(receipt.to).toContain('lienhe@cokhikinhbac.example');
    expect(receipt.subject).toBe(`[${c.trackingCode}] Đã tiếp nhận phản ánh, kiến nghị của doanh nghiệp`);
    expect(receipt.messageId).toBe(rows.find((x) => x.template === 'receipt')!.message_id);
    expect(receipt.headers['x-pakn-case']).toBe(c.trackingCode);
    expect(receipt.text).toContain(`Mã truy cập: ${c.accessKey}`);
    expect(receipt.text).toContain(`http://pakn.test/tra-cuu?ma=${encodeURIComponent(c.trackingCode)}`);
    expect(receipt.html).toContain('<a href="http://pakn.test/tra-cuu?ma=');
    expect(receipt.envelopeFrom).toBe('pakn@pakn.test');

    const assignment = smtp.received.find((m) => m.subject.includes('Hồ sơ mới'))!;
    expect(assignment.envelopeTo).toEqual(['so.xay.dung@bacninh.example']);
    expect(assignment.text).toContain('Sở Xây dựng');

    const after = await outboxOf(t.app, c.id);
    expect(after.every((m) => m.status === 'sent' && m.sent_at)).toBe(true);
    // a second run sends nothing again
    expect(await run()).toMatchObject({ claimed: 0, sent: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it('loses nothing while the SMTP server is down and delivers everything once when it is back', async () => {
    smtp.received.length = 0;
    await smtp.stop();
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await enterCase(t.app, t.clock.now(), { title: `Hồ sơ khi máy chủ thư ngừng ${i}` }));
    const r1 = await run();
    // the first failures say the server is unreachable: the rest of the batch is put back untouched
    expect(r1.failed).toBeGreaterThanOrEqual(1);
    expect(r1.failed).toBeLessThanOrEqual(3);
    expect(r1.sent).toBe(0);
    expect(r1.failed + r1.released).toBe(r1.claimed);
    expect(r1.released).toBeGreaterThan(0);
    const pending = await outboxOf(t.app);
    expect(pending.filter((m) => m.status === 'pending')).toHaveLength(8);
    expect(pending.filter((m) => m.status === 'sending')).toHaveLength(0);
    // a run a little later still cannot send; nothing is lost or marked dead
    t.clock.advance(2 * MIN);
    await run();
    expect((await outboxOf(t.app)).filter((m) => m.status === 'dead')).toHaveLength(0);

    await smtp.start();
    await drain();
    const all = await outboxOf(t.app);
    expect(all.filter((m) => m.status !== 'sent')).toEqual([]);
    const seen = smtp.byMessageId();
    expect(seen.size).toBe(8);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (const c of made) expect(smtp.received.some((m) => m.headers['x-pakn-case'] === c.trackingCode && m.subject.includes('Đã tiếp nhận'))).toBe(true);
  });

  it('retries after 4xx answers with exponential backoff, then delivers once', async () => {
    smtp.received.length = 0;
    smtp.mode = 'reject';
    const c = await enterCase(t.app, t.clock.now(), { title: 'Hồ sơ khi máy chủ thư từ chối tạm thời' });
    const r1 = await run();
    expect(r1).toMatchObject({ claimed: 2, sent: 0, failed: 2 });
    let rows = await outboxOf(t.app, c.id);
    expect(rows.every((m) => m.status === 'pending')).toBe(true);
    expect(rows[0].next_attempt_at.getTime()).toBe(t.clock.now().getTime() + backoffMs(1));
    const m1 = (await t.database.db.execute(sql`select attempts, last_error from outbox where case_id = ${c.id}`)) as unknown as { rows: Array<{ attempts: number; last_error: string }> };
    // the error names each refused address (admin only): 451 <address>: <reply>
    expect(m1.rows.every((m) => m.attempts === 1 && /^451 \S+@\S+: /.test(m.last_error))).toBe(true);
    // not due before its backoff
    t.clock.advance(backoffMs(1) - 1000);
    expect(await run()).toMatchObject({ claimed: 0 });
    t.clock.advance(1000);
    expect(await run()).toMatchObject({ claimed: 2, failed: 2 });
    rows = await outboxOf(t.app, c.id);
    expect(rows[0].next_attempt_at.getTime()).toBe(t.clock.now().getTime() + backoffMs(2));
    expect(backoffMs(2)).toBe(2 * backoffMs(1));
    smtp.mode = 'accept';
    t.clock.advance(backoffMs(2));
    expect(await run()).toMatchObject({ claimed: 2, sent: 2 });
    expect(smtp.received).toHaveLength(2);
    expect([...smtp.byMessageId().values()]).toEqual([1, 1]);
  });

  it('marks a message dead after PAKN_OUTBOX_MAX_ATTEMPTS; admin lists it and sends it again with the same Message-ID', async () => {
    smtp.received.length = 0;
    smtp.mode = 'reject';
    const c = await enterCase(t.app, t.clock.now(), { title: 'Hồ sơ thư không gửi được', email: null });
    for (let i = 0; i < 3; i++) {
      await run();
      t.clock.advance(backoffMs(3));
    }
    const [row] = await outboxOf(t.app, c.id);
    expect(row.status).toBe('dead');
    smtp.mode = 'accept';
    expect(await run()).toMatchObject({ claimed: 0 });

    const admin = bearer(t.tokens.admin);
    const list = await t.request().get('/api/v1/admin/outbox?status=dead').set(admin);
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: { id: number }) => m.id)).toContain(row.id);
    const item = list.body.items.find((m: { id: number }) => m.id === row.id);
    expect(item).toMatchObject({ status: 'dead', attempts: 3, template: 'assignment', messageId: row.message_id });
    expect(item.nextAttemptAt).toMatch(/\+07:00$/);

    const retried = await t.request().post(`/api/v1/admin/outbox/${row.id}/retry`).set(admin);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    const job = await t.request().post('/api/v1/admin/jobs/outbox/run').set(admin);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ smtp: 'configured', sent: 1 });
    expect(smtp.received.map((m) => m.messageId)).toEqual([row.message_id]);

    // a sent message cannot be retried; an unknown one is 404; bad input is a 400 naming the field
    const again = await t.request().post(`/api/v1/admin/outbox/${row.id}/retry`).set(admin);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, outboxStatus: 'sent' });
    expect((await t.request().post('/api/v1/admin/outbox/999999/retry').set(admin)).status).toBe(404);
    const bad = await t.request().get('/api/v1/admin/outbox?status=lost&limit=0').set(admin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['status', 'limit']));
  });

  it('pages the outbox list with a cursor and keeps it to admin', async () => {
    const admin = bearer(t.tokens.admin);
    const total = (await outboxOf(t.app)).length;
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: { items: Array<{ id: number }>; nextCursor: string | null } } = await t
        .request()
        .get(`/api/v1/admin/outbox?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        .set(admin);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((m) => m.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect((await t.request().get('/api/v1/admin/outbox').set(bearer(t.tokens.coordinator))).status).toBe(403);
    expect((await t.request().post('/api/v1/admin/jobs/outbox/run').set(bearer(t.tokens.agency_lead))).status).toBe(403);
    expect((await t.request().get('/api/v1/admin/outbox')).status).toBe(401);
  });

  it('recovers a crash between claiming and sending: the message goes out once its lease has run out', async () => {
    smtp.received.length = 0;
    const c = await enterCase(t.app, t.clock.now(), { title: 'Hồ sơ khi tiến trình gửi thư dừng đột ngột' });
    // a worker claims the messages and dies before sending them
    const claimed = await t.app.services.notifications.claimDue(t.clock.now());
    expect(claimed.map((m) => m.caseId)).toEqual([c.id, c.id]);
    expect((await outboxOf(t.app, c.id)).every((m) => m.status === 'sending')).toBe(true);
    t.clock.advance(MIN);
    expect(await run()).toMatchObject({ claimed: 0 });
    expect(smtp.received).toHaveLength(0);
    t.clock.advance(5 * MIN);
    expect(await run()).toMatchObject({ claimed: 2, sent: 2 });
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual(claimed.map((m) => m.messageId).sort());
    expect(await run()).toMatchObject({ claimed: 0 });
  });

  it('delivers after a restart what was committed before a crash (no worker ran)', async () => {
    smtp.received.length = 0;
    const c = await enterCase(t.app, t.clock.now(), { title: 'Hồ sơ ghi trước khi máy chủ ứng dụng dừng' });
    // "restart": a new app instance on the same database, the old one gone without sending
    const restarted = await secondInstance(t.database, t.clock, { SMTP_URL: smtp.url, MAIL_FROM: 'pakn@pakn.test' });
    try {
      const r = await restarted.app.services.notifications.runOutbox(t.clock.now());
      expect(r).toMatchObject({ sent: 2 });
      expect(smtp.received.filter((m) => m.headers['x-pakn-case'] === c.trackingCode)).toHaveLength(2);
    } finally {
      await restarted.close();
    }
  });

  it('splits the work between two instances running the worker at once: each message once', async () => {
    smtp.received.length = 0;
    for (let i = 0; i < 30; i++) await enterCase(t.app, t.clock.now(), { title: `Hồ sơ song song ${i}` });
    const other = await secondInstance(t.database, t.clock, { SMTP_URL: smtp.url });
    try {
      const [a, b] = await Promise.all([run(), other.app.services.notifications.runOutbox(t.clock.now())]);
      expect(a.sent + b.sent).toBe(60);
      expect(smtp.received).toHaveLength(60);
      expect([...smtp.byMessageId().values()].every((n) => n === 1)).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe(`the outbox without SMTP_URL on ${dbLabel}`, () => {
  it('keeps messages pending and logs each once, without personal data', async () => {
    const database = await createTestDatabase();
    await seedDemo(database.db);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const clock = new FixedClock('2026-03-02T02:00:00Z');
    const app = await buildApp({ config: testConfig({ PUBLIC_BASE_URL: 'http://pakn.test' }), database, clock, logger: { level: 'info', stream } });
    registerTestDatabase(app, database);
    try {
      const c = await enterCase(app, clock.now());
      const r1 = await app.services.notifications.runOutbox(clock.now());
      expect(r1).toMatchObject({ smtp: 'not_configured', claimed: 0, sent: 0, pending: 2 });
      const logged = lines.filter((l) => l.includes('SMTP_URL is not configured'));
      expect(logged).toHaveLength(2);
      for (const l of logged) {
        const o = JSON.parse(l);
        expect(o).toMatchObject({ caseId: c.id, recipients: 1 });
        expect(['receipt', 'assignment']).toContain(o.template);
        expect(l).not.toMatch(/@|Nguyễn|Cơ khí|0912345678/);
      }
      await app.services.notifications.runOutbox(clock.now());
      expect(lines.filter((l) => l.includes('SMTP_URL is not configured'))).toHaveLength(2);
      const rows = await outboxOf(app, c.id);
      expect(rows.map((m) => m.status)).toEqual(['pending', 'pending']);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
