import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { refIds } from './fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 2/3/2026 09:00 in Hà Nội
});
afterAll(async () => t?.close());

const deadline = (q: Record<string, string | number>) => t.request().get('/api/v1/public/deadline').query(q);

/**
 * Received Thursday 12/2/2026 10:00 (Tết closes 14–22/2), counted by hand:
 * 4 working hours → 10:00–11:30 + 13:30–16:00; 8 working hours → 5 h on Thursday + 3 h Friday 13/2 from 07:30;
 * working days: Fri 13/2 = 1, 23–27/2 = 2–6, 2–6/3 = 7–11, 9–13/3 = 12–16, 16–19/3 = 17–20;
 * khiếu nại and tố cáo count from acceptance (thụ lý): without acceptedAt the answer is the provisional
 * latest deadline, the period counted from the acceptance deadline's day — khiếu nại: 5/3 + 30 days =
 * Saturday 4/4 → Monday 6/4, + 45 days = Sunday 19/4 → Monday 20/4; tố cáo: 2/3 + 30 days = Wednesday 1/4.
 */
const TABLE: Array<[string, string, string, string]> = [
  ['phan_anh', 'urgent', '2026-02-12T16:00:00+07:00', '2026-02-13T17:00:00+07:00'],
  ['phan_anh', 'normal', '2026-02-13T10:30:00+07:00', '2026-03-05T17:00:00+07:00'],
  ['phan_anh', 'complex', '2026-02-13T10:30:00+07:00', '2026-03-19T17:00:00+07:00'],
  ['kien_nghi', 'urgent', '2026-02-12T16:00:00+07:00', '2026-02-13T17:00:00+07:00'],
  ['kien_nghi', 'normal', '2026-02-13T10:30:00+07:00', '2026-03-05T17:00:00+07:00'],
  ['kien_nghi', 'complex', '2026-02-13T10:30:00+07:00', '2026-03-19T17:00:00+07:00'],
  ['khieu_nai', 'urgent', '2026-03-05T17:00:00+07:00', '2026-04-06T17:00:00+07:00'],
  ['khieu_nai', 'normal', '2026-03-05T17:00:00+07:00', '2026-04-06T17:00:00+07:00'],
  ['khieu_nai', 'complex', '2026-03-05T17:00:00+07:00', '2026-04-20T17:00:00+07:00'],
  ['to_cao', 'urgent', '2026-03-02T17:00:00+07:00', '2026-04-01T17:00:00+07:00'],
  ['to_cao', 'normal', '2026-03-02T17:00:00+07:00', '2026-04-01T17:00:00+07:00'],
  ['to_cao', 'complex', '2026-03-02T17:00:00+07:00', '2026-04-01T17:00:00+07:00'],
];

