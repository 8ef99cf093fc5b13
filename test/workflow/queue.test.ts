import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { commonShape, type QueueFilter } from '../../src/features/cases/repository.js';
import { at, enterCase, local, ok, reference, type Entered, type Ref } from './helpers.js';

let t: TestApp;
let ref: Ref;
const c: Record<string, Entered> = {};

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 2/3/2026 09:00
  ref = await reference(t);
  const enter = async (name: string, minute: number, fields: Record<string, unknown>) => {
    t.clock.set(at(`2026-03-02 09:${String(minute).padStart(2, '0')}`));
    c[name] = await enterCase(t, fields);
  };
  await enter('c1', 0, { categoryId: ref.categories.xay_dung, title: 'Chậm cấp giấy phép xây dựng', receivedAt: local('2026-02-25 08:00') });
  await enter('c2', 1, {
    categoryId: ref.categories.dat_dai,
    title: 'Vướng mắc về đất đai khi thuê đất khu công nghiệp',
    content: 'Doanh nghiệp chưa được bàn giao mặt bằng dù đã nộp tiền thuê đất.',
    receivedAt: local('2026-02-26 08:00'),
  });
  await enter('c3', 2, { categoryId: ref.categories.khac, title: 'Góp ý thủ tục', content: 'Nhiều thủ tục liên quan ĐẤT ĐAI và thuế còn chồng chéo.', receivedAt: local('2026-02-27 08:00') });
  await enter('c4', 3, {
    kind: 'to_cao',
    categoryId: ref.categories.thai_do_can_bo,
    title: 'Cán bộ sách nhiễu',
    content: 'Cán bộ yêu cầu doanh nghiệp nộp giấy tờ ngoài quy định.',
    receivedAt: local('2026-03-02 08:00'),
  });
  await enter('c5', 4, { kind: 'kien_nghi', priority: 'urgent', categoryId: ref.categories.xay_dung, title: 'Kiến nghị gấp về cấp điện thi công', receivedAt: local('2026-03-02 08:00') });
  t.clock.set(at('2026-03-02 10:00'));
});
afterAll(async () => t?.close());

const list = async (qs: string, role = 'coordinator') => {
  const r = await t.request().get(`/api/v1/cases${qs}`).set(bearer(t.tokens[role]));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { items: Array<{ id: number; resolveDueAt: string; trackingCode: string }>; nextCursor: string | null };
};
const ids = (b: { items: Array<{ id: number }> }) => b.items.map((i) => i.id);
const idsOf = (...names: string[]) => names.map((n) => c[n].id);

