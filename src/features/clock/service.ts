import { asc, isNull, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/client.js';
import { calendarYears, routingRules, slaPolicies } from '../../db/schema.js';
import { createWorkingCalendar, parseOfficeHours, type WorkingCalendar } from '../../domain/calendar.js';
import type { YearTable } from '../../domain/calendar-types.js';
import { generateYearTable } from '../../domain/holidays.js';
import type { RoutingRule } from '../../domain/routing.js';
import { findPolicy, type CaseKind, type Priority, type SlaPolicy } from '../../domain/sla.js';
import type { Clock } from '../../lib/clock.js';
import { readSiteInfo, type SiteInfo } from '../settings/repository.js';

/** How long an instance trusts its cached calendar, policies and rules before re-reading them. */
const CACHE_TTL_MS = 30_000;

export type StoredPolicy = SlaPolicy & { id: number };

export interface ReferenceRows {
  categories: Map<number, boolean>;
  localities: Map<number, boolean>;
  agencies: Map<number, { id: number; name: string; contactEmails: string[] }>;
}

/**
 * The clock's reference data (calendar years, SLA policies, routing rules), and the site's
 * identity that intake mail carries in its footer, read from the database and cached briefly; an
 * edit through this instance drops the cache at once, other instances see it within CACHE_TTL_MS.
 */
export function createClockService({ db, clock, officeHours }: { db: Db; clock: Clock; officeHours: string }) {
  const hours = parseOfficeHours(officeHours);
  let cal: { at: number; value: Promise<WorkingCalendar> } | null = null;
  let pol: { at: number; value: Promise<StoredPolicy[]> } | null = null;
  let rul: { at: number; value: Promise<RoutingRule[]> } | null = null;
  let refs: { at: number; value: Promise<ReferenceRows> } | null = null;
  let site: { at: number; value: Promise<SiteInfo> } | null = null;
  const fresh = (c: { at: number } | null) => c !== null && clock.now().getTime() - c.at < CACHE_TTL_MS && c.at <= clock.now().getTime();

  async function loadCalendar(ex: Executor = db): Promise<WorkingCalendar> {
    const years = await ex.select().from(calendarYears);
    const tables: YearTable[] = years.map((y) => ({
      year: y.year,
      holidays: y.holidays,
      workingSaturdays: y.workingSaturdays,
      generated: y.generated,
    }));
    return createWorkingCalendar({ officeHours: hours, years: tables, fallback: generateYearTable });
  }

  async function loadPolicies(ex: Executor = db): Promise<StoredPolicy[]> {
    const r = await ex.select().from(slaPolicies).where(isNull(slaPolicies.supersededAt));
    return r.map((p) => ({ ...(p.policy as unknown as SlaPolicy), id: p.id, version: p.version, categoryId: p.categoryId }));
  }

  async function loadRules(ex: Executor = db): Promise<RoutingRule[]> {
    const r = await ex.select().from(routingRules).orderBy(asc(routingRules.position), asc(routingRules.id));
    return r.map((x) => ({ id: x.id, position: x.position, kind: x.kind, categoryId: x.categoryId, localityId: x.localityId, agencyId: x.agencyId, active: x.active }));
  }

  async function loadReferenceRows(ex: Executor = db): Promise<ReferenceRows> {
    const r = (await ex.execute(sql`select 'c' as t, id, active, null as name, null::text[] as emails from categories
      union all select 'l', id, active, null, null from localities
      union all select 'a', id, true, name, contact_emails from agencies`)) as unknown as {
      rows: Array<{ t: string; id: number; active: boolean; name: string | null; emails: string[] | null }>;
    };
    const out: ReferenceRows = { categories: new Map(), localities: new Map(), agencies: new Map() };
    for (const x of r.rows) {
      if (x.t === 'c') out.categories.set(x.id, x.active);
      else if (x.t === 'l') out.localities.set(x.id, x.active);
      else out.agencies.set(x.id, { id: x.id, name: x.name ?? '', contactEmails: x.emails ?? [] });
    }
    return out;
  }

  function cached<T>(slot: { at: number; value: Promise<T> } | null, load: () => Promise<T>, set: (s: { at: number; value: Promise<T> }) => void): Promise<T> {
    if (slot && fresh(slot)) return slot.value;
    const value = load();
    set({ at: clock.now().getTime(), value });
    value.catch(() => set({ at: 0, value }));
    return value;
  }

  return {
    officeHours: hours,
    /**
     * Cached reads. Inside a transaction pass it as `ex`: on a cold cache the data is then read
     * through the transaction (PGlite has one connection; reading through `db` there would wait
     * for the transaction that waits for it).
     */
    calendar: (ex?: Executor) => cached(cal, () => loadCalendar(ex), (s) => (cal = s)),
    policies: (ex?: Executor) => cached(pol, () => loadPolicies(ex), (s) => (pol = s)),
    rules: (ex?: Executor) => cached(rul, () => loadRules(ex), (s) => (rul = s)),
    /** categories, localities and agencies as intake needs them (a miss means: ask the database) */
    referenceRows: (ex?: Executor) => cached(refs, () => loadReferenceRows(ex), (s) => (refs = s)),
    /** the province, hotline and office address for mail footers (the settings service drops it on a change) */
    siteInfo: (ex?: Executor) => cached(site, () => readSiteInfo(ex ?? db), (s) => (site = s)),
    /** uncached reads inside a transaction */
    loadCalendar,
    loadPolicies,
    loadRules,
    async policyFor(kind: CaseKind, priority: Priority, categoryId: number | null, ex?: Executor): Promise<StoredPolicy> {
      const p = findPolicy(await this.policies(ex), kind, priority, categoryId) as StoredPolicy | undefined;
      if (!p) throw new Error(`No SLA policy for ${kind}/${priority}`);
      return p;
    },
    invalidate(what: 'calendar' | 'policies' | 'rules' | 'reference' | 'site' | 'all' = 'all') {
      if (what === 'site' || what === 'all') site = null;
      if (what === 'calendar' || what === 'all') cal = null;
      if (what === 'policies' || what === 'all') pol = null;
      if (what === 'rules' || what === 'all') rul = null;
      if (what === 'reference' || what === 'all') refs = null;
    },
  };
}

export type ClockService = ReturnType<typeof createClockService>;
