import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const admin = () => bearer(t.tokens.admin);
type Row = Record<string, unknown> & { id: number };

async function create(path: string, body: Record<string, unknown>): Promise<Row> {
  const r = await t.request().post(path).set(admin()).send(body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
async function readBack(listPath: string, id: number): Promise<Row> {
  const r = await t.request().get(listPath).set(admin());
  expect(r.status).toBe(200);
  const row = (r.body.items as Row[]).find((x) => x.id === id);
  expect(row).toBeDefined();
  return row!;
}
async function agencyId(code: string): Promise<number> {
  const r = await t.request().get('/api/v1/admin/agencies').set(admin());
  return (r.body.items as Row[]).find((a) => a.code === code)!.id;
}

/**
 * One entry per PATCH route: a record whose every field differs from its create default, one field
 * to change, and where to read the record back. The last test checks that every PATCH route of the
 * API is in this table.
 */
interface Case {
  route: string;
  list: string;
  make: () => Promise<Row>;
  change: Record<string, unknown>;
}
const CASES: Case[] = [
  {
    route: '/api/v1/admin/agencies/{id}',
    list: '/api/v1/admin/agencies',
    make: async () =>
      create('/api/v1/admin/agencies', {
        code: 'phong_kt_tu_son',
        name: 'Phòng Kinh tế phường Từ Sơn',
        shortName: 'Phòng KT Từ Sơn',
        kind: 'commune',
        parentId: await agencyId('so_xay_dung'),
        contactEmails: ['kinhte@tuson.bacninh.gov.vn', 'vanthu@tuson.bacninh.gov.vn'],
        leadEmail: 'truongphong@tuson.bacninh.gov.vn',
        activeFrom: '2025-07-01',
        activeTo: '2030-12-31',
      }),
    change: { shortName: 'P. Kinh tế Từ Sơn' },
  },
  {
    route: '/api/v1/admin/categories/{id}',
    list: '/api/v1/admin/categories',
    make: async () => {
      const c = await create('/api/v1/admin/categories', {
        code: 'dien_luc',
        name: 'Điện lực',
        description: 'Cấp điện, đấu nối cho doanh nghiệp',
        attributes: [{ code: 'ma_khach_hang', datatype: 'string', required: true, description: 'Mã khách hàng điện', order: 1 }],
      });
      // switched off: the patch below must not switch it back on
      const off = await t.request().patch(`/api/v1/admin/categories/${c.id}`).set(admin()).send({ active: false });
      expect(off.status).toBe(200);
      return off.body;
    },
    change: { name: 'Điện lực và năng lượng' },
  },
  {
    route: '/api/v1/admin/localities/{id}',
    list: '/api/v1/admin/localities',
    make: () => create('/api/v1/admin/localities', { code: 'xa_tam_da', name: 'Xã Tam Đa', kind: 'xa', active: false }),
    change: { name: 'Xã Tam Đa (sáp nhập)' },
  },
  {
    route: '/api/v1/admin/users/{id}',
    list: '/api/v1/admin/users',
    make: async () =>
      create('/api/v1/admin/users', {
        name: 'Nguyễn Thị Lan',
        email: 'lan.nt@xaydung.bacninh.gov.vn',
        role: 'agency_lead',
        agencyId: await agencyId('so_xay_dung'),
        active: false,
      }),
    change: { email: 'lan.nguyen@xaydung.bacninh.gov.vn' },
  },
  {
    route: '/api/v1/admin/routing-rules/{id}',
    list: '/api/v1/admin/routing-rules',
    make: async () => {
      const cats = (await t.request().get('/api/v1/admin/categories').set(admin())).body.items as Row[];
      const locs = (await t.request().get('/api/v1/admin/localities').set(admin())).body.items as Row[];
      return create('/api/v1/admin/routing-rules', {
        position: 777,
        kind: 'kien_nghi',
        categoryId: cats[0].id,
        localityId: locs[0].id,
        agencyId: await agencyId('so_xay_dung'),
        active: false,
        note: 'Tạm tắt chờ quyết định phân cấp',
      });
    },
    change: { note: 'Tạm tắt chờ Quyết định 15/QĐ-UBND' },
  },
  {
    route: '/api/v1/admin/webhooks/{id}',
    list: '/api/v1/admin/webhooks',
    make: async () => {
      const w = await create('/api/v1/admin/webhooks', {
        agencyId: await agencyId('so_xay_dung'),
        url: 'https://198.51.100.20/pakn/webhook',
        events: ['case.assigned', 'case.left_agency'],
        description: 'Hệ thống một cửa Sở Xây dựng',
      });
      // switched off: the patch below must not switch it back on
      const off = await t.request().patch(`/api/v1/admin/webhooks/${w.id}`).set(admin()).send({ active: false });
      expect(off.status).toBe(200);
      return off.body;
    },
    change: { description: 'Hệ thống quản lý văn bản Sở Xây dựng' },
  },
];

describe(`a PATCH changes only the fields it names, on ${dbLabel}`, () => {
  for (const c of CASES) {
    it(`PATCH ${c.route}`, async () => {
      const made = await c.make();
      const before = await readBack(c.list, made.id);
      const path = c.route.replace('{id}', String(made.id));

      const r = await t.request().patch(path).set(admin()).send(c.change);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject(c.change);
      const after = await readBack(c.list, made.id);
      expect(after).toEqual({ ...before, ...c.change });

      // an empty patch changes nothing
      const empty = await t.request().patch(path).set(admin()).send({});
      expect(empty.status).toBe(200);
      expect(await readBack(c.list, made.id)).toEqual(after);

      // a misspelt field is a 400 naming it, not a silent no-op, and changes nothing
      const typo = await t.request().patch(path).set(admin()).send({ activ: true, ...c.change });
      expect(typo.status).toBe(400);
      expect(typo.body.errors).toEqual([{ path: 'activ', in: 'body', message: 'unknown field' }]);
      expect(await readBack(c.list, made.id)).toEqual(after);
    });
  }

  it('keeps a deactivated user and its tokens off when its e-mail is edited', async () => {
    const u = await create('/api/v1/admin/users', { name: 'Trần Văn Bình', email: 'binh.tv@bacninh.gov.vn', role: 'coordinator' });
    const tok = await t.request().post('/api/v1/admin/tokens').set(admin()).send({ userId: u.id, label: 'máy trạm' });
    expect(tok.status).toBe(201);
    expect((await t.request().get('/api/v1/agencies').set(bearer(tok.body.token))).status).toBe(200);
    expect((await t.request().patch(`/api/v1/admin/users/${u.id}`).set(admin()).send({ active: false })).status).toBe(200);
    expect((await t.request().get('/api/v1/agencies').set(bearer(tok.body.token))).status).toBe(401);

    const r = await t.request().patch(`/api/v1/admin/users/${u.id}`).set(admin()).send({ email: 'binh.tran@bacninh.gov.vn' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ email: 'binh.tran@bacninh.gov.vn', active: false, role: 'coordinator' });
    expect((await t.request().get('/api/v1/agencies').set(bearer(tok.body.token))).status).toBe(401);
  });

  it('checks agency dates against the stored ones when only one of them is patched', async () => {
    const a = await create('/api/v1/admin/agencies', { code: 'ban_ql_kcn', name: 'Ban Quản lý các KCN', kind: 'board', activeFrom: '2026-01-01' });
    const r = await t.request().patch(`/api/v1/admin/agencies/${a.id}`).set(admin()).send({ activeTo: '2025-12-31' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('activeTo');
    expect((await readBack('/api/v1/admin/agencies', a.id)).activeTo).toBeNull();
  });

  it('covers every PATCH route of the API', async () => {
    const doc = (await t.request().get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const patchRoutes = Object.entries(doc.paths)
      .filter(([, ops]) => 'patch' in ops)
      .map(([p]) => p)
      .sort();
    // the settings (one row, no id) are tested the same way in test/settings/settings.test.ts
    const elsewhere = ['/api/v1/admin/settings'];
    expect(patchRoutes).toEqual([...CASES.map((c) => c.route), ...elsewhere].sort());
  });
});
