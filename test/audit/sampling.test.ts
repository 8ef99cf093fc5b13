import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawSample, seededGenerator } from '../../src/features/audit/sampling.js';

/** The draw as docs/reports.md describes it, written out again from the text. */
function drawFromTheDocs(population: number[], size: number, seed: string): number[] {
  const words: number[] = [];
  let k = 0;
  const next = () => {
    if (words.length === 0) {
      const h = createHash('sha256').update(`${seed}:${k++}`).digest();
      for (let i = 0; i < 8; i++) words.push(h.readUInt32BE(i * 4));
    }
    return words.shift()!;
  };
  const uniform = (n: number) => {
    for (;;) {
      const u = next();
      if (u < n * Math.floor(4294967296 / n)) return u % n;
    }
  };
  const a = [...population].sort((x, y) => x - y);
  const m = Math.min(size, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + uniform(a.length - i);
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }
  return a.slice(0, m);
}

describe('reproducible samples', () => {
  it('gives the same cases for the same seed, whatever the order of the population', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 0, maxLength: 80 }), fc.integer({ min: 1, max: 100 }), fc.string(), (pop, size, seed) => {
        const a = drawSample(pop, size, seed);
        const b = drawSample([...pop].reverse(), size, seed);
        expect(b).toEqual(a);
        expect(a).toHaveLength(Math.min(size, pop.length));
        expect(new Set(a).size).toBe(a.length);
        for (const id of a) expect(pop).toContain(id);
        expect(a).toEqual(drawFromTheDocs(pop, size, seed));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a known draw stable across versions', () => {
    const pop = Array.from({ length: 20 }, (_, i) => 1000 + i);
    expect(drawSample(pop, 5, 'thanh-tra-2026-03')).toEqual(drawFromTheDocs(pop, 5, 'thanh-tra-2026-03'));
    // the first words of SHA-256("abc:0") = ba7816bf… is SHA-256("abc"); here: the generator reads block 0 big-endian
    const g = seededGenerator('abc');
    const h = createHash('sha256').update('abc:0').digest();
    expect(g.nextUint32()).toBe(h.readUInt32BE(0));
    expect(g.nextUint32()).toBe(h.readUInt32BE(4));
  });

  it('draws each case with the same chance', () => {
    const counts = [0, 0, 0, 0];
    for (let s = 0; s < 4000; s++) counts[drawSample([1, 2, 3, 4], 1, `s${s}`)[0] - 1]++;
    // expected 1000 each; 5 standard deviations ≈ 137
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(140);
    // different seeds give different samples
    const seen = new Set(Array.from({ length: 20 }, (_, s) => drawSample(Array.from({ length: 30 }, (_, i) => i + 1), 5, `seed-${s}`).join(',')));
    expect(seen.size).toBeGreaterThan(15);
  });
});
