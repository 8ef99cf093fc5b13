import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { accessRecords, cases, users } from '../../db/schema.js';
import type { Actor } from '../../domain/roles.js';

/**
 * Access records: who was shown a confidential reporter's identity, when, on which case and
 * through which route. Written in the request that showed it, with one statement per request.
 */
export async function recordAccess(ex: Executor, actor: Pick<Actor, 'userId' | 'role'>, caseIds: readonly number[], route: string, at: Date): Promise<void> {
  const unique = [...new Set(caseIds)];
  if (unique.length === 0) return;
  await ex.insert(accessRecords).values(unique.map((caseId) => ({ at, userId: actor.userId, role: actor.role, caseId, route })));
}

export interface AccessFilter {
  caseId?: number;
  userId?: number;
  since?: Date;
  /** records with a smaller id (the cursor: newest first) */
  beforeId?: number;
  limit: number;
}

/** Access records, newest first. */
export async function listAccessRecords(ex: Executor, f: AccessFilter) {
  const where: SQL[] = [];
  if (f.caseId !== undefined) where.push(eq(accessRecords.caseId, f.caseId));
  if (f.userId !== undefined) where.push(eq(accessRecords.userId, f.userId));
  if (f.since !== undefined) where.push(gte(accessRecords.at, f.since));
  if (f.beforeId !== undefined) where.push(lt(accessRecords.id, f.beforeId));
  return ex
    .select({
      id: accessRecords.id,
      at: accessRecords.at,
      userId: accessRecords.userId,
      userName: users.name,
      role: accessRecords.role,
      caseId: accessRecords.caseId,
      trackingCode: cases.trackingCode,
      route: accessRecords.route,
    })
    .from(accessRecords)
    .leftJoin(users, eq(users.id, accessRecords.userId))
    .leftJoin(cases, eq(cases.id, accessRecords.caseId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(accessRecords.id))
    .limit(f.limit);
}
