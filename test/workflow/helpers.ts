import { expect } from 'vitest';
import { bearer, type TestApp } from '../helpers/app.js';

/** An instant given in Hà Nội local time, e.g. at('2026-02-12 10:00'). */
export const at = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+07:00`);
/** ISO with +07:00, as the API answers. */
export const local = (s: string): string => `${s.replace(' ', 'T')}:00+07:00`;

export interface Ref {
  categories: Record<string, number>;
  localities: Record<string, number>;
  agencies: Record<string, number>;
}

export async function reference(t: TestApp): Promise<Ref> {
  const cats = (await t.request().get('/api/v1/public/categories')).body.items as Array<{ id: number; code: string }>;
  const locs = (await t.request().get('/api/v1/public/localities')).body.items as Array<{ id: number; code: string }>;
  const ags = (await t.request().get('/api/v1/agencies').set(bearer(t.tokens.coordinator))).body.items as Array<{ id: number; code: string }>;
  return {
    categories: Object.fromEntries(cats.map((c) => [c.code, c.id])),
    localities: Object.fromEntries(locs.map((c) => [c.code, c.id])),
    agencies: Object.fromEntries(ags.map((c) => [c.code, c.id])),
  };
}

export interface Entered {
  id: number;
  trackingCode: string;
  accessKey: string;
  version: number;
  status: string;
  resolveDueAt: string;
}

/** The coordinator enters a case received by another channel (POST /api/v1/cases). */
export async function enterCase(t: TestApp, fields: Record<string, unknown>): Promise<Entered> {
  const res = await t
    .request()
    .post('/api/v1/cases')
    .set(bearer(t.tokens.coordinator))
    .send({
      kind: 'phan_anh',
      title: 'Chậm cấp giấy phép xây dựng nhà xưởng',
      content: 'Doanh nghiệp nộp hồ sơ xin giấy phép xây dựng nhà xưởng đã quá hạn nhưng chưa được trả kết quả.',
      businessName: 'Công ty TNHH Cơ khí Kinh Bắc',
      taxCode: '0100109106',
      contactName: 'Nguyễn Văn An',
      phone: '0912345678',
      email: 'an.nguyen@cokhikinhbac.example',
      consentPublishName: false,
      channel: 'hotline',
      ...fields,
    });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Entered;
}

/** A staff action; returns the supertest response. */
export function post(t: TestApp, role: string, id: number, action: string, body: Record<string, unknown>) {
  return t.request().post(`/api/v1/cases/${id}/${action}`).set(bearer(t.tokens[role])).send(body);
}

/** A staff action that must succeed; returns the staff view. */
export async function ok(t: TestApp, role: string, id: number, action: string, body: Record<string, unknown>) {
  const res = await post(t, role, id, action, body);
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

export async function view(t: TestApp, role: string, id: number) {
  const res = await t.request().get(`/api/v1/cases/${id}`).set(bearer(t.tokens[role]));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function timeline(t: TestApp, role: string, id: number) {
  const res = await t.request().get(`/api/v1/cases/${id}/timeline`).set(bearer(t.tokens[role]));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as Array<Record<string, unknown> & { action: string; fromStatus: string | null; toStatus: string | null }>;
}

/** [action, from, to] of each event, in order. */
export const steps = (items: Array<{ action: string; fromStatus: string | null; toStatus: string | null }>) =>
  items.map((e) => `${e.action}:${e.fromStatus ?? '-'}>${e.toStatus ?? '-'}`);

/** A business action through the public API (tracking code + access key). */
export function publicAction(t: TestApp, c: Entered, action: 'reply' | 'rating' | 'dispute' | 'withdraw', body: Record<string, unknown>) {
  return t.request().post(`/api/v1/public/cases/${c.trackingCode}/${action}`).set('X-Access-Key', c.accessKey).send(body);
}
