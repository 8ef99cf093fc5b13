import { and, asc, eq, gte, isNull, lte, or } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { agencies, apiTokens, categories, localities, users } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { Conflict, fieldError, isUniqueViolation, NotFound } from '../../lib/errors.js';
import { localDate } from '../../domain/calendar.js';
import { isAgencyRole, type AuthService } from '../auth/service.js';
import type {
  agencyInput,
  agencyPatch,
  categoryInput,
  categoryPatch,
  localityInput,
  localityPatch,
  tokenInput,
  userInput,
  userPatch,
} from './schemas.js';

async function uniqueOr409<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw new Conflict(`${what} already exists`);
    throw e;
  }
}

function first<T>(rows: T[], what: string): T {
  if (rows.length === 0) throw new NotFound(`${what} does not exist`);
  return rows[0];
}

export function createReferenceService({ db, clock, auth }: { db: Db; clock: Clock; auth: AuthService }) {
  async function agencyExists(id: number): Promise<boolean> {
    const r = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, id));
    return r.length > 0;
  }

  async function checkAgencyInput(v: z.infer<typeof agencyPatch>, selfId?: number) {
    if (v.parentId != null) {
      if (v.parentId === selfId) throw fieldError('parentId', 'an agency cannot be its own parent');
      if (!(await agencyExists(v.parentId))) throw fieldError('parentId', `agency ${v.parentId} does not exist`);
    }
    if (v.activeFrom && v.activeTo && v.activeTo < v.activeFrom) throw fieldError('activeTo', 'must not be before activeFrom');
  }

  /** Agencies active on a given local date (the directory follows mergers by dates). */
  const activeOn = (day: string) =>
    and(or(isNull(agencies.activeFrom), lte(agencies.activeFrom, day)), or(isNull(agencies.activeTo), gte(agencies.activeTo, day)));

  return {
    listAgencies: (opts: { activeOnly?: boolean } = {}) =>
      db
        .select()
        .from(agencies)
        .where(opts.activeOnly ? activeOn(localDate(clock.now())) : undefined)
        .orderBy(asc(agencies.id)),
    getAgency: async (id: number) => first(await db.select().from(agencies).where(eq(agencies.id, id)), `Agency ${id}`),
    createAgency: async (v: z.infer<typeof agencyInput>) => {
      await checkAgencyInput(v);
      return uniqueOr409(`Agency code ${v.code}`, async () => (await db.insert(agencies).values(v).returning())[0]);
    },
    updateAgency: async (id: number, v: z.infer<typeof agencyPatch>) => {
      await checkAgencyInput(v, id);
      return uniqueOr409(`Agency code ${v.code}`, async () =>
        first(await db.update(agencies).set({ ...v, updatedAt: clock.now() }).where(eq(agencies.id, id)).returning(), `Agency ${id}`),
      );
    },

    listCategories: (opts: { activeOnly?: boolean } = {}) =>
      db.select().from(categories).where(opts.activeOnly ? eq(categories.active, true) : undefined).orderBy(asc(categories.id)),
    getCategory: async (id: number) => first(await db.select().from(categories).where(eq(categories.id, id)), `Category ${id}`),
    createCategory: (v: z.infer<typeof categoryInput>) =>
      uniqueOr409(`Category code ${v.code}`, async () => (await db.insert(categories).values(v).returning())[0]),
    updateCategory: (id: number, v: z.infer<typeof categoryPatch>) =>
      uniqueOr409(`Category code ${v.code}`, async () =>
        first(await db.update(categories).set(v).where(eq(categories.id, id)).returning(), `Category ${id}`),
      ),

    listLocalities: (opts: { activeOnly?: boolean } = {}) =>
      db.select().from(localities).where(opts.activeOnly ? eq(localities.active, true) : undefined).orderBy(asc(localities.name)),
    createLocality: (v: z.infer<typeof localityInput>) =>
      uniqueOr409(`Locality code ${v.code}`, async () => (await db.insert(localities).values(v).returning())[0]),
    updateLocality: (id: number, v: z.infer<typeof localityPatch>) =>
      uniqueOr409(`Locality code ${v.code}`, async () =>
        first(await db.update(localities).set(v).where(eq(localities.id, id)).returning(), `Locality ${id}`),
      ),

    listUsers: () => db.select().from(users).orderBy(asc(users.id)),
    createUser: async (v: z.infer<typeof userInput>) => {
      await checkUserRole(v.role, v.agencyId ?? null);
      return (await db.insert(users).values({ ...v, agencyId: v.agencyId ?? null }).returning())[0];
    },
    updateUser: async (id: number, v: z.infer<typeof userPatch>) => {
      const cur = first(await db.select().from(users).where(eq(users.id, id)), `User ${id}`);
      const role = v.role ?? cur.role;
      const agencyId = v.agencyId !== undefined ? v.agencyId : cur.agencyId;
      await checkUserRole(role, agencyId ?? null);
      return (await db.update(users).set({ ...v, agencyId: agencyId ?? null }).where(eq(users.id, id)).returning())[0];
    },

    listTokens: (userId?: number) =>
      db
        .select({
          id: apiTokens.id,
          userId: apiTokens.userId,
          prefix: apiTokens.prefix,
          label: apiTokens.label,
          createdAt: apiTokens.createdAt,
          expiresAt: apiTokens.expiresAt,
          revokedAt: apiTokens.revokedAt,
          lastUsedAt: apiTokens.lastUsedAt,
        })
        .from(apiTokens)
        .where(userId ? eq(apiTokens.userId, userId) : undefined)
        .orderBy(asc(apiTokens.id)),
    createToken: (v: z.infer<typeof tokenInput>) => {
      if (v.expiresAt && v.expiresAt <= clock.now()) throw fieldError('expiresAt', 'must be in the future');
      return auth.issueToken(db, v.userId, { label: v.label, expiresAt: v.expiresAt });
    },
    revokeToken: (id: number) => auth.revokeToken(id),

  };

  async function checkUserRole(role: string, agencyId: number | null) {
    if (isAgencyRole(role)) {
      if (agencyId == null) throw fieldError('agencyId', `required for role ${role}`);
      if (!(await agencyExists(agencyId))) throw fieldError('agencyId', `agency ${agencyId} does not exist`);
    } else if (agencyId != null) {
      throw fieldError('agencyId', `must be empty for role ${role}`);
    }
  }
}

export type ReferenceService = ReturnType<typeof createReferenceService>;
