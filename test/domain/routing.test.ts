import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { orderRules, route, ruleMatches, type RoutingRule } from '../../src/domain/routing.js';

const TAX = 1;
const LAND = 2;
const CONSTRUCTION = 3;
const CITY = 10;
const DISTRICT = 11;

const AG_TAX_DEPT = 100;
const AG_LAND_CITY = 200;
const AG_LAND = 201;
const AG_DPI = 300;
const AG_DEFAULT = 999;

const rules: RoutingRule[] = [
  { id: 1, position: 10, kind: 'complaint', categoryId: TAX, localityId: null, agencyId: AG_TAX_DEPT },
  { id: 2, position: 20, kind: null, categoryId: LAND, localityId: CITY, agencyId: AG_LAND_CITY },
  { id: 3, position: 30, kind: null, categoryId: LAND, localityId: null, agencyId: AG_LAND },
  { id: 4, position: 40, kind: 'question', categoryId: null, localityId: null, agencyId: AG_DPI },
  { id: 5, position: 50, kind: 'complaint', categoryId: CONSTRUCTION, localityId: DISTRICT, agencyId: 400, active: false },
];

describe('route', () => {
  it('returns null when there are no rules (triage queue)', () => {
    expect(route([], { kind: 'complaint', categoryId: TAX, localityId: CITY })).toBeNull();
  });

  it('matches on all specified fields', () => {
    expect(route(rules, { kind: 'complaint', categoryId: TAX, localityId: DISTRICT })).toEqual({ agencyId: AG_TAX_DEPT, ruleId: 1 });
    expect(route(rules, { kind: 'complaint', categoryId: LAND, localityId: CITY })).toEqual({ agencyId: AG_LAND_CITY, ruleId: 2 });
    expect(route(rules, { kind: 'suggestion', categoryId: LAND, localityId: DISTRICT })).toEqual({ agencyId: AG_LAND, ruleId: 3 });
    expect(route(rules, { kind: 'question', categoryId: CONSTRUCTION, localityId: null })).toEqual({ agencyId: AG_DPI, ruleId: 4 });
  });

  it('treats null and missing rule fields as wildcards', () => {
    const r: RoutingRule[] = [{ id: 7, position: 1, agencyId: AG_DEFAULT }];
    expect(route(r, { kind: 'anything' })).toEqual({ agencyId: AG_DEFAULT, ruleId: 7 });
    expect(route(r, { kind: 'x', categoryId: 5, localityId: 6 })).toEqual({ agencyId: AG_DEFAULT, ruleId: 7 });
    const r2: RoutingRule[] = [{ id: 8, position: 1, kind: null, categoryId: null, localityId: null, agencyId: AG_DEFAULT }];
    expect(route(r2, { kind: 'y', categoryId: null })).toEqual({ agencyId: AG_DEFAULT, ruleId: 8 });
  });

  it('a rule with a specific field does not match a case lacking that field', () => {
    expect(route(rules, { kind: 'complaint' })).toBeNull();
    expect(route(rules, { kind: 'complaint', categoryId: null, localityId: CITY })).toBeNull();
    const cityOnly: RoutingRule[] = [{ id: 1, position: 1, localityId: CITY, agencyId: 1 }];
    expect(route(cityOnly, { kind: 'complaint', categoryId: TAX })).toBeNull();
    expect(route(cityOnly, { kind: 'complaint', categoryId: TAX, localityId: CITY })).toEqual({ agencyId: 1, ruleId: 1 });
  });

  it('kind matching is exact', () => {
    const r: RoutingRule[] = [{ id: 1, position: 1, kind: 'complaint', agencyId: 1 }];
    expect(route(r, { kind: 'Complaint' })).toBeNull();
    expect(route(r, { kind: 'complaint ' })).toBeNull();
    expect(route(r, { kind: 'complaint' })).toEqual({ agencyId: 1, ruleId: 1 });
  });

  it('skips inactive rules; active defaults to true', () => {
    expect(route(rules, { kind: 'complaint', categoryId: CONSTRUCTION, localityId: DISTRICT })).toBeNull();
    const withFallback: RoutingRule[] = [...rules, { id: 6, position: 60, agencyId: AG_DEFAULT, active: true }];
    expect(route(withFallback, { kind: 'complaint', categoryId: CONSTRUCTION, localityId: DISTRICT })).toEqual({
      agencyId: AG_DEFAULT,
      ruleId: 6,
    });
    const allInactive = rules.map((r) => ({ ...r, active: false }));
    expect(route(allInactive, { kind: 'complaint', categoryId: TAX, localityId: CITY })).toBeNull();
  });

  it('first match wins in position order regardless of input order', () => {
    const shuffled: RoutingRule[] = [
      { id: 30, position: 3, agencyId: 3 },
      { id: 10, position: 1, categoryId: LAND, agencyId: 1 },
      { id: 20, position: 2, agencyId: 2 },
    ];
    expect(route(shuffled, { kind: 'k', categoryId: LAND })).toEqual({ agencyId: 1, ruleId: 10 });
    expect(route(shuffled, { kind: 'k', categoryId: TAX })).toEqual({ agencyId: 2, ruleId: 20 });
  });

  it('breaks position ties by id', () => {
    const tied: RoutingRule[] = [
      { id: 9, position: 5, agencyId: 9 },
      { id: 4, position: 5, agencyId: 4 },
      { id: 7, position: 5, agencyId: 7 },
    ];
    expect(route(tied, { kind: 'k' })).toEqual({ agencyId: 4, ruleId: 4 });
  });

  it('handles negative and fractional positions', () => {
    const r: RoutingRule[] = [
      { id: 1, position: 0, agencyId: 1 },
      { id: 2, position: -5, agencyId: 2 },
      { id: 3, position: -5.5, agencyId: 3, active: false },
    ];
    expect(route(r, { kind: 'k' })).toEqual({ agencyId: 2, ruleId: 2 });
  });

  it('does not mutate the rules array', () => {
    const input: RoutingRule[] = [
      { id: 2, position: 2, agencyId: 2 },
      { id: 1, position: 1, agencyId: 1 },
    ];
    const copy = structuredClone(input);
    route(input, { kind: 'k' });
    orderRules(input);
    expect(input).toEqual(copy);
  });
});

