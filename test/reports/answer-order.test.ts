/**
 * The published order of the answered cases, computed by radix sort (answer-order.ts), is the
 * order of a plain sort by answerOrder: on random lists with many equal instants, a microsecond
 * apart, over a month and over a year, with codes that differ only in case, punctuation or
 * accents, and on the cases it falls back on (not whole numbers, a range too wide).
 */
import { describe, expect, it } from 'vitest';
import { answerOrder, answerOrderOf } from '../../src/features/reports/answer-order.js';

let seed = 7;
const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const CODE_PARTS = ['a', 'A', 'z', 'Z', 'ä', '-', '.', '1', '2'];
const code = () => `PA.${Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => CODE_PARTS[Math.floor(rnd() * CODE_PARTS.length)]).join('')}`;

function reference(at: number[], codes: string[]): number[] {
  return at.map((_, i) => i).sort((a, b) => answerOrder(at[a], codes[a], at[b], codes[b]));
}

describe('the published order of answered cases', () => {
  it('is the order of a sort by instant then code, on random lists', () => {
    const start = Date.UTC(2026, 9, 1) * 1000;
    for (const [n, spanUs, distinct] of [
      [0, 1, 1],
      [1, 1, 1],
      [2, 1, 1],
      [50, 10, 3], // mostly ties
      [3000, 31 * 86_400e6, 3000], // a month, to the microsecond
      [3000, 31 * 86_400e6, 40], // a month, many cases answered at the same instant
      [5000, 366 * 86_400e6, 5000], // a year (four passes)
      [2000, 65_535, 2000], // one pass exactly
      [2000, 65_536, 2000], // two passes
    ] as const) {
      const instants = Array.from({ length: distinct }, () => start + Math.floor(rnd() * spanUs));
      const at = Array.from({ length: n }, () => instants[Math.floor(rnd() * instants.length)]);
      const codes = Array.from({ length: n }, code);
      expect(Array.from(answerOrderOf(at, codes)), `n=${n} span=${spanUs}`).toEqual(reference(at, codes));
    }
  });

  it('falls back on a comparison sort when the instants are not whole numbers or too far apart', () => {
    const at = [3.5, 1.25, 3.5, -2];
    const codes = ['b', 'a', 'a', 'z'];
    expect(Array.from(answerOrderOf(at, codes))).toEqual(reference(at, codes));
    const wide = [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, 0];
    expect(Array.from(answerOrderOf(wide, codes))).toEqual(reference(wide, codes));
  });
});