describe(`work queues on ${dbLabel}`, () => {
  it('lists compact items: each field as the full case shows it to the same caller, without the content or contact details', async () => {
    for (const role of ['coordinator', 'agency_staff']) {
      const page = (await t.request().get('/api/v1/cases').set(bearer(t.tokens[role]))).body as { items: Array<Record<string, unknown>> };
      expect(page.items.length, role).toBeGreaterThan(0);
      for (const item of page.items) {
        const full = (await t.request().get(`/api/v1/cases/${item.id}`).set(bearer(t.tokens[role]))).body as Record<string, unknown> & {
          submitter: { businessName: string | null } | null;
        };
        const { businessName, ...shared } = item;
        for (const [k, v] of Object.entries(shared)) expect(v, `${role} ${item.trackingCode} ${k}`).toEqual(full[k]);
        expect(businessName, `${role} ${item.trackingCode} businessName`).toEqual(full.submitter?.businessName ?? null);
        for (const k of ['content', 'submitter', 'address', 'publicAnswer', 'lastPublicNote', 'ratingComment', 'reason']) expect(item, k).not.toHaveProperty(k);
      }
    }
  });

  it('sorts by deadline (resolveDueAt, id) by default', async () => {
    const all = await list('');
    expect(ids(all)).toEqual(idsOf('c5', 'c1', 'c2', 'c3', 'c4'));
    expect(all.items.map((i) => i.resolveDueAt)).toEqual([
      '2026-03-03T17:00:00+07:00', // urgent: 1 working day
      '2026-03-11T17:00:00+07:00',
      '2026-03-12T17:00:00+07:00',
      '2026-03-13T17:00:00+07:00',
      '2026-04-10T17:00:00+07:00', // tố cáo, not accepted yet: acceptance deadline 11/3 + 30 days (provisional)
    ]);
    expect(all.nextCursor).toBeNull();
  });

  it('finds words in title and content with Vietnamese accents folded, and a tracking code', async () => {
    expect(ids(await list('?q=dat%20dai'))).toEqual(idsOf('c2', 'c3'));
    expect(ids(await list(`?q=${encodeURIComponent('ĐẤT  đai')}`))).toEqual(idsOf('c2', 'c3'));
    // every word must occur (in any order): "thuế" and "đất" are both in c3 too
    expect(ids(await list(`?q=${encodeURIComponent('thuê đất')}`))).toEqual(idsOf('c2', 'c3'));
    expect(ids(await list(`?q=${encodeURIComponent('mặt bằng')}`))).toEqual(idsOf('c2'));
    expect(ids(await list('?q=cham%20cap'))).toEqual(idsOf('c1'));
    expect(ids(await list('?q=100%25'))).toEqual([]);
    expect(ids(await list(`?q=${c.c4.trackingCode.toLowerCase()}`))).toEqual(idsOf('c4'));
  });

  it('filters by status, agency, kind, category', async () => {
    expect(ids(await list('?status=received'))).toEqual(idsOf('c3'));
    expect(ids(await list('?status=received,assigned'))).toEqual(idsOf('c5', 'c1', 'c2', 'c3', 'c4'));
    expect(ids(await list('?agency=none'))).toEqual(idsOf('c3'));
    expect(ids(await list(`?agency=${ref.agencies.so_xay_dung}`))).toEqual(idsOf('c5', 'c1'));
    expect(ids(await list('?kind=to_cao'))).toEqual(idsOf('c4'));
    expect(ids(await list('?kind=to_cao,kien_nghi'))).toEqual(idsOf('c5', 'c4'));
    expect(ids(await list(`?category=${ref.categories.xay_dung}`))).toEqual(idsOf('c5', 'c1'));
    expect(ids(await list(`?category=${ref.categories.xay_dung}&q=dien`))).toEqual(idsOf('c5'));
    // an agency's staff get their own agency's queue only
    expect(ids(await list('', 'agency_staff'))).toEqual(idsOf('c5', 'c1'));
    expect(ids(await list('', 'agency_staff_nnmt'))).toEqual(idsOf('c2'));
  });

  it('filters by overdue, dueBefore and escalation level', async () => {
    t.clock.set(at('2026-03-04 09:00'));
    expect(ids(await list('?overdue=true'))).toEqual(idsOf('c5'));
    expect(ids(await list('?overdue=false'))).toEqual(idsOf('c1', 'c2', 'c3', 'c4'));
    expect(ids(await list(`?dueBefore=${encodeURIComponent('2026-03-12T00:00:00+07:00')}`))).toEqual(idsOf('c5', 'c1'));
    await t.database.db.execute(sql`update cases set escalation_level = 2 where id = ${c.c2.id}`);
    await t.database.db.execute(sql`update cases set escalation_level = 1 where id = ${c.c5.id}`);
    expect(ids(await list('?escalationLevel=2'))).toEqual(idsOf('c2'));
    expect(ids(await list('?escalationLevel=1'))).toEqual(idsOf('c5', 'c2'));
    // an overdue case answered is no longer overdue
    const v = await ok(t, 'agency_staff', c.c5.id, 'accept', { version: c.c5.version });
    await ok(t, 'agency_staff', c.c5.id, 'resolve', { version: v.version, reason: 'answered', publicText: 'Đã làm việc với Công ty Điện lực.' });
    expect(ids(await list('?overdue=true'))).toEqual([]);
    t.clock.set(at('2026-03-02 10:00'));
  });

  it('pages with an opaque cursor, limit ≤ 100 (default 50)', async () => {
    const seenIds: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seenIds.push(...ids(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seenIds).toEqual(ids(await list('')));
    expect(new Set(seenIds).size).toBe(5);
  });

  it('serves every filter the same whether the query is prepared (no filter) or built (any filter)', async () => {
    // commonShape: any key beyond the agency, the cursor, now and the limit takes the built query
    const base = { now: new Date(), limit: 10 };
    expect(commonShape(base)).toBe(true);
    expect(commonShape({ ...base, onlyAgencyId: 3, after: { dueAt: new Date(), id: 1 }, statuses: [], kinds: [] })).toBe(true);
    const filters: Array<Partial<QueueFilter>> = [
      { statuses: ['assigned'] },
      { agencyId: null },
      { agencyId: 4 },
      { kinds: ['to_cao'] },
      { categoryId: 1 },
      { overdue: false },
      { dueBefore: new Date() },
      { minEscalationLevel: 0 },
      { words: ['dat'] },
      { trackingCode: 'X' },
      // a filter added to QueueFilter later is not dropped by the prepared path
      { someFutureFilter: 1 } as unknown as Partial<QueueFilter>,
    ];
    for (const f of filters) expect(commonShape({ ...base, ...f }), JSON.stringify(f)).toBe(false);
    // the prepared page and the built one (a filter that keeps every case) agree
    const prepared = await list('?limit=3');
    const built = await list('?limit=3&escalationLevel=0');
    expect(built).toEqual(prepared);
    const next = await list(`?limit=3&cursor=${prepared.nextCursor}`);
    const nextBuilt = await list(`?limit=3&escalationLevel=0&cursor=${prepared.nextCursor}`);
    expect(nextBuilt).toEqual(next);
  });

  it('answers bad filters with a 400 naming the parameter', async () => {
    for (const [qs, field] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?cursor=not-a-cursor', 'cursor'],
      [`?cursor=${Buffer.from('["x",1]').toString('base64url')}`, 'cursor'],
      [`?cursor=${Buffer.from('["+275760-09-13T00:00:00.000Z",1]').toString('base64url')}`, 'cursor'],
      [`?cursor=${Buffer.from('["10000-01-01",1]').toString('base64url')}`, 'cursor'],
      [`?status=assigned&cursor=${Buffer.from('["10000-01-01",1]').toString('base64url')}`, 'cursor'],
      ['?status=open', 'status'],
      ['?kind=complaint', 'kind'],
      ['?overdue=yes', 'overdue'],
      ['?dueBefore=tomorrow', 'dueBefore'],
      ['?escalationLevel=-1', 'escalationLevel'],
      ['?agency=abc', 'agency'],
    ] as const) {
      const r = await t.request().get(`/api/v1/cases${qs}`).set(bearer(t.tokens.coordinator));
      expect(r.status, qs).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path.split('.')[0]), qs).toContain(field);
    }
  });
});

