import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../src/db/schema.js';
import { sha256Hex } from '../../src/lib/crypto.js';
import type { Actor } from '../../src/features/auth/service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
let staff: Actor;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: { PAKN_RATE_LIMIT_PUBLIC: '100000' } });
  ids = await refIds(t);
  staff = (await t.app.services.auth.authenticate(t.tokens.agency_staff))!;
});
afterAll(async () => t?.close());

const HOUR = 3_600_000;

async function file(over: Record<string, unknown> = {}) {
  const r = await t.request().post('/api/v1/public/cases').send(validBody(ids, over));
  expect(r.status).toBe(201);
  const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
  return { code: r.body.trackingCode as string, key: r.body.accessKey as string, id: row.id };
}
const view = (code: string, key?: string) => {
  const req = t.request().get(`/api/v1/public/cases/${encodeURIComponent(code)}`);
  return key === undefined ? req : req.set('X-Access-Key', key);
};
const act = (code: string, key: string, path: string, body: unknown) =>
  t.request().post(`/api/v1/public/cases/${encodeURIComponent(code)}/${path}`).set('X-Access-Key', key).send(body as object);
const version = async (id: number) => (await t.database.db.select({ v: cases.version }).from(cases).where(eq(cases.id, id)))[0].v;
const staffAct = async (id: number, action: Parameters<TestApp['app']['services']['workflow']['act']>[1], input: Record<string, unknown> = {}, who: Actor = staff) =>
  t.app.services.workflow.act(id, action, { kind: 'staff', actor: who }, { version: await version(id), ...input });

