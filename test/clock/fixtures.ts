import { eq, sql } from 'drizzle-orm';
import { cases, caseEvents } from '../../src/db/schema.js';
import type { NewCase } from '../../src/features/intake/create-case.js';
import type { CaseKind, Priority } from '../../src/domain/sla.js';
import { bearer, type TestApp } from '../helpers/app.js';

/** Reference ids of the demo province, by code. */
export async function refIds(t: TestApp) {
  const cats = (await t.request().get('/api/v1/public/categories')).body.items as Array<{ id: number; code: string }>;
  const locs = (await t.request().get('/api/v1/public/localities')).body.items as Array<{ id: number; code: string }>;
  const ags = (await t.request().get('/api/v1/admin/agencies').set(bearer(t.tokens.admin))).body.items as Array<{ id: number; code: string }>;
  const by = (list: Array<{ id: number; code: string }>) => Object.fromEntries(list.map((x) => [x.code, x.id])) as Record<string, number>;
  return { category: by(cats), locality: by(locs), agency: by(ags) };
}

/** A case created the one way cases are created (insertNewCase in its transaction), at the app's clock. */
export async function newCase(
  t: TestApp,
  c: { kind?: CaseKind; priority?: Priority; categoryId?: number | null; localityId?: number | null; receivedAt?: string },
) {
  const now = t.clock.now();
  const input: NewCase = {
    kind: c.kind ?? 'phan_anh',
    priority: c.priority ?? 'normal',
    categoryId: c.categoryId ?? null,
    localityId: c.localityId ?? null,
    title: 'Chậm cấp giấy phép',
    content: 'Hồ sơ nộp đã lâu nhưng chưa có kết quả.',
    businessName: 'Công ty TNHH Thử Nghiệm',
    taxCode: null,
    contactName: 'Nguyễn Văn A',
    phone: null,
    email: null,
    consentPublishName: false,
    channel: 'hotline',
    receivedAt: c.receivedAt ? new Date(c.receivedAt) : now,
  };
  // the reference data is read through its cache, outside the case's transaction (as intake routes do)
  const cs = t.app.services.clockService;
  await Promise.all([cs.calendar(), cs.policies(), cs.rules()]);
  return t.app.services.intake.createCase(input, undefined, now);
}

export async function caseRow(t: TestApp, id: number) {
  const [row] = await t.database.db.select().from(cases).where(eq(cases.id, id));
  return row;
}

export async function eventsOf(t: TestApp, id: number, action?: string) {
  const rows = await t.database.db.select().from(caseEvents).where(eq(caseEvents.caseId, id)).orderBy(caseEvents.id);
  return action ? rows.filter((e) => e.action === action) : rows;
}

/** Marks a case resolved as the workflow would (status, time, outcome), for fixtures. */
export async function markResolved(t: TestApp, id: number, resolvedAt: string, outcome: 'early' | 'on_time' | 'late') {
  await t.database.db.execute(
    sql`update cases set status = 'resolved', resolved_at = ${resolvedAt}::timestamptz, outcome = ${outcome}, resolved_with_extension = false,
        public_answer = 'Đã trả lời.', reason = 'answered', version = version + 1 where id = ${id}`,
  );
}

export const vn = (local: string) => `${local}+07:00`;
