import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../scripts/openapi.js';

describe('openapi/openapi.json', () => {
  it('is what the zod schemas generate (run `npm run openapi` after changing a route)', async () => {
    const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    const generated = await generateOpenApi();
    expect(JSON.parse(generated).openapi).toBe('3.1.0');
    expect(generated).toBe(committed);
  });
});

describe('secured operations', () => {
  it('list their 401 and 403 answers as problem+json, every one of them', async () => {
    const doc = JSON.parse(await generateOpenApi()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    // staff operations (GET /metrics has its own token, which answers 401 or 404, never 403)
    const secured = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/')).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.length)
        .map(([method, op]) => ({ op: `${method} ${path}`, responses: op.responses })),
    );
    expect(secured.length).toBeGreaterThan(60);
    // every secured operation can answer 401; those of the staff API (roles) also 403. GET /metrics
    // has a token but no roles.
    const missing = secured.filter(
      ({ op, responses }) =>
        !responses['401']?.content?.['application/problem+json'] || (op.includes(' /api/v1/') && !responses['403']?.content?.['application/problem+json']),
    );
    expect(missing.map((m) => m.op)).toEqual([]);
    // and public operations do not pretend to need a token
    const open = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/v1/public'));
    for (const [, ops] of open) for (const op of Object.values(ops)) expect(op.responses['401']).toBeUndefined();
  });
});