describe('route properties', () => {
  const ruleArb = fc.record({
    id: fc.integer({ min: 1, max: 50 }),
    position: fc.integer({ min: 0, max: 5 }),
    kind: fc.option(fc.constantFrom('complaint', 'question', 'suggestion'), { nil: null }),
    categoryId: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    localityId: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    agencyId: fc.integer({ min: 1, max: 1000 }),
    active: fc.option(fc.boolean(), { nil: undefined }),
  });
  const rulesArb = fc.uniqueArray(ruleArb, { selector: (r) => r.id, maxLength: 12 });
  const caseArb = fc.record({
    kind: fc.constantFrom('complaint', 'question', 'suggestion'),
    categoryId: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    localityId: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  });

  it('returns the earliest matching active rule, or null when none matches', () => {
    fc.assert(
      fc.property(rulesArb, caseArb, (rs, c) => {
        const result = route(rs, c);
        const before = (a: RoutingRule, b: RoutingRule) => a.position < b.position || (a.position === b.position && a.id < b.id);
        if (result === null) {
          expect(rs.some((r) => ruleMatches(r, c))).toBe(false);
          return;
        }
        const chosen = rs.find((r) => r.id === result.ruleId)!;
        expect(chosen.agencyId).toBe(result.agencyId);
        expect(chosen.active).not.toBe(false);
        expect(chosen.kind == null || chosen.kind === c.kind).toBe(true);
        expect(chosen.categoryId == null || chosen.categoryId === c.categoryId).toBe(true);
        expect(chosen.localityId == null || chosen.localityId === c.localityId).toBe(true);
        for (const r of rs) if (before(r, chosen)) expect(ruleMatches(r, c)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('is independent of input order', () => {
    fc.assert(
      fc.property(rulesArb, caseArb, fc.integer(), (rs, c, seed) => {
        const shuffled = [...rs].sort((a, b) => ((a.id * 7919 + seed) % 97) - ((b.id * 7919 + seed) % 97));
        expect(route(shuffled, c)).toEqual(route(rs, c));
      }),
    );
  });

  it('a rule with every field null matches every case', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(ruleMatches({ id: 1, position: 0, kind: null, categoryId: null, localityId: null, agencyId: 1 }, c)).toBe(true);
      }),
    );
  });
});
