import { sql } from 'drizzle-orm';
import type { TestApp } from '../helpers/app.js';

export const VALID_TAX_CODE = '0100109106';
export const VALID_BRANCH_TAX_CODE = '0100109106-001';

export interface RefIds {
  cat: Record<string, number>;
  loc: Record<string, number>;
}

export async function refIds(t: TestApp): Promise<RefIds> {
  const cats = (await t.request().get('/api/v1/public/categories')).body.items as Array<{ id: number; code: string }>;
  const locs = (await t.request().get('/api/v1/public/localities')).body.items as Array<{ id: number; code: string }>;
  return {
    cat: Object.fromEntries(cats.map((c) => [c.code, c.id])),
    loc: Object.fromEntries(locs.map((l) => [l.code, l.id])),
  };
}

/** A valid public submission (routed to Sở Xây dựng by the demo rules). */
export function validBody(ids: RefIds, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'phan_anh',
    categoryId: ids.cat.xay_dung,
    localityId: ids.loc.p_kinh_bac,
    title: 'Chậm cấp giấy phép xây dựng nhà xưởng',
    content: 'Hồ sơ xin giấy phép xây dựng nộp từ tháng 12 đến nay chưa có kết quả, quá hạn theo quy định.',
    businessName: 'Công ty TNHH Cơ khí Kinh Bắc',
    taxCode: VALID_TAX_CODE,
    contactName: 'Nguyễn Văn An',
    phone: '0912 345 678',
    email: 'an.nguyen@cokhikinhbac.vn',
    consentPublishName: false,
    ...over,
  };
}

export async function countRows(t: TestApp, table: 'cases' | 'attachments' | 'case_events' | 'outbox' | 'idempotency_keys'): Promise<number> {
  const r = await t.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`));
  return Number((r.rows[0] as { n: number }).n);
}

/** 1×1 PNG, a tiny JPEG header, a minimal PDF: real magic bytes. */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
export const PDF_MIN = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>');
export const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
