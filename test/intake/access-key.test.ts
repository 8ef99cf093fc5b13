import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessKeyMatches, canonicalAccessKey, hashAccessKey, newAccessKey } from '../../src/lib/access-key.js';

describe('access keys', () => {
  it('are 12 Crockford base32 characters in groups of four, all different over many draws', () => {
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const k = newAccessKey();
      expect(k).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      seen.add(k);
      for (const ch of k.replace(/-/g, '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(seen.size).toBe(2000);
    // every one of the 32 symbols is used (60 random bits, 5 per character)
    expect(counts.size).toBe(32);
  });

  it('match whatever the case, spaces, hyphens, O for 0 and I/L for 1', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Array.from({ length: 50 }, newAccessKey)), fc.boolean(), fc.boolean(), (key, lower, spaced) => {
        const h = hashAccessKey(key);
        let typed = key.replace(/0/g, 'O').replace(/1/g, lower ? 'l' : 'I');
        if (lower) typed = typed.toLowerCase();
        if (spaced) typed = typed.replace(/-/g, ' ');
        expect(accessKeyMatches(typed, h)).toBe(true);
        expect(canonicalAccessKey(typed)).toBe(key.replace(/-/g, ''));
      }),
    );
  });

  it('refuse what is not a key', () => {
    expect(canonicalAccessKey('K7QM-4XRP-9TW')).toBeNull();
    expect(canonicalAccessKey('K7QM-4XRP-9TWU')).toBeNull(); // U is not a symbol
    expect(canonicalAccessKey('')).toBeNull();
    expect(accessKeyMatches('', hashAccessKey('K7QM-4XRP-9TWD'))).toBe(false);
    expect(accessKeyMatches('K7QM-4XRP-9TWE', hashAccessKey('K7QM-4XRP-9TWD'))).toBe(false);
  });
});