describe(`GET /api/v1/public/deadline on ${dbLabel}`, () => {
  it.each(TABLE)('%s × %s received Thu 12/2/2026 10:00: accept by %s, resolve by %s', async (kind, priority, accept, resolve) => {
    const r = await deadline({ receivedAt: '2026-02-12T10:00:00+07:00', kind, priority });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      kind,
      priority,
      receivedAt: '2026-02-12T10:00:00+07:00',
      effectiveStart: '2026-02-12T10:00:00+07:00',
      acceptDueAt: accept,
      resolveDueAt: resolve,
      policy: { version: 1, categorySpecific: false },
    });
    expect(r.body.explanation.at(-1)).toMatchObject({ kind: 'result', at: resolve });
    expect(r.body.text).toContain('tiếp nhận lúc 10:00 thứ Năm 12/02/2026');
    const provisional = kind === 'khieu_nai' || kind === 'to_cao';
    expect(r.body.resolveDueProvisional).toBe(provisional);
    expect(r.body.text).toContain(provisional ? 'Hạn giải quyết tạm tính (muộn nhất, chưa thụ lý): 17:00' : `Hạn giải quyết: 17:00`);
    expect(r.body.text).not.toMatch(/undefined|NaN|null/);
  });

  it('SPEC example 1: received Thu 12/2/2026 10:00, 10 working days → 17:00 Thu 5/3/2026, Tết skipped and said so', async () => {
    const r = await deadline({ receivedAt: '2026-02-12T10:00:00+07:00', kind: 'phan_anh', priority: 'normal' });
    expect(r.body.resolveDueAt).toBe('2026-03-05T17:00:00+07:00');
    const skipped = r.body.explanation.filter((s: { kind: string }) => s.kind === 'skip').map((s: { at: string }) => s.at);
    for (let d = 14; d <= 22; d++) expect(skipped).toContain(`2026-02-${d}`);
    expect(skipped).toContain('2026-02-28'); // a Saturday
    expect(r.body.text).toContain('10 ngày làm việc');
    expect(r.body.text).toContain('14/02/2026–22/02/2026 (Nghỉ Tết Nguyên đán Bính Ngọ)');
    expect(r.body.text).toContain('17:00 thứ Năm 05/03/2026');
    expect(r.body.text).toContain('Được gia hạn tối đa 1 lần');
    expect(r.body.calendar.years).toEqual([{ year: 2026, generated: false }]);
  });

  it('SPEC example 2: received Fri 25/4/2025 16:00 → 17:00 Tue 13/5/2025 (Saturday 26/4 worked, 30/4–4/5 off)', async () => {
    const r = await deadline({ receivedAt: '2025-04-25T16:00:00+07:00', kind: 'kien_nghi', priority: 'normal' });
    expect(r.status).toBe(200);
    expect(r.body.resolveDueAt).toBe('2025-05-13T17:00:00+07:00');
    expect(r.body.text).toContain('Có tính ngày làm bù 26/04/2025');
    expect(r.body.text).toContain('30/04/2025–04/05/2025');
    expect(r.body.text).toContain('17:00 thứ Ba 13/05/2025');
  });

  it('counts a case received on a holiday from the next opening, and says why', async () => {
    const r = await deadline({ receivedAt: '2026-02-14T09:00:00+07:00', kind: 'phan_anh', priority: 'normal' });
    expect(r.body.effectiveStart).toBe('2026-02-23T07:30:00+07:00');
    expect(r.body.resolveDueAt).toBe('2026-03-09T17:00:00+07:00');
    expect(r.body.explanation[0].text).toContain('ngày nghỉ lễ');
    expect(r.body.text).toContain('ngoài giờ làm việc nên được tính là tiếp nhận lúc 07:30 thứ Hai 23/02/2026');
  });

  it('explains a calendar-day deadline moved off a weekend', async () => {
    // accepted at once: 30 days from the day after 12/2
    const r = await deadline({ receivedAt: '2026-02-12T10:00:00+07:00', acceptedAt: '2026-02-12T10:00:00+07:00', kind: 'khieu_nai', priority: 'normal' });
    expect(r.body.resolveDueAt).toBe('2026-03-16T17:00:00+07:00');
    expect(r.body.text).toContain('30 ngày');
    expect(r.body.text).toContain('Ngày thứ 30 là thứ Bảy 14/03/2026');
    expect(r.body.text).toContain('Không được gia hạn');
  });

  it('defaults to now and to normal priority, accepts Hà Nội time without an offset and a "+" sent as a space', async () => {
    const now = await deadline({ kind: 'phan_anh' });
    expect(now.status).toBe(200);
    expect(now.body.receivedAt).toBe('2026-03-02T09:00:00+07:00');
    expect(now.body.priority).toBe('normal');
    expect(now.body.resolveDueAt).toBe('2026-03-16T17:00:00+07:00');
    const local = await deadline({ receivedAt: '2026-02-12T10:00', kind: 'phan_anh' });
    expect(local.body.resolveDueAt).toBe('2026-03-05T17:00:00+07:00');
    const utc = await deadline({ receivedAt: '2026-02-12T03:00:00Z', kind: 'phan_anh' });
    expect(utc.body.receivedAt).toBe('2026-02-12T10:00:00+07:00');
    const space = await t.request().get('/api/v1/public/deadline?kind=phan_anh&receivedAt=2026-02-12T10:00:00+07:00');
    expect(space.status).toBe(200);
    expect(space.body.receivedAt).toBe('2026-02-12T10:00:00+07:00');
  });

  it('warns when a year has no official schedule yet', async () => {
    const r = await deadline({ receivedAt: '2027-12-24T10:00:00+07:00', kind: 'phan_anh', priority: 'complex' });
    expect(r.status).toBe(200);
    expect(r.body.calendar.years).toEqual([
      { year: 2027, generated: true },
      { year: 2028, generated: true },
    ]);
    expect(r.body.text).toContain('Lịch nghỉ năm 2027, 2028 chưa được cập nhật');
  });

  it('uses a category-specific policy when one exists, and checks the category', async () => {
    const ids = await refIds(t);
    const r = await deadline({ receivedAt: '2026-02-12T10:00:00+07:00', kind: 'phan_anh', categoryId: ids.category.pccc });
    expect(r.status).toBe(200);
    expect(r.body.categoryId).toBe(ids.category.pccc);
    expect(r.body.policy.categorySpecific).toBe(false);
    const bad = await deadline({ kind: 'phan_anh', categoryId: 999999 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('categoryId');
  });

  it.each([
    [{ kind: 'phan_anh', receivedAt: 'hôm qua' }, 'receivedAt'],
    [{ kind: 'phan_anh', receivedAt: '2026-02-12' }, 'receivedAt'],
    [{ kind: 'phan_anh', receivedAt: '2026-13-12T10:00:00+07:00' }, 'receivedAt'],
    [{ kind: 'phan_anh', receivedAt: '1890-02-12T10:00:00+07:00' }, 'receivedAt'],
    [{ kind: 'ca_nhan' }, 'kind'],
    [{}, 'kind'],
    [{ kind: 'to_cao', priority: 'rat_gap' }, 'priority'],
    [{ kind: 'to_cao', categoryId: 'abc' }, 'categoryId'],
  ])('answers %j with 400 naming %s', async (q, field) => {
    const r = await deadline(q as Record<string, string>);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  });
});
