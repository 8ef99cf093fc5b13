import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { openPostgres, type Database } from '../../src/db/client.js';
import { cases, categories, users } from '../../src/db/schema.js';
import type { CreatedCase } from '../../src/features/intake/create-case.js';
import type { FixedClock } from '../../src/lib/clock.js';
import { dbOf, registerTestDatabase } from '../helpers/app.js';

export type CaseRow = typeof cases.$inferSelect;

/** A coordinator enters a case received by hotline (routed by the demo rules: xay_dung → Sở Xây dựng). */
export async function enterCase(
  app: FastifyInstance,
  now: Date,
  o: { receivedAt?: Date; category?: string; email?: string | null; title?: string; kind?: 'phan_anh' | 'kien_nghi' | 'to_cao' | 'khieu_nai' } = {},
): Promise<CreatedCase> {
  const db = dbOf(app);
  const [cat] = await db.select({ id: categories.id }).from(categories).where(eq(categories.code, o.category ?? 'xay_dung'));
  const [coord] = await db.select().from(users).where(eq(users.role, 'coordinator')).limit(1);
  return app.services.intake.createCase(
    {
      kind: o.kind ?? 'phan_anh',
      categoryId: cat.id,
      localityId: null,
      title: o.title ?? 'Chậm cấp giấy phép xây dựng nhà xưởng',
      content: 'Doanh nghiệp nộp hồ sơ xin cấp phép xây dựng đã quá thời hạn nhưng chưa có kết quả.',
      businessName: 'Công ty TNHH Cơ khí Kinh Bắc',
      taxCode: null,
      contactName: 'Nguyễn Văn An',
      phone: '0912345678',
      email: o.email === undefined ? 'lienhe@cokhikinhbac.example' : o.email,
      consentPublishName: false,
      channel: 'hotline',
      receivedAt: o.receivedAt ?? now,
      enteredBy: { userId: coord.id, role: 'coordinator', name: coord.name },
    },
    undefined,
    now,
  );
}

export async function caseRow(app: FastifyInstance, id: number): Promise<CaseRow> {
  const [c] = await dbOf(app).select().from(cases).where(eq(cases.id, id));
  return c;
}

export interface OutboxRow {
  id: number;
  template: string;
  case_id: number | null;
  to_addrs: string[];
  cc_addrs: string[];
  subject: string;
  text_body: string;
  status: string;
  next_attempt_at: Date;
  message_id: string;
  sent_at: Date | null;
}

export async function outboxOf(app: FastifyInstance, caseId?: number): Promise<OutboxRow[]> {
  const r = await dbOf(app).execute(
    caseId == null ? sql`select * from outbox order by id` : sql`select * from outbox where case_id = ${caseId} order by id`,
  );
  return (r as unknown as { rows: OutboxRow[] }).rows.map((x) => ({ ...x, id: Number(x.id), case_id: x.case_id == null ? null : Number(x.case_id), next_attempt_at: new Date(x.next_attempt_at) }));
}

export async function escalationEvents(app: FastifyInstance, caseId: number): Promise<Array<{ action: string; data: Record<string, unknown>; internal_text: string; public_text: string | null }>> {
  const r = await dbOf(app).execute(sql`select action, data, internal_text, public_text from case_events where case_id = ${caseId} and action = 'escalate' order by id`);
  return (r as unknown as { rows: Array<{ action: string; data: Record<string, unknown>; internal_text: string; public_text: string | null }> }).rows;
}

export async function claims(app: FastifyInstance, caseId: number): Promise<Array<{ level: string; deadline_at: Date }>> {
  const r = await dbOf(app).execute(sql`select level, deadline_at from escalations where case_id = ${caseId} order by fired_at, level`);
  return (r as unknown as { rows: Array<{ level: string; deadline_at: Date }> }).rows;
}

/**
 * A second app instance on the same database: on PostgreSQL its own connection pool on the
 * test database's URL (a real second instance); on PGlite the same in-process handle.
 */
export async function secondInstance(
  database: Database & { url?: string },
  clock: FixedClock,
  config: Partial<Record<keyof Config, string>>,
): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const own = database.url ? await openPostgres(database.url, 5) : null;
  const app = await buildApp({ config: testConfig({ PUBLIC_BASE_URL: 'http://pakn.test', ...config }), database: own ?? database, clock });
  registerTestDatabase(app, own ?? database);
  return {
    app,
    close: async () => {
      await app.close();
      await own?.close();
    },
  };
}

/** The demo user of a role (for agency roles: of Sở Xây dựng) as the workflow's staff actor. */
export async function staffActor(app: FastifyInstance, role: 'coordinator' | 'agency_staff' | 'agency_lead', agencyCode = 'so_xay_dung') {
  const db = dbOf(app);
  const r = await db.execute(
    role === 'coordinator'
      ? sql`select u.id, u.name, u.role, u.agency_id from users u where u.role = 'coordinator' order by u.id limit 1`
      : sql`select u.id, u.name, u.role, u.agency_id from users u join agencies a on a.id = u.agency_id where u.role = ${role} and a.code = ${agencyCode} order by u.id limit 1`,
  );
  const u = (r as unknown as { rows: Array<{ id: number; name: string; role: string; agency_id: number | null }> }).rows[0];
  return { kind: 'staff' as const, actor: { userId: u.id, name: u.name, role: role, agencyId: u.agency_id, tokenId: 0 } };
}

export async function agencyIdOf(app: FastifyInstance, code: string): Promise<number> {
  const r = await dbOf(app).execute(sql`select id from agencies where code = ${code}`);
  return Number((r as unknown as { rows: Array<{ id: number }> }).rows[0].id);
}
