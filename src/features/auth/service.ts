import { and, eq, isNull, sql } from 'drizzle-orm';
import { arrayQuery } from '../../db/array-query.js';
import { type Db, type Executor } from '../../db/client.js';
import { apiTokens, users } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { randomSecret, sha256Hex } from '../../lib/crypto.js';
import { BadRequest, NotFound } from '../../lib/errors.js';

import { type Actor, type StaffRole } from '../../domain/roles.js';

export { STAFF_ROLES, AGENCY_ROLES, isAgencyRole, type Actor, type StaffRole } from '../../domain/roles.js';

const BOOTSTRAP_LABEL = 'PAKN_ADMIN_TOKEN';
/** last_used_at is written at most this often per token, so reads stay reads. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type BootstrapResult =
  | { status: 'created' | 'unchanged' | 'user_inactive' }
  | { status: 'revoked'; revokedAt: Date };

export function createAuthService({ db, clock }: { db: Db; clock: Clock }) {
  /** The token lookup of every staff request, built once (parsed and planned once per connection on PostgreSQL). */
  const byHashQuery = db
    .select({
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      userId: users.id,
      name: users.name,
      role: users.role,
      agencyId: users.agencyId,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt), eq(users.active, true)))
    .limit(1);
  const byHash = arrayQuery<{ hash: string }, { tokenId: number; lastUsedAt: Date | null; expiresAt: Date | null; userId: number; name: string; role: string; agencyId: number | null }>(
    byHashQuery,
    'pakn_auth_token',
  );

  async function authenticate(token: string): Promise<Actor | null> {
    if (!token || token.length > 200) return null;
    const hash = sha256Hex(token);
    const now = clock.now();
    const [row] = await byHash.run(db, { hash });
    if (!row) return null;
    if (row.expiresAt && row.expiresAt <= now) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
    }
    return {
      userId: row.userId,
      name: row.name,
      role: row.role as StaffRole,
      agencyId: row.agencyId,
      tokenId: row.tokenId,
    };
  }

  /** Issues a new token for a user: the secret is returned once and only its hash is kept. */
  async function issueToken(
    ex: Executor,
    userId: number,
    opts: { label?: string | null; expiresAt?: Date | null } = {},
  ): Promise<{ id: number; token: string; prefix: string }> {
    const [user] = await ex.select({ id: users.id, active: users.active }).from(users).where(eq(users.id, userId));
    if (!user) throw new NotFound(`User ${userId} does not exist`);
    if (!user.active) throw new BadRequest('userId: the user is deactivated', [{ path: 'userId', message: 'user is deactivated' }]);
    const token = randomSecret('pakn_', 32);
    const prefix = token.slice(0, 10);
    const [row] = await ex
      .insert(apiTokens)
      .values({ userId, tokenHash: sha256Hex(token), prefix, label: opts.label ?? null, expiresAt: opts.expiresAt ?? null, createdAt: clock.now() })
      .returning({ id: apiTokens.id });
    return { id: row.id, token, prefix };
  }

  async function revokeToken(id: number): Promise<void> {
    const r = await db
      .update(apiTokens)
      .set({ revokedAt: clock.now() })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (r.length === 0) {
      const [exists] = await db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.id, id));
      if (!exists) throw new NotFound(`Token ${id} does not exist`);
    }
  }

  /**
   * Makes PAKN_ADMIN_TOKEN a valid admin token: creates the bootstrap admin user once, stores the
   * token's hash, and revokes a bootstrap token left from an earlier value of the variable.
   * Off stays off: a value that was revoked is never switched back on (`revoked`), and a
   * deactivated bootstrap admin is not re-activated (`user_inactive`); the caller tells the operator.
   */
  async function ensureBootstrapAdmin(token: string): Promise<BootstrapResult> {
    const hash = sha256Hex(token);
    return db.transaction(async (tx): Promise<BootstrapResult> => {
      await tx.execute(sql`select pg_advisory_xact_lock(4172026002)`);
      const [existing] = await tx.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash));
      if (existing?.revokedAt) return { status: 'revoked', revokedAt: existing.revokedAt };
      let [admin] = await tx.select().from(users).where(and(eq(users.role, 'admin'), eq(users.name, 'Bootstrap admin')));
      if (existing) return admin && !admin.active && admin.id === existing.userId ? { status: 'user_inactive' } : { status: 'unchanged' };
      if (!admin) {
        [admin] = await tx.insert(users).values({ name: 'Bootstrap admin', role: 'admin' }).returning();
      }
      await tx
        .update(apiTokens)
        .set({ revokedAt: clock.now() })
        .where(and(eq(apiTokens.label, BOOTSTRAP_LABEL), isNull(apiTokens.revokedAt)));
      await tx.insert(apiTokens).values({ userId: admin.id, tokenHash: hash, prefix: token.slice(0, 10), label: BOOTSTRAP_LABEL, createdAt: clock.now() });
      return admin.active ? { status: 'created' } : { status: 'user_inactive' };
    });
  }

  return { authenticate, issueToken, revokeToken, ensureBootstrapAdmin };
}

export type AuthService = ReturnType<typeof createAuthService>;
