/**
 * Routing rules: which agency a new case goes to by kind, category and locality. Admin lists,
 * adds, changes and removes them, and asks which rule a case with given fields would hit. A rule
 * routes new cases only; cases already placed keep their agency.
 */
import type { z } from 'zod';
import type { Db, Executor } from '../../db/client.js';
import { localDayOrdinal, ordinalToDate, toLocalIso } from '../../domain/calendar.js';
import { route } from '../../domain/routing.js';
import type { Clock } from '../../lib/clock.js';
import { fieldError, NotFound } from '../../lib/errors.js';
import { getAgency } from '../cases/repository.js';
import * as repo from './repository.js';
import type { routingRuleInput, routingRulePatch, routingTestInput } from './schemas.js';
import type { ClockService } from './service.js';

function ruleView(r: repo.RuleRow, agencyName: string | null) {
  return {
    id: r.id,
    position: r.position,
    kind: r.kind,
    categoryId: r.categoryId,
    localityId: r.localityId,
    agencyId: r.agencyId,
    agencyName,
    active: r.active,
    note: r.note,
    createdAt: toLocalIso(r.createdAt),
  };
}

export function createRoutingRuleService({ db, clock, clockService }: { db: Db; clock: Clock; clockService: Pick<ClockService, 'invalidate' | 'loadRules'> }) {
  async function ruleViews(ex: Executor, id?: number) {
    return (await repo.ruleRows(ex, id)).map(({ rule, agencyName }) => ruleView(rule, agencyName));
  }

  /** 400 naming the field when a category, locality or agency does not exist, or the agency has closed. */
  async function checkRuleRefs(ex: Executor, v: { categoryId?: number | null; localityId?: number | null; agencyId?: number }) {
    await repo.checkCategory(ex, v.categoryId);
    if (v.localityId != null && !(await repo.localityExists(ex, v.localityId))) throw fieldError('localityId', `locality ${v.localityId} does not exist`);
    if (v.agencyId != null) {
      const a = await getAgency(ex, v.agencyId);
      if (!a) throw fieldError('agencyId', `agency ${v.agencyId} does not exist`);
      const today = ordinalToDate(localDayOrdinal(clock.now()));
      if (a.activeTo && a.activeTo < today) throw fieldError('agencyId', `agency ${v.agencyId} was closed on ${a.activeTo}`);
    }
  }

  return {
    listRules: () => ruleViews(db),

    async createRule(v: z.infer<typeof routingRuleInput>) {
      await checkRuleRefs(db, v);
      const row = await db.transaction(async (tx) => {
        const position = v.position ?? ((await repo.topRulePosition(tx)) ?? 0) + 10;
        return repo.insertRule(tx, {
          position,
          kind: v.kind ?? null,
          categoryId: v.categoryId ?? null,
          localityId: v.localityId ?? null,
          agencyId: v.agencyId,
          active: v.active,
          note: v.note ?? null,
          createdAt: clock.now(),
        });
      });
      clockService.invalidate('rules');
      return (await ruleViews(db, row.id))[0];
    },

    /** Changes a rule; cases already placed keep their agency (a rule only routes new cases). */
    async updateRule(id: number, v: z.infer<typeof routingRulePatch>) {
      await checkRuleRefs(db, v);
      const set: Parameters<typeof repo.updateRule>[2] = {};
      for (const k of ['position', 'kind', 'categoryId', 'localityId', 'agencyId', 'active', 'note'] as const) {
        if (v[k] !== undefined) (set as Record<string, unknown>)[k] = v[k];
      }
      if (!(await repo.updateRule(db, id, set))) throw new NotFound(`Routing rule ${id} does not exist`);
      clockService.invalidate('rules');
      return (await ruleViews(db, id))[0];
    },

    async deleteRule(id: number) {
      if (!(await repo.deleteRule(db, id))) throw new NotFound(`Routing rule ${id} does not exist`);
      clockService.invalidate('rules');
    },

    /** Which rule and agency a new case with these fields would get (read fresh, not from the cache). */
    async testRule(v: z.infer<typeof routingTestInput>) {
      await checkRuleRefs(db, { categoryId: v.categoryId, localityId: v.localityId });
      const rules = await clockService.loadRules(db);
      const hit = route(rules, { kind: v.kind, categoryId: v.categoryId ?? null, localityId: v.localityId ?? null });
      if (!hit) {
        return {
          routed: false,
          rule: null,
          agency: null,
          text: 'Không có quy tắc nào khớp: vụ việc sẽ chờ Tổ điều phối phân loại trong hàng đợi tiếp nhận.',
        };
      }
      const [rule] = await ruleViews(db, hit.ruleId);
      return {
        routed: true,
        rule,
        agency: { id: hit.agencyId, name: rule.agencyName ?? `#${hit.agencyId}` },
        text: `Vụ việc sẽ được chuyển tự động đến ${rule.agencyName ?? `cơ quan #${hit.agencyId}`} theo quy tắc #${rule.id} (thứ tự ${rule.position}).`,
      };
    },
  };
}

export type RoutingRuleService = ReturnType<typeof createRoutingRuleService>;