describe(`the agency feed on ${dbLabel}`, () => {
  const feed = async (agencyId: number, qs: string, role = 'agency_staff') => {
    const r = await t.request().get(`/api/v1/agencies/${agencyId}/feed${qs}`).set(bearer(t.tokens[role]));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { items: Array<{ id: number; version: number; change: string; updatedAt: string; case: { status: string } | null }>; nextCursor: string | null };
  };

  it('gives new and changed cases since a time, oldest change first, and picks up later changes from its cursor', async () => {
    const xd = ref.agencies.so_xay_dung;
    const first = await feed(xd, `?updatedSince=${encodeURIComponent('2026-03-01T00:00:00+07:00')}`);
    expect(first.items.map((i) => i.id)).toEqual(idsOf('c1', 'c5'));
    expect(first.items.every((i) => i.change === 'current' && i.case !== null)).toBe(true);
    // nothing new: same cursor back
    const idle = await feed(xd, `?cursor=${first.nextCursor}`);
    expect(idle.items).toEqual([]);
    expect(idle.nextCursor).toBe(first.nextCursor);

    t.clock.set(at('2026-03-05 09:00'));
    const v = (await t.request().get(`/api/v1/cases/${c.c1.id}`).set(bearer(t.tokens.agency_staff))).body;
    await ok(t, 'agency_staff', c.c1.id, 'accept', { version: v.version });
    const next = await feed(xd, `?cursor=${first.nextCursor}`);
    expect(next.items.map((i) => [i.id, i.version, i.case?.status])).toEqual([[c.c1.id, v.version + 1, 'in_progress']]);
    expect(next.items[0].updatedAt).toBe('2026-03-05T09:00:00+07:00');

    // the coordinator may read any agency's feed; pages of one
    const paged = await feed(xd, `?updatedSince=${encodeURIComponent('2026-03-01T00:00:00+07:00')}&limit=1`, 'coordinator');
    expect(paged.items).toHaveLength(1);
    const rest = await feed(xd, `?cursor=${paged.nextCursor}&limit=5`, 'coordinator');
    expect([...paged.items, ...rest.items].map((i) => i.id)).toEqual(idsOf('c5', 'c1'));
    t.clock.set(at('2026-03-02 10:00'));
  });

  it('refuses a bad updatedSince or cursor with a 400, and an unknown agency with a 404', async () => {
    const xd = ref.agencies.so_xay_dung;
    const bad = await t.request().get(`/api/v1/agencies/${xd}/feed?updatedSince=hôm-qua`).set(bearer(t.tokens.agency_staff));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('updatedSince');
    const cur = await t.request().get(`/api/v1/agencies/${xd}/feed?cursor=xyz`).set(bearer(t.tokens.agency_staff));
    expect(cur.status).toBe(400);
    expect((await t.request().get('/api/v1/agencies/999999/feed').set(bearer(t.tokens.coordinator))).status).toBe(404);
  });
});
