import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

// bidirectional overrides and invisible characters are stripped from one-line admin fields (docs/intake.md)
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe(`one-line admin fields on ${dbLabel}`, () => {
  it('strip bidi and invisible characters from names, short names, labels and app names', async () => {
    const admin = bearer(t.tokens.admin);
    const a = await t.request().post('/api/v1/admin/agencies').set(admin).send({
      code: 'so_tu_phap_2',
      name: 'Sở Tư\u200B pháp (chi nhánh)',
      shortName: 'STP\u202Egnp\u202C',
      kind: 'department',
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name: 'Sở Tư pháp (chi nhánh)', shortName: 'STPgnp' });

    const u = await t.request().post('/api/v1/admin/users').set(admin).send({ name: 'Lê\u2066 Thị Hoa\u2069', role: 'coordinator' });
    expect(u.status).toBe(201);
    const tok = await t.request().post('/api/v1/admin/tokens').set(admin).send({ userId: u.body.id, label: 'máy\u200F trạm\uFEFF' });
    expect(tok.status).toBe(201);
    const users = (await t.request().get('/api/v1/admin/users').set(admin)).body.items as Array<{ id: number; name: string }>;
    expect(users.find((x) => x.id === u.body.id)?.name).toBe('Lê Thị Hoa');

    const app = await t.request().post('/api/v1/admin/api-clients').set(admin).send({ name: 'Cổng\u202D dịch vụ công\u200D' });
    expect(app.status).toBe(201);
    expect(app.body.name).toBe('Cổng dịch vụ công');
  });
});
