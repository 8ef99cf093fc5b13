/**
 * Reproducible random samples. Pure: the same population and seed always give the same sample,
 * and anyone can redo the draw with the description below.
 *
 * Generator: SHA-256 in counter mode. Block k (k = 0, 1, …) is SHA-256 of the UTF-8 text
 * `${seed}:${k}`; each block gives eight unsigned 32-bit big-endian words, used in order.
 * A uniform integer in [0, n) takes the next word u and accepts it when
 * u < n · floor(2^32 / n) (answer: u mod n), otherwise takes the next word (no modulo bias).
 *
 * Draw: the population ids sorted ascending; for i = 0 … size − 1, j = i + uniform(N − i), swap
 * positions i and j (a partial Fisher–Yates shuffle); the sample is positions 0 … size − 1 in
 * that order.
 */
import { createHash } from 'node:crypto';

export function seededGenerator(seed: string): { nextUint32: () => number; uniform: (n: number) => number } {
  let block = 0;
  let words: number[] = [];
  const nextUint32 = (): number => {
    if (words.length === 0) {
      const h = createHash('sha256').update(`${seed}:${block}`, 'utf8').digest();
      block++;
      words = [];
      for (let i = 0; i < 32; i += 4) words.push(h.readUInt32BE(i));
    }
    return words.shift()!;
  };
  const uniform = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`uniform(${n}): n must be a whole number in 1 … 2^32`);
    const limit = n * Math.floor(2 ** 32 / n);
    for (;;) {
      const u = nextUint32();
      if (u < limit) return u % n;
    }
  };
  return { nextUint32, uniform };
}

/** `size` ids drawn without replacement from the population (all of them when it is smaller). */
export function drawSample(population: readonly number[], size: number, seed: string): number[] {
  const a = [...new Set(population)].sort((x, y) => x - y);
  const k = Math.min(size, a.length);
  const g = seededGenerator(seed);
  for (let i = 0; i < k; i++) {
    const j = i + g.uniform(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}