describe(`public tracking on ${dbLabel}`, () => {
  it('shows status in plain Vietnamese, agency, deadline and the public timeline — and no personal data', async () => {
    const c = await file();
    await staffAct(c.id, 'accept');
    await staffAct(c.id, 'note', { internalText: 'GHI CHÚ NỘI BỘ: hồ sơ cần xác minh thêm', publicText: 'Sở đang kiểm tra hồ sơ tại bộ phận một cửa.' });
    const r = await view(c.code, c.key);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toMatchObject({
      trackingCode: c.code,
      kind: 'phan_anh',
      kindLabel: 'Phản ánh',
      categoryName: 'Xây dựng',
      localityName: 'Phường Kinh Bắc',
      status: 'in_progress',
      statusLabel: 'Cơ quan đang xử lý',
      agency: { name: 'Sở Xây dựng' },
      receivedAt: '2026-03-02T09:00:00+07:00',
      deadline: { resolveDueAt: '2026-03-16T17:00:00+07:00', state: 'within_deadline', pausedSince: null, extensions: [] },
      lastPublicNote: 'Sở đang kiểm tra hồ sơ tại bộ phận một cửa.',
      allowedActions: ['withdraw'],
    });
    expect(r.body.deadline.resolveDueText).toContain('16/03/2026');
    expect(r.body.timeline.map((e: { action: string }) => e.action)).toEqual(['receive', 'assign', 'accept', 'note']);
    expect(r.body.timeline[2]).toMatchObject({ by: 'Sở Xây dựng', label: 'Nhận xử lý', at: expect.stringMatching(/\+07:00$/) });
    const text = JSON.stringify(r.body);
    for (const secret of ['GHI CHÚ NỘI BỘ', '0912345678', 'an.nguyen@', '0100109106', 'Nguyễn Văn An', 'Cơ khí Kinh Bắc', 'Chuyên viên', '(demo)']) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('answers the same 404 for a wrong key, a missing key, an unknown code and a malformed code', async () => {
    const c = await file();
    const wrongKey = await view(c.code, `${c.key.slice(0, -1)}${c.key.endsWith('A') ? 'B' : 'A'}`);
    const noKey = await view(c.code);
    const [, date, seq] = c.code.split('.');
    const unknown = await view(`PAKN.${date}.${String(Number(seq) + 500).padStart(4, '0')}`, c.key);
    const malformed = await view('PAKN.2026-03-02.1', c.key);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    for (const r of [wrongKey, noKey, unknown, malformed]) {
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(strip(r.body)).toEqual(strip(wrongKey.body));
    }
    // the code is not case-sensitive
    expect((await view(c.code.toLowerCase(), c.key)).status).toBe(200);
  });

  it('issues a readable key (Crockford base32, XXXX-XXXX-XXXX) matched whatever the case, spaces or hyphens', async () => {
    const c = await file();
    expect(c.key).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const compact = c.key.replace(/-/g, '');
    for (const typed of [c.key, c.key.toLowerCase(), compact, ` ${compact.slice(0, 4)} ${compact.slice(4, 8)} ${compact.slice(8)} `, c.key.replace(/0/g, 'O').replace(/1/g, 'l')]) {
      const r = await view(c.code, typed);
      expect(r.status, typed).toBe(200);
    }
    // one character off, one missing, one too many: not found
    const off = compact.slice(0, 11) + (compact[11] === 'Z' ? 'Y' : 'Z');
    for (const typed of [off, compact.slice(0, 11), `${compact}A`]) expect((await view(c.code, typed)).status, typed).toBe(404);
    // the key is stored hashed, never in clear
    const [row] = await t.database.db.select().from(cases).where(eq(cases.id, c.id));
    expect(JSON.stringify(row)).not.toContain(compact);
  });

  it('keeps keys issued before (16 case-sensitive base64url characters) working, exactly as typed', async () => {
    const c = await file();
    const oldKey = '0_C_jptSNGuX0OCq';
    await t.database.db.update(cases).set({ accessKeyHash: sha256Hex(oldKey) }).where(eq(cases.id, c.id));
    expect((await view(c.code, oldKey)).status).toBe(200);
    expect((await view(c.code, ` ${oldKey} `)).status).toBe(200);
    expect((await view(c.code, oldKey.toLowerCase())).status).toBe(404);
    expect((await view(c.code, c.key)).status).toBe(404);
  });

  it('hides the reporter of a confidential report like any other', async () => {
    const c = await file({ kind: 'to_cao', categoryId: ids.cat.thai_do_can_bo, contactName: 'Trần Thị Bích' });
    const r = await view(c.code, c.key);
    expect(r.status).toBe(200);
    expect(r.body.agency.name).toBe('Thanh tra tỉnh');
    expect(JSON.stringify(r.body)).not.toContain('Trần Thị Bích');
  });
});

describe(`business actions on ${dbLabel}`, () => {
  it('replies to an information request: the paused clock runs again', async () => {
    const c = await file();
    await staffAct(c.id, 'accept');
    await staffAct(c.id, 'request_info', { publicText: 'Đề nghị doanh nghiệp bổ sung bản vẽ mặt bằng tổng thể.' });
    const paused = await view(c.code, c.key);
    expect(paused.body.status).toBe('awaiting_business');
    expect(paused.body.deadline.state).toBe('paused');
    expect(paused.body.deadline.pausedSince).toMatch(/\+07:00$/);
    expect(paused.body.lastPublicNote).toContain('bản vẽ mặt bằng');
    expect(paused.body.allowedActions).toEqual(['reply', 'withdraw']);

    t.clock.advance(24 * HOUR); // one working day waiting for the business
    const bad = await act(c.code, c.key, 'reply', { text: 'ok' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('text');
    const r = await act(c.code, c.key, 'reply', { text: 'Chúng tôi đã gửi bổ sung bản vẽ mặt bằng qua bưu điện ngày 3/3.' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('in_progress');
    expect(r.body.deadline.state).toBe('within_deadline');
    // one working day of pause moves the deadline one working day later
    expect(r.body.deadline.resolveDueAt).toBe('2026-03-17T17:00:00+07:00');
    expect(r.body.timeline.at(-1)).toMatchObject({ action: 'reply', by: 'Doanh nghiệp' });
    // the business's words are kept for staff and shown back to the business as its own (ownText),
    // never as the timeline's public text
    const last = r.body.timeline.at(-1);
    expect(last.text).not.toContain('qua bưu điện');
    expect(last.ownText).toBe('Chúng tôi đã gửi bổ sung bản vẽ mặt bằng qua bưu điện ngày 3/3.');
  });

  it('rates the answer once (1–5 with a comment), disputes within 7 days (reopens), not after', async () => {
    const c = await file();
    await staffAct(c.id, 'accept');
    await staffAct(c.id, 'resolve', { reason: 'answered', publicText: 'Sở Xây dựng đã cấp giấy phép xây dựng ngày 4/3/2026.' });
    const resolved = await view(c.code, c.key);
    expect(resolved.body).toMatchObject({ status: 'resolved', publicAnswer: 'Sở Xây dựng đã cấp giấy phép xây dựng ngày 4/3/2026.', deadline: { state: 'done' } });
    expect(resolved.body.disputeUntil).toMatch(/\+07:00$/);
    expect(resolved.body.allowedActions).toEqual(['rate', 'dispute']);

    for (const bad of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '5' }, {}, { rating: 5, comment: 'x'.repeat(2001) }, { rating: 5, extra: 1 }]) {
      const r = await act(c.code, c.key, 'rating', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    const rated = await act(c.code, c.key, 'rating', { rating: 4, comment: 'Giải quyết nhanh, cán bộ nhiệt tình.' });
    expect(rated.status).toBe(200);
    expect(rated.body.rating).toMatchObject({ rating: 4, comment: 'Giải quyết nhanh, cán bộ nhiệt tình.' });
    expect(rated.body.allowedActions).toEqual(['dispute']);
    const again = await act(c.code, c.key, 'rating', { rating: 5 });
    expect(again.status).toBe(409);

    t.clock.advance(3 * 24 * HOUR);
    const shortReason = await act(c.code, c.key, 'dispute', { reason: 'Chưa' });
    expect(shortReason.status).toBe(400);
    const disputed = await act(c.code, c.key, 'dispute', { reason: 'Giấy phép cấp sai diện tích, đề nghị xem xét lại.' });
    expect(disputed.status).toBe(200);
    expect(disputed.body.status).toBe('in_progress');

    // answered again; eight days later the window is closed
    await staffAct(c.id, 'resolve', { reason: 'fixed', publicText: 'Đã điều chỉnh giấy phép theo đúng diện tích.' });
    t.clock.advance(8 * 24 * HOUR);
    const late = await act(c.code, c.key, 'dispute', { reason: 'Vẫn chưa đồng ý với kết quả giải quyết.' });
    expect(late.status).toBe(409);
    expect((await view(c.code, c.key)).body.allowedActions).not.toContain('dispute');
  });

  it('withdraws an open case; a wrong key changes nothing', async () => {
    const c = await file();
    const before = await version(c.id);
    const wrong = await act(c.code, 'not-the-key', 'withdraw', { reason: 'Đã tự giải quyết được' });
    expect(wrong.status).toBe(404);
    expect(await version(c.id)).toBe(before);
    const r = await act(c.code, c.key, 'withdraw', { reason: 'Doanh nghiệp đã tự giải quyết được.' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'withdrawn', statusLabel: 'Doanh nghiệp đã rút', allowedActions: [] });
    const twice = await act(c.code, c.key, 'withdraw', {});
    expect(twice.status).toBe(409);
    expect(twice.body.currentStatus).toBe('withdrawn');
  });

  it('refuses actions the state does not allow (409) and replies without a request (409)', async () => {
    const c = await file();
    expect((await act(c.code, c.key, 'reply', { text: 'Bổ sung thông tin khi chưa được yêu cầu.' })).status).toBe(409);
    expect((await act(c.code, c.key, 'rating', { rating: 5 })).status).toBe(409);
    expect((await act(c.code, c.key, 'dispute', { reason: 'Không đồng ý với kết quả giải quyết.' })).status).toBe(409);
  });

  it('shows an approved extension with its reason', async () => {
    const c = await file();
    await staffAct(c.id, 'accept');
    const lead = (await t.app.services.auth.authenticate(t.tokens.agency_lead))!;
    await staffAct(c.id, 'extend', { amount: 5, unit: 'working_days', reason: 'Cần lấy ý kiến Sở Tài chính về đơn giá.' }, lead);
    const r = await view(c.code, c.key);
    expect(r.body.deadline.extensions).toHaveLength(1);
    expect(r.body.deadline.extensions[0]).toMatchObject({ description: '5 ngày làm việc', reason: 'Cần lấy ý kiến Sở Tài chính về đơn giá.' });
  });
});
