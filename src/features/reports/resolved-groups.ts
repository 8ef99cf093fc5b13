/**
 * The answered-case figures of a period, computed from the answered cases themselves (one row
 * each, as resolvedCases reads them for the published list) instead of a second SQL aggregate
 * over the same cases: per dimension and key, the counts (answered, early, on time, late, with
 * an extension, strictly on time) and the median and 90th percentile of the working days.
 *
 * The result is the one resolvedGroups (metrics-sql.ts) returns for the same cases, number for
 * number: the percentiles are PostgreSQL's percentile_cont (linear interpolation between the two
 * nearest ranks, `lo + frac × (hi − lo)` in float8, the same arithmetic as JavaScript numbers)
 * over the same float8 working days; the 'total' row is present even when no case was answered
 * (an empty grouping set yields one row), and other groups only when they have a case.
 * test/reports/resolved-groups.test.ts compares the two on varied data on both databases.
 *
 * Pure: no I/O.
 */
import type { Dim, ResolvedGroupRow } from './metrics-sql.js';

/** What the figures need of an answered case (a subset of ResolvedCaseRow). */
export interface AnsweredCase {
  agency_id: number | null;
  category_id: number | null;
  channel: string;
  kind: string;
  outcome: string;
  resolved_with_extension: boolean | null;
  wdays: number;
}

export type CaseDim = Exclude<Dim, 'month'>;

/**
 * The k-th smallest value (0-based) of `v`, which it reorders so that no value before index k is
 * greater and none after it is smaller (Hoare's selection, expected linear time).
 */
function selectKth(v: Float64Array, k: number, from = 0, to = v.length - 1): number {
  let lo = from;
  let hi = to;
  while (hi > lo) {
    const pivot = v[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return v[k];
}

/**
 * PostgreSQL's percentile_cont(p) of the values (orderedsetaggs.c: the rows of rank floor and
 * ceil of p × (n − 1) in ascending order, then float8_lerp); null when there are none. The two
 * ranks are selected rather than sorted (the values are reordered); the test checks the result
 * against PostgreSQL and against the same formula over sorted values.
 */
export function percentileContOf(values: Float64Array, p: number): number | null {
  const n = values.length;
  if (n === 0) return null;
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = selectKth(values, lo);
  if (hi === lo) return a;
  // after the selection every value after lo is at least a: the next rank is their minimum
  let b = values[lo + 1];
  for (let i = lo + 2; i < n; i++) if (values[i] < b) b = values[i];
  return a + (pos - lo) * (b - a);
}

interface Acc {
  row: ResolvedGroupRow;
  days: number[];
}

/** The raw key of a case in a dimension (a number for ids: no string is made per case). */
const rawKeyOf = (dim: CaseDim, c: AnsweredCase): string | number | null => {
  switch (dim) {
    case 'agency':
      return c.agency_id;
    case 'category':
      return c.category_id;
    case 'channel':
      return c.channel;
    case 'kind':
      return c.kind;
    case 'total':
      return '';
  }
};

/**
 * An accumulator of the figures: `add` each answered case (in any order), then `rows()` gives
 * what resolvedGroups gives for them.
 */
export function answeredGroups(dims: readonly CaseDim[]): { add(c: AnsweredCase): void; rows(): ResolvedGroupRow[] } {
  const groups = dims.map((dim) => ({ dim, byKey: new Map<string | number | null, Acc>() }));
  const blank = (dim: CaseDim, key: string | number | null): Acc => ({
    row: { dim, key: key == null ? null : String(key), resolved: 0, early: 0, on_time: 0, late: 0, with_extension: 0, strict_on_time: 0, median: null, p90: null },
    days: [],
  });
  // the empty grouping set yields its row even without cases
  for (const g of groups) if (g.dim === 'total') g.byKey.set('', blank('total', ''));
  return {
    add(c) {
      const early = c.outcome === 'early';
      const onTime = c.outcome === 'on_time';
      const late = c.outcome === 'late';
      const ext = c.resolved_with_extension === true;
      const strict = (early || onTime) && !ext;
      for (const g of groups) {
        const key = rawKeyOf(g.dim, c);
        let acc = g.byKey.get(key);
        if (!acc) g.byKey.set(key, (acc = blank(g.dim, key)));
        const r = acc.row;
        r.resolved++;
        if (early) r.early++;
        else if (onTime) r.on_time++;
        else if (late) r.late++;
        if (ext) r.with_extension++;
        if (strict) r.strict_on_time++;
        acc.days.push(c.wdays);
      }
    },
    rows() {
      const out: ResolvedGroupRow[] = [];
      for (const g of groups) {
        for (const acc of g.byKey.values()) {
          const days = Float64Array.from(acc.days);
          acc.row.median = percentileContOf(days, 0.5);
          acc.row.p90 = percentileContOf(days, 0.9);
          out.push(acc.row);
        }
      }
      return out;
    },
  };
}

/** The answered cases aggregated per requested dimension, as resolvedGroups returns them. */
export function resolvedGroupsOf(list: readonly AnsweredCase[], dims: readonly CaseDim[]): ResolvedGroupRow[] {
  const acc = answeredGroups(dims);
  for (const c of list) acc.add(c);
  return acc.rows();
}
