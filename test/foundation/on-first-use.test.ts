/** lib/on-first-use.ts: the lazily loaded modules (exceljs, file-type) load once; a failed load is tried again. */
import { describe, expect, it } from 'vitest';
import { onFirstUse } from '../../src/lib/on-first-use.js';

describe('onFirstUse', () => {
  it('loads nothing until asked, then once for every caller', async () => {
    let loads = 0;
    const get = onFirstUse(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    expect(await get()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it('does not keep a failed load: the next call loads again', async () => {
    let loads = 0;
    const get = onFirstUse(async () => {
      loads++;
      if (loads === 1) throw new Error('not installed');
      return 'module';
    });
    await expect(get()).rejects.toThrow('not installed');
    expect(await get()).toBe('module');
    expect(loads).toBe(2);
  });
});
