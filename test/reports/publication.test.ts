/**
 * Publication: who may publish, which periods, revisions (also concurrent ones), the scheduled
 * job, the public list and errors, an empty month, and the method text kept in docs/reports.md.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_TEXT } from '../../src/features/reports/method.js';
import { reportSchema } from '../../src/features/reports/schemas.js';
import { scheduledJobs } from '../../src/scheduler.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countOutbox, force, idsByCode, receive, vn } from './helpers.js';

let t: TestApp;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-20T02:00:00Z', config: { PAKN_REPORT_CRON: '30 6 1 * *' } });
  const { category } = await idsByCode(t);
  const c = await receive(t, { at: '2026-01-12 09:00', category: category.xay_dung });
  await force(t, c.id, '2026-01-14 09:00', 'resolve', 'resolved', { status: 'resolved', resolvedAt: vn('2026-01-14 09:00'), outcome: 'early', resolvedWithExtension: false, reason: 'answered', publicAnswer: 'Đã trả lời.' });
});
afterAll(async () => t?.close());

const publish = (period: string, role = 'admin') => t.request().post(`/api/v1/admin/reports/${period}/publish`).set(bearer(t.tokens[role]));

describe(`publication on ${dbLabel}`, () => {
  it('lets only admin publish, and only periods that are over', async () => {
    expect((await t.request().post('/api/v1/admin/reports/2026-02/publish')).status).toBe(401);
    expect((await publish('2026-02', 'coordinator')).status).toBe(403);
    expect((await publish('2026-02', 'inspector')).status).toBe(403);
    const early = await publish('2026-03');
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('2026-03-31');
    for (const bad of ['2026-13', 'march', '2026-Q5', '1999-12', '2026-1']) {
      const r = await publish(bad);
      expect(r.status, bad).toBe(400);
      expect(r.body.errors[0].path).toBe('period');
    }
    expect(await countOutbox(t, 'report_published')).toBe(0);
  });

  it('publishes a month, a quarter not yet over is refused, and an empty month has zero figures and no rates', async () => {
    const r = await publish('2026-02');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ period: '2026-02', revision: 1, links: { json: '/api/v1/public/reports/2026-02?revision=1' } });
    expect((await publish('2026-Q1')).status).toBe(409);
    const json = await t.request().get('/api/v1/public/reports/2026-02');
    const rep = reportSchema.parse(JSON.parse(json.text));
    expect(rep.totals.received.total).toBe(0);
    expect(rep.totals.resolved.total).toBe(0);
    expect(rep.totals.onTimeRate).toEqual({ numerator: 0, denominator: 0, value: null });
    expect(rep.totals.workingDaysToResolve).toEqual({ count: 0, median: null, p90: null });
    expect(rep.agencies).toEqual([]);
    const html = await t.request().get('/bao-cao/2026-02');
    expect(html.status).toBe(200);
    expect(html.text).toContain('Chưa có hồ sơ nào được giải quyết trong kỳ');
    expect(html.text).toContain('Mức độ hài lòng: chưa có đánh giá nào trong kỳ.');
  });

  it('publishes longer periods with the same method once they are over', async () => {
    t.clock.set(vn('2026-07-01 08:00'));
    const q = await publish('2026-Q1');
    expect(q.status).toBe(201);
    const h1 = await publish('2026-H1');
    expect(h1.status).toBe(201);
    const rq = JSON.parse((await t.request().get('/api/v1/public/reports/2026-Q1')).text);
    expect(rq).toMatchObject({ period: '2026-Q1', periodKind: 'quarter', label: 'quý I/2026', from: '2026-01-01', to: '2026-03-31' });
    expect(rq.totals.resolved.total).toBe(1);
    const rh = JSON.parse((await t.request().get('/api/v1/public/reports/2026-H1')).text);
    expect(rh).toMatchObject({ periodKind: 'half', label: '6 tháng đầu năm 2026', to: '2026-06-30' });
    expect((await publish('2026')).status).toBe(409);
  });

  it('gives concurrent publications of one period distinct revisions', async () => {
    const rs = await Promise.all([publish('2026-01'), publish('2026-01'), publish('2026-01')]);
    expect(rs.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(rs.map((r) => r.body.revision).sort()).toEqual([1, 2, 3]);
    for (const rev of [1, 2, 3]) {
      const r = await t.request().get(`/api/v1/public/reports/2026-01?revision=${rev}`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text).revision).toBe(rev);
      expect(sha256(r.text)).toBe(r.headers['x-content-sha256']);
    }
    expect(await countOutbox(t, 'report_published')).toBe(6);
  });

  it('lists published periods with their revisions, paged', async () => {
    const all = await t.request().get('/api/v1/public/reports');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { period: string }) => i.period)).toEqual(['2026-H1', '2026-Q1', '2026-02', '2026-01']);
    expect(all.body.items.find((i: { period: string }) => i.period === '2026-01').revisions.map((r: { revision: number }) => r.revision)).toEqual([1, 2, 3]);
    const p1 = await t.request().get('/api/v1/public/reports?limit=2');
    expect(p1.body.items).toHaveLength(2);
    const p2 = await t.request().get(`/api/v1/public/reports?limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items.map((i: { period: string }) => i.period)).toEqual(['2026-02', '2026-01']);
    expect(p2.body.nextCursor).toBeNull();
    expect(JSON.stringify(all.body)).not.toContain('@');
  });

  it('answers unknown periods and revisions with 404, bad ones with 400, and a repeated read with 304', async () => {
    const none = await t.request().get('/api/v1/public/reports/2025-12');
    expect(none.status).toBe(404);
    expect(none.headers['content-type']).toMatch(/problem\+json/);
    expect((await t.request().get('/api/v1/public/reports/2026-01?revision=9')).status).toBe(404);
    const bad = await t.request().get('/api/v1/public/reports/2026-01?revision=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('revision');
    expect((await t.request().get('/api/v1/public/reports/2026-99')).status).toBe(400);
    const first = await t.request().get('/api/v1/public/reports/2026-01');
    const again = await t.request().get('/api/v1/public/reports/2026-01').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
    expect((await t.request().get('/bao-cao/2025-12')).status).toBe(404);
    expect((await t.request().get('/bao-cao/2026-01?revision=9')).status).toBe(404);
    const badPage = await t.request().get('/bao-cao/thang-ba');
    expect(badPage.status).toBe(400);
    expect(badPage.headers['content-type']).toMatch(/text\/html/);
    expect((await t.request().get('/bao-cao/2026-01?revision=abc')).status).toBe(400);
  });

  it('publishes the previous month from the scheduled job, on the configured schedule, once', async () => {
    const job = scheduledJobs(t.app.services).find((j) => j.name === 'report-publish');
    expect(job?.schedule).toBe('30 6 1 * *');
    t.clock.set(vn('2026-07-01 06:30'));
    expect(await job!.run()).toEqual({ period: '2026-06', published: true, revision: 1 });
    expect(await job!.run()).toEqual({ period: '2026-06', published: false, revision: 1 });
    t.clock.set(vn('2027-01-01 06:30'));
    expect(await job!.run()).toMatchObject({ period: '2026-12', published: true });
  });

  it('lets staff preview a period without publishing it', async () => {
    const r = await t.request().get('/api/v1/reports/2026-01/preview').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ period: '2026-01', revision: 0 });
    expect(r.body.totals.resolved.total).toBe(1);
    expect((await t.request().get('/api/v1/reports/2026-01/preview').set(bearer(t.tokens.agency_staff))).status).toBe(403);
  });

  it('keeps the published method in docs/reports.md word for word', () => {
    const doc = readFileSync(new URL('../../docs/reports.md', import.meta.url), 'utf8');
    expect(doc).toContain(METHOD_TEXT);
  });
});
