import { expect } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { agencies, casePauses, caseExtensions, cases, categories } from '../../src/db/schema.js';
import { fromLocal } from '../../src/domain/calendar.js';
import type { Channel, NewCase } from '../../src/features/intake/create-case.js';
import { appendEvents } from '../../src/features/timeline/repository.js';
import type { TestApp } from '../helpers/app.js';

/** "2026-03-02 09:00" (Hà Nội) → instant */
export const vn = (s: string) => {
  const [d, t] = s.split(' ');
  return fromLocal(d, t ?? '00:00');
};

export async function idsByCode(t: TestApp) {
  const db = t.database.db;
  const a = await db.select({ id: agencies.id, code: agencies.code }).from(agencies);
  const c = await db.select({ id: categories.id, code: categories.code }).from(categories);
  return {
    agency: Object.fromEntries(a.map((x) => [x.code, x.id])) as Record<string, number>,
    category: Object.fromEntries(c.map((x) => [x.code, x.id])) as Record<string, number>,
  };
}

/** A case received at a local time, routed by the demo rules (created through intake). */
export async function receive(
  t: TestApp,
  o: {
    at: string;
    category: number | null;
    channel?: Channel;
    kind?: NewCase['kind'];
    businessName?: string;
    consent?: boolean;
    title?: string;
    email?: string | null;
  },
) {
  const receivedAt = vn(o.at);
  // the clock's reference data is read outside the case's transaction (one connection on PGlite)
  const cs = t.app.services.clockService;
  await Promise.all([cs.calendar(), cs.policies(), cs.rules()]);
  return t.app.services.intake.createCase(
    {
      kind: o.kind ?? 'phan_anh',
      categoryId: o.category,
      localityId: null,
      title: o.title ?? 'Vướng mắc thủ tục',
      content: 'Doanh nghiệp đề nghị được hướng dẫn, giải quyết.',
      businessName: o.businessName ?? 'Công ty TNHH Thử Nghiệm',
      taxCode: null,
      contactName: 'Nguyễn Văn A',
      phone: '0912345678',
      email: o.email === undefined ? null : o.email,
      consentPublishName: o.consent ?? false,
      channel: o.channel ?? 'web',
      receivedAt,
    },
    undefined,
    receivedAt,
  );
}

/** Test-only: sets case columns directly and writes the matching status event. */
export async function force(
  t: TestApp,
  caseId: number,
  at: string,
  action: string,
  toStatus: string | null,
  set: Partial<typeof cases.$inferInsert> = {},
) {
  const db = t.database.db;
  await db.transaction(async (tx) => {
    if (Object.keys(set).length > 0) await tx.update(cases).set(set).where(eq(cases.id, caseId));
    else if (toStatus) await tx.update(cases).set({ status: toStatus }).where(eq(cases.id, caseId));
    await appendEvents(tx, [{ caseId, at: vn(at), actorRole: 'system', action, toStatus, publicText: null }]);
  });
}

export async function pause(t: TestApp, caseId: number, from: string, to: string | null) {
  await t.database.db.insert(casePauses).values({ caseId, startedAt: vn(from), endedAt: to ? vn(to) : null });
}

export async function extension(t: TestApp, caseId: number, at: string, amount: number, prev: string, next: string) {
  await t.database.db
    .insert(caseExtensions)
    .values({ caseId, amount, unit: 'working_days', reason: 'Cần lấy ý kiến liên ngành', at: vn(at), previousDueAt: vn(prev), newDueAt: vn(next) });
}

export async function dueOf(t: TestApp, caseId: number): Promise<Date> {
  const [r] = await t.database.db.select({ d: cases.resolveDueAt }).from(cases).where(eq(cases.id, caseId));
  return r.d;
}

export async function countOutbox(t: TestApp, template: string): Promise<number> {
  const r = await t.database.db.execute(sql`select count(*)::int as n from outbox where template = ${template}`);
  return (r.rows[0] as { n: number }).n;
}

/** Parses the report CSV: the figures block and the cases block. */
export function parseReportCsv(text: string): { figures: string[][]; cases: string[][] } {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const body = text.slice(1);
  const [a, b] = body.split('\r\n\r\n');
  return { figures: parseCsv(a), cases: parseCsv(b) };
}

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      out.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    out.push(row);
  }
  return out;
}
