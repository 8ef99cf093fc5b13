import { and, asc, eq, gte, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Executor } from '../../db/client.js';
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

/** advisory lock taken by every change of a user, so "the last active admin" is checked race-free */
const ADMIN_CHANGE_LOCK = 4172026012;

export function createReferenceService({ db, clock, auth }: { db: Db; clock: Clock; auth: AuthService }) {
  async function agencyExists(id: number, ex: Executor = db): Promise<boolean> {
    const r = await ex.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, id));
    return r.length > 0;
  }

  /** `cur`: the stored agency when `v` is a patch (dates are checked against what stays stored). */
  async function checkAgencyInput(v: z.infer<typeof agencyPatch>, cur?: { id: number; activeFrom: string | null; activeTo: string | null }) {
    if (v.parentId != null) {
      if (v.parentId === cur?.id) throw fieldError('parentId', 'an agency cannot be its own parent');
      if (!(await agencyExists(v.parentId))) throw fieldError('parentId', `agency ${v.parentId} does not exist`);
    }
    const from = v.activeFrom !== undefined ? v.activeFrom : cur?.activeFrom;
    const to = v.activeTo !== undefined ? v.activeTo : cur?.activeTo;
    if (from && to && to < from) throw fieldError(v.activeTo !== undefined ? 'activeTo' : 'activeFrom', 'activeTo must not be before activeFrom');
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
    // a patch sets only the fields it names (patchSchema: no defaults); an empty patch changes nothing
    updateAgency: async (id: number, v: z.infer<typeof agencyPatch>) => {
      const cur = first(await db.select().from(agencies).where(eq(agencies.id, id)), `Agency ${id}`);
      await checkAgencyInput(v, cur);
      if (Object.keys(v).length === 0) return cur;
      return uniqueOr409(`Agency code ${v.code}`, async () =>
        first(await db.update(agencies).set({ ...v, updatedAt: clock.now() }).where(eq(agencies.id, id)).returning(), `Agency ${id}`),
      );
    },

    listCategories: (opts: { activeOnly?: boolean } = {}) =>
      db.select().from(categories).where(opts.activeOnly ? eq(categories.active, true) : undefined).orderBy(asc(categories.id)),
    getCategory: async (id: number) => first(await db.select().from(categories).where(eq(categories.id, id)), `Category ${id}`),
    createCategory: (v: z.infer<typeof categoryInput>) =>
      uniqueOr409(`Category code ${v.code}`, async () => (await db.insert(categories).values(v).returning())[0]),
    updateCategory: async (id: number, v: z.infer<typeof categoryPatch>) => {
      if (Object.keys(v).length === 0) return first(await db.select().from(categories).where(eq(categories.id, id)), `Category ${id}`);
      return uniqueOr409(`Category code ${v.code}`, async () =>
        first(await db.update(categories).set(v).where(eq(categories.id, id)).returning(), `Category ${id}`),
      );
    },

    listLocalities: (opts: { activeOnly?: boolean } = {}) =>
      db.select().from(localities).where(opts.activeOnly ? eq(localities.active, true) : undefined).orderBy(asc(localities.name)),
    createLocality: (v: z.infer<typeof localityInput>) =>
      uniqueOr409(`Locality code ${v.code}`, async () => (await db.insert(localities).values(v).returning())[0]),
    updateLocality: async (id: number, v: z.infer<typeof localityPatch>) => {
      if (Object.keys(v).length === 0) return first(await db.select().from(localities).where(eq(localities.id, id)), `Locality ${id}`);
      return uniqueOr409(`Locality code ${v.code}`, async () =>
        first(await db.update(localities).set(v).where(eq(localities.id, id)).returning(), `Locality ${id}`),
      );
    },

    listUsers: () => db.select().from(users).orderBy(asc(users.id)),
    createUser: async (v: z.infer<typeof userInput>) => {
      await checkUserRole(v.role, v.agencyId ?? null);
      return (await db.insert(users).values({ ...v, agencyId: v.agencyId ?? null }).returning())[0];
    },
    /**
     * Changes the fields the patch names. An admin may not deactivate or demote itself, nor the
     * last active admin (409): the check and the change run in one transaction under a lock that
     * every admin change takes, so two admins switching each other off at once cannot both succeed.
     */
    updateUser: (id: number, v: z.infer<typeof userPatch>, by?: { userId: number }) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_CHANGE_LOCK})`);
        const cur = first(await tx.select().from(users).where(eq(users.id, id)).for('update'), `User ${id}`);
        const role = v.role ?? cur.role;
        const active = v.active ?? cur.active;
        const agencyId = v.agencyId !== undefined ? v.agencyId : cur.agencyId;
        await checkUserRole(role, agencyId ?? null, tx);
        if (cur.role === 'admin' && cur.active && (role !== 'admin' || !active)) {
          const what = !active ? 'deactivated' : `changed to ${role}`;
          if (by && by.userId === id) {
            throw new Conflict(`An admin cannot be ${what} by itself: ask another admin`, { reason: 'self' });
          }
          const [{ n }] = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(users)
            .where(and(eq(users.role, 'admin'), eq(users.active, true), ne(users.id, id)));
          if (n === 0) {
            throw new Conflict(`User ${id} is the last active admin and cannot be ${what}: make another user admin first`, { reason: 'last_admin' });
          }
        }
        if (Object.keys(v).length === 0) return cur;
        return (await tx.update(users).set({ ...v, agencyId: agencyId ?? null }).where(eq(users.id, id)).returning())[0];
      }),

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

  async function checkUserRole(role: string, agencyId: number | null, ex: Executor = db) {
    if (isAgencyRole(role)) {
      if (agencyId == null) throw fieldError('agencyId', `required for role ${role}`);
      if (!(await agencyExists(agencyId, ex))) throw fieldError('agencyId', `agency ${agencyId} does not exist`);
    } else if (agencyId != null) {
      throw fieldError('agencyId', `must be empty for role ${role}`);
    }
  }
}

export type ReferenceService = ReturnType<typeof createReferenceService>;
