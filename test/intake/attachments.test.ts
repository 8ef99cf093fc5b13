import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, cases } from '../../src/db/schema.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, EXE, HTML, PDF_MIN, PNG_1PX, refIds, SVG, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '100000' } });
  ids = await refIds(t);
});
afterAll(async () => t?.close());

type File = { name: string; data: Buffer; type?: string };

function multipart(fields: Record<string, unknown>, files: File[], url = '/api/v1/public/cases', token?: string): supertest.Test {
  let req = t.request().post(url);
  if (token) req = req.set(bearer(token));
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) req = req.field(k, String(v));
  for (const f of files) req = req.attach('attachments', f.data, { filename: f.name, contentType: f.type ?? 'application/octet-stream' });
  return req;
}

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), Buffer.alloc(64, 0)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(32, 0)]);

describe(`attachments on ${dbLabel}`, () => {
  let caseId: number;
  let attIds: number[];

  it('stores photos and a PDF sent as multipart/form-data, typed by their content, with their SHA-256', async () => {
    const r = await multipart(validBody(ids), [
      { name: 'ảnh hiện trường.png', data: PNG_1PX, type: 'image/png' },
      { name: '../../etc/công văn.pdf', data: PDF_MIN, type: 'application/pdf' },
      // a JPEG whose client says it is text: the content decides
      { name: 'photo', data: JPEG, type: 'text/plain' },
      { name: 'anh.webp', data: WEBP, type: 'image/webp' },
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.attachments).toBe(4);
    const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
    caseId = row.id;
    expect(row.channel).toBe('api');
    expect(row.phone).toBe('0912345678');
    const stored = await t.database.db.select().from(attachments).where(eq(attachments.caseId, caseId)).orderBy(attachments.id);
    attIds = stored.map((a) => a.id);
    expect(stored.map((a) => [a.filename, a.mime])).toEqual([
      ['ảnh hiện trường.png', 'image/png'],
      ['công văn.pdf', 'application/pdf'],
      ['photo.jpg', 'image/jpeg'],
      ['anh.webp', 'image/webp'],
    ]);
    expect(stored[0].sha256).toBe(createHash('sha256').update(PNG_1PX).digest('hex'));
    expect(Buffer.from(stored[1].data).equals(PDF_MIN)).toBe(true);
  });

  it('lets the coordinator list and download them, as downloads with the stored type', async () => {
    const list = await t.request().get(`/api/v1/cases/${caseId}/attachments`).set(bearer(t.tokens.coordinator));
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(4);
    expect(list.body.items[0]).toMatchObject({ filename: 'ảnh hiện trường.png', mime: 'image/png', size: PNG_1PX.length });
    const dl = await t.request()
      .get(`/api/v1/cases/${caseId}/attachments/${attIds[1]}`)
      .set(bearer(t.tokens.coordinator))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="cong van\.pdf"; filename\*=UTF-8''c%C3%B4ng%20v%C4%83n\.pdf$/);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect((dl.body as Buffer).equals(PDF_MIN)).toBe(true);
    expect((await t.request().get(`/api/v1/cases/${caseId}/attachments/${attIds[0]}`).set(bearer(t.tokens.inspector))).status).toBe(200);
  });

  it("keeps them from another agency's staff (404) and from the public, and lets the assigned agency read them", async () => {
    // the case went to Sở Xây dựng
    expect((await t.request().get(`/api/v1/cases/${caseId}/attachments/${attIds[0]}`).set(bearer(t.tokens.agency_staff))).status).toBe(200);
    const other = await t.request().get(`/api/v1/cases/${caseId}/attachments/${attIds[0]}`).set(bearer(t.tokens.agency_staff_nnmt));
    expect(other.status).toBe(404);
    expect((await t.request().get(`/api/v1/cases/${caseId}/attachments`).set(bearer(t.tokens.agency_staff_nnmt))).status).toBe(404);
    expect((await t.request().get(`/api/v1/cases/${caseId}/attachments/${attIds[0]}`)).status).toBe(401);
    expect((await t.request().get(`/api/v1/cases/${caseId}/attachments/${attIds[0]}`).set(bearer(t.tokens.admin))).status).toBe(403);
    expect((await t.request().get(`/api/v1/cases/${caseId}/attachments/999999`).set(bearer(t.tokens.coordinator))).status).toBe(404);
    expect((await t.request().get(`/api/v1/cases/999999/attachments/${attIds[0]}`).set(bearer(t.tokens.coordinator))).status).toBe(404);
  });

  it.each([
    ['an SVG named .png', [{ name: 'anh.png', data: SVG, type: 'image/png' }], 'attachments.0'],
    ['an HTML page named .pdf', [{ name: 'x.pdf', data: HTML, type: 'application/pdf' }], 'attachments.0'],
    ['an executable', [{ name: 'setup.exe', data: EXE }], 'attachments.0'],
    ['an empty file', [{ name: 'trong.pdf', data: Buffer.alloc(0), type: 'application/pdf' }], 'attachments.0'],
    ['a good file then a bad one', [{ name: 'a.png', data: PNG_1PX }, { name: 'b.svg', data: SVG }], 'attachments.1'],
    ['six files', Array.from({ length: 6 }, (_, i) => ({ name: `a${i}.png`, data: PNG_1PX })), 'attachments'],
    ['a file over 5 MB', [{ name: 'big.pdf', data: Buffer.concat([PDF_MIN, Buffer.alloc(5 * 1024 * 1024, 0x20)]) }], 'attachments.0'],
    // two files of 4.5 MB each are allowed one by one, not together: the request total is 8 MB
    ['files over 8 MB together', [1, 2].map((i) => ({ name: `b${i}.pdf`, data: Buffer.concat([PDF_MIN, Buffer.alloc(4.5 * 1024 * 1024, 0x20)]) })), 'attachments'],
  ] as Array<[string, File[], string]>)('refuses %s with a 400 naming the file, and writes nothing', async (_n, files, path) => {
    const before = [await countRows(t, 'cases'), await countRows(t, 'attachments')];
    const r = await multipart(validBody(ids), files);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect([await countRows(t, 'cases'), await countRows(t, 'attachments')]).toEqual(before);
  });

  it('validates the multipart fields like JSON ones', async () => {
    const r = await multipart(validBody(ids, { taxCode: '0100109107', categoryId: 'abc' }), [{ name: 'a.png', data: PNG_1PX }]);
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['taxCode', 'categoryId']));
  });

  it('takes attachments with a case entered by the coordinator', async () => {
    const r = await multipart(
      { ...validBody(ids), channel: 'mail', receivedAt: '2026-02-27T10:00:00+07:00' },
      [{ name: 'thu.pdf', data: PDF_MIN }],
      '/api/v1/cases',
      t.tokens.coordinator,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.attachments).toBe(1);
    expect(r.body.channel).toBe('mail');
  });
});
