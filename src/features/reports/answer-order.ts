/**
 * The published order of a month's answered cases (answerOrder: the instant of the answer in
 * epoch microseconds, then the tracking code in code-point order), computed for a
 * list that arrived in any order. The instants are whole numbers, so they are ordered by a
 * stable radix sort on 16-bit digits of their distance from the earliest (three passes for a
 * month, four for a year) instead of half a million comparisons; the rare equal instants are
 * then ordered by tracking code. test/reports/answer-order.test.ts checks it against a sort by
 * answerOrder.
 *
 * Pure: no I/O.
 */

/**
 * The order of the published list: by the instant of the answer, then by tracking code in
 * code-point order (the same whatever the database's collation).
 */
export function answerOrder(atA: number, codeA: string, atB: number, codeB: string): number {
  return atA - atB || (codeA < codeB ? -1 : codeA > codeB ? 1 : 0);
}

const DIGIT = 65_536;

/** The positions of the list in the published order (a permutation of 0 … n − 1). */
export function answerOrderOf(at: ArrayLike<number>, codes: ArrayLike<string>): Uint32Array {
  const n = at.length;
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = at[i];
    if (!Number.isInteger(t)) return order.sort((a, b) => answerOrder(at[a], codes[a], at[b], codes[b]));
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (n < 2) return order;
  const range = max - min;
  if (!Number.isSafeInteger(range)) return order.sort((a, b) => answerOrder(at[a], codes[a], at[b], codes[b]));
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = at[i] - min;
  let next = new Uint32Array(n);
  const starts = new Uint32Array(DIGIT + 1);
  // least significant digit first; each pass is stable, so the earlier passes' order holds within a digit
  for (let unit = 1; unit <= range; unit *= DIGIT) {
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[(Math.floor(key[order[i]] / unit) % DIGIT) + 1]++;
    for (let d = 0; d < DIGIT; d++) starts[d + 1] += starts[d];
    for (let i = 0; i < n; i++) {
      const p = order[i];
      next[starts[Math.floor(key[p] / unit) % DIGIT]++] = p;
    }
    [order, next] = [next, order];
  }
  // cases answered at the same instant: by tracking code
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && at[order[j]] === at[order[i]]) j++;
    if (j - i > 1) order.subarray(i, j).sort((a, b) => answerOrder(at[a], codes[a], at[b], codes[b]));
    i = j;
  }
  return order;
}
