/**
 * SLA policy versions: list them, publish a new version for (kind, priority, categoryId), retire
 * a category-specific policy. A version is never edited; cases keep the policy frozen on them.
 */
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { toLocalIso } from '../../domain/calendar.js';
import { DEFAULT_SLA_POLICIES, findPolicy, pauseRuleOf, resolutionStart, type CaseKind, type Priority, type SlaPolicy } from '../../domain/sla.js';
import type { Clock } from '../../lib/clock.js';
import { BadRequest, Conflict, NotFound } from '../../lib/errors.js';
import type { Actor } from '../auth/service.js';
import { describePolicyVi } from './explain-vi.js';
import * as repo from './repository.js';
import type { slaPolicyInput, slaPolicyQuery } from './schemas.js';
import type { ClockService } from './service.js';

function policyView(r: repo.PolicyRow) {
  const p = r.policy as unknown as SlaPolicy;
  const full: SlaPolicy = { ...p, kind: r.kind as CaseKind, priority: r.priority as Priority, categoryId: r.categoryId, version: r.version };
  return {
    id: r.id,
    kind: full.kind,
    priority: full.priority,
    categoryId: r.categoryId,
    version: r.version,
    active: r.supersededAt == null,
    acceptWithin: full.acceptWithin,
    resolveWithin: full.resolveWithin,
    warnBefore: full.warnBefore,
    extension: full.extension,
    overdueEscalateAfter: full.overdueEscalateAfter,
    awaitingBusinessLimit: full.awaitingBusinessLimit,
    resolutionStartsAt: resolutionStart(full),
    pauseRule: pauseRuleOf(full),
    effectiveFrom: toLocalIso(r.effectiveFrom),
    supersededAt: r.supersededAt ? toLocalIso(r.supersededAt) : null,
    createdBy: r.createdBy,
    description: describePolicyVi(full),
  };
}

export function createPolicyService({ db, clock, clockService }: { db: Db; clock: Clock; clockService: Pick<ClockService, 'invalidate'> }) {
  return {
    async listPolicies(q: z.infer<typeof slaPolicyQuery>) {
      const all = q.all === 'true' || q.all === '1';
      const rows = await repo.listPolicyRows(db, { all, kind: q.kind, priority: q.priority, categoryId: q.categoryId });
      return { items: rows.map(policyView) };
    },

    /**
     * Publishes a new version for (kind, priority, categoryId): fields not given are taken from the
     * version in force (or, for a new category-specific policy, from the kind × priority policy).
     * The previous version is superseded in the same transaction; cases keep the policy frozen on them.
     */
    async createPolicyVersion(v: z.infer<typeof slaPolicyInput>, actor: Actor) {
      const categoryId = v.categoryId ?? null;
      await repo.checkCategory(db, categoryId);
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        await repo.lockPolicyEdits(tx);
        const current = await repo.policyInForce(tx, v.kind, v.priority, categoryId);
        let base: SlaPolicy | undefined = current ? (current.policy as unknown as SlaPolicy) : undefined;
        if (!base && categoryId != null) {
          const generic = await repo.policyInForce(tx, v.kind, v.priority, null);
          base = generic ? (generic.policy as unknown as SlaPolicy) : undefined;
        }
        base ??= findPolicy(DEFAULT_SLA_POLICIES, v.kind, v.priority, null)!;
        const top = await repo.topPolicyVersion(tx, v.kind, v.priority, categoryId);
        const policy: SlaPolicy = {
          kind: v.kind,
          priority: v.priority,
          categoryId,
          version: (top ?? 0) + 1,
          acceptWithin: v.acceptWithin ?? base.acceptWithin,
          resolveWithin: v.resolveWithin ?? base.resolveWithin,
          warnBefore: v.warnBefore ?? base.warnBefore,
          extension: v.extension ?? base.extension,
          overdueEscalateAfter: v.overdueEscalateAfter ?? base.overdueEscalateAfter,
          awaitingBusinessLimit: v.awaitingBusinessLimit ?? base.awaitingBusinessLimit,
          resolutionStartsAt: v.resolutionStartsAt ?? resolutionStart(base),
          pauseRule: v.pauseRule ?? pauseRuleOf(base),
        };
        if (current) {
          const fields = ['acceptWithin', 'resolveWithin', 'warnBefore', 'extension', 'overdueEscalateAfter', 'awaitingBusinessLimit'] as const;
          const was = current.policy as unknown as SlaPolicy;
          const same =
            fields.every((f) => JSON.stringify(policy[f]) === JSON.stringify(was[f])) &&
            policy.resolutionStartsAt === resolutionStart(was) &&
            policy.pauseRule === pauseRuleOf(was);
          if (same) throw new BadRequest(`Nothing to change: the new version would equal version ${current.version}`, [{ path: '(body)', message: `equals version ${current.version} in force` }]);
          await repo.supersedePolicyInForce(tx, v.kind, v.priority, categoryId, now);
        }
        return repo.insertPolicy(tx, {
          kind: v.kind,
          priority: v.priority,
          categoryId,
          version: policy.version,
          policy: policy as unknown as Record<string, unknown>,
          effectiveFrom: now,
          createdBy: actor.userId,
          createdAt: now,
        });
      });
      clockService.invalidate('policies');
      return policyView(row);
    },

    /** Retires a category-specific policy (its cases then fall back to the kind × priority policy). */
    async retirePolicy(id: number) {
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        await repo.lockPolicyEdits(tx);
        const p = await repo.policyById(tx, id);
        if (!p) throw new NotFound(`SLA policy ${id} does not exist`);
        if (p.supersededAt) throw new Conflict(`SLA policy ${id} (version ${p.version}) is no longer in force`);
        if (p.categoryId == null) {
          throw new Conflict(`The policy for ${p.kind} × ${p.priority} cannot be removed; publish a new version instead`);
        }
        return repo.supersedePolicy(tx, id, now);
      });
      clockService.invalidate('policies');
      return policyView(row);
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
