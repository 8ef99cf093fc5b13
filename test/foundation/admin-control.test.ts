import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAdminToken } from '../../src/main.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const admin = () => bearer(t.tokens.admin);
type Token = { id: number; label: string | null; revokedAt: string | null; prefix: string };

function captureLog() {
  const errors: string[] = [];
  return { errors, log: { error: (m: string) => void errors.push(m) } };
}
async function tokens(): Promise<Token[]> {
  return (await t.request().get('/api/v1/admin/tokens').set(admin())).body.items;
}
async function me(token: string) {
  return t.request().get('/api/v1/agencies').set(bearer(token));
}

describe(`PAKN_ADMIN_TOKEN stays revoked, on ${dbLabel}`, () => {
  const first = 'bootstrap-first-value-0123456789abcdef';
  const second = 'bootstrap-second-value-0123456789abcdef';

  it('a revoked value stays revoked across restarts, with an error naming the variable', async () => {
    const c1 = captureLog();
    expect((await applyAdminToken(t.app.services.auth, first, c1.log)).status).toBe('created');
    expect(c1.errors).toEqual([]);
    expect((await me(first)).status).toBe(200);

    const row = (await tokens()).find((k) => k.label === 'PAKN_ADMIN_TOKEN' && k.prefix === first.slice(0, 10))!;
    expect((await t.request().delete(`/api/v1/admin/tokens/${row.id}`).set(admin())).status).toBe(204);
    expect((await me(first)).status).toBe(401);
    const revokedAt = (await tokens()).find((k) => k.id === row.id)!.revokedAt;
    expect(revokedAt).not.toBeNull();

    // the service restarts with the same environment, twice
    for (let restart = 0; restart < 2; restart++) {
      t.clock.advance(60_000);
      const c = captureLog();
      expect((await applyAdminToken(t.app.services.auth, first, c.log)).status).toBe('revoked');
      expect(c.errors).toHaveLength(1);
      expect(c.errors[0]).toContain('PAKN_ADMIN_TOKEN');
      expect(c.errors[0]).toMatch(/revoked/);
      expect(c.errors[0]).toMatch(/new value/);
      expect(c.errors[0]).not.toContain(first);
      expect((await me(first)).status).toBe(401);
      expect((await tokens()).find((k) => k.id === row.id)!.revokedAt).toBe(revokedAt);
    }
  });

  it('a new value works, and the old one stays off', async () => {
    const c = captureLog();
    expect((await applyAdminToken(t.app.services.auth, second, c.log)).status).toBe('created');
    expect(c.errors).toEqual([]);
    expect((await me(second)).status).toBe(200);
    expect((await me(first)).status).toBe(401);
    expect((await applyAdminToken(t.app.services.auth, second, c.log)).status).toBe('unchanged');
    expect((await me(second)).status).toBe(200);
  });
});

describe(`an admin cannot switch itself or the last admin off, on ${dbLabel}`, () => {
  async function userOf(token: string): Promise<number> {
    const list = (await t.request().get('/api/v1/admin/tokens').set(admin())).body.items as Array<{ userId: number; prefix: string }>;
    return list.find((k) => k.prefix === token.slice(0, 10))!.userId;
  }
  async function newAdmin(name: string, email: string) {
    const u = await t.request().post('/api/v1/admin/users').set(admin()).send({ name, role: 'admin', email });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    const tok = await t.request().post('/api/v1/admin/tokens').set(admin()).send({ userId: u.body.id });
    return { id: u.body.id as number, token: tok.body.token as string };
  }

  it('refuses to deactivate or demote oneself (409 with the reason), and changes nothing', async () => {
    const self = await userOf(t.tokens.admin);
    for (const body of [{ active: false }, { role: 'coordinator' }, { role: 'agency_staff', agencyId: 1 }]) {
      const r = await t.request().patch(`/api/v1/admin/users/${self}`).set(admin()).send(body);
      expect(r.status, JSON.stringify(body)).toBe(409);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body.reason).toBe('self');
      expect(r.body.detail).toMatch(/cannot be .* by itself/);
    }
    expect((await me(t.tokens.admin)).status).toBe(200);
    const row = (await t.request().get('/api/v1/admin/users').set(admin())).body.items.find((u: { id: number }) => u.id === self);
    expect(row).toMatchObject({ role: 'admin', active: true });
    // other fields of oneself may change
    const ok = await t.request().patch(`/api/v1/admin/users/${self}`).set(admin()).send({ email: 'quantri@bacninh.gov.vn' });
    expect(ok.status).toBe(200);
  });

  it('lets an admin switch another admin off while one stays', async () => {
    const other = await newAdmin('Phạm Quản Trị', 'pham.qt@bacninh.gov.vn');
    const r = await t.request().patch(`/api/v1/admin/users/${other.id}`).set(admin()).send({ role: 'inspector' });
    expect(r.status).toBe(200);
    expect((await me(other.token)).status).toBe(200); // inspectors read agencies too
    expect((await t.request().get('/api/v1/admin/users').set(bearer(other.token))).status).toBe(403);
  });

  it('two admins switching each other off at once: exactly one succeeds, one admin remains', async () => {
    // only these two admins are active
    const a = await newAdmin('Lê Văn An', 'an.lv@bacninh.gov.vn');
    const b = await newAdmin('Đỗ Thị Bích', 'bich.dt@bacninh.gov.vn');
    const users = (await t.request().get('/api/v1/admin/users').set(admin())).body.items as Array<{ id: number; role: string; active: boolean }>;
    for (const u of users.filter((x) => x.role === 'admin' && x.active && x.id !== a.id && x.id !== b.id)) {
      expect((await t.request().patch(`/api/v1/admin/users/${u.id}`).set(bearer(a.token)).send({ active: false })).status).toBe(200);
    }
    // the changes themselves race (each actor already authenticated): the lock orders them
    const ref = t.app.services.reference;
    const results = await Promise.allSettled([ref.updateUser(b.id, { active: false }, { userId: a.id }), ref.updateUser(a.id, { active: false }, { userId: b.id })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 409, extra: { reason: 'last_admin' } });
    expect(refused.reason.message).toMatch(/last active admin/);
    const after = await ref.listUsers();
    expect(after.filter((u) => u.role === 'admin' && u.active)).toHaveLength(1);
    const survivor = results[0].status === 'fulfilled' ? a : b;
    expect((await me(survivor.token)).status).toBe(200);

    // through HTTP: the survivor cannot switch itself off either
    const r = await t.request().patch(`/api/v1/admin/users/${survivor.id}`).set(bearer(survivor.token)).send({ active: false });
    expect(r.status).toBe(409);
  });

  it('refuses, outside any request, to switch off the last active admin', async () => {
    const users = await t.app.services.reference.listUsers();
    const last = users.filter((u) => u.role === 'admin' && u.active);
    expect(last).toHaveLength(1);
    await expect(t.app.services.reference.updateUser(last[0].id, { active: false })).rejects.toMatchObject({ status: 409 });
    expect((await t.app.services.reference.listUsers()).find((u) => u.id === last[0].id)!.active).toBe(true);
  });
});
