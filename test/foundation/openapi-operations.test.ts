import { describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../scripts/openapi.js';
import { OPERATIONS } from '../../src/openapi/operations.js';

interface Op {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string }[];
  requestBody?: { content: Record<string, { examples?: unknown; example?: unknown; schema?: { examples?: unknown[] } }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Doc = { servers?: { url: string }[]; tags?: { name: string }[]; paths: Record<string, Record<string, Op>> };

let cached: Promise<Doc> | undefined;
const load = () => (cached ??= generateOpenApi().then((text) => JSON.parse(text) as Doc));
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })));

describe('the operations table (src/openapi/operations.ts)', () => {
  it('has an entry for every documented route, and no entry without a route', async () => {
    const ops = operations(await load());
    expect(ops.length).toBeGreaterThan(90);
    const keys = new Set(ops.map((o) => o.key));
    expect(ops.filter((o) => !OPERATIONS[o.key]).map((o) => o.key)).toEqual([]);
    expect(Object.keys(OPERATIONS).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('gives every operation a unique verb+noun operationId, a summary, a description and declared tags', async () => {
    const doc = await load();
    const ops = operations(doc);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id) => !id || !/^[a-z]+[A-Z][A-Za-z0-9]*$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const declared = new Set((doc.tags ?? []).map((t) => t.name));
    const incomplete = ops.filter((o) => !o.op.summary?.trim() || !o.op.description?.trim() || !o.op.tags?.length || o.op.tags.some((t) => !declared.has(t)));
    expect(incomplete.map((o) => o.key)).toEqual([]);
  });

  it('serves the document for PUBLIC_BASE_URL, and public operations need no token', async () => {
    const doc = await load();
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://127.0.0.1:3000' })]);
    for (const { key, path, op } of operations(doc)) {
      if (path.startsWith('/api/v1/public') || path.startsWith('/open311') || path === '/healthz') expect({ key, security: op.security }).toEqual({ key, security: [] });
      if (path.startsWith('/api/v1/') && !path.startsWith('/api/v1/public')) expect({ key, security: op.security }).toEqual({ key, security: [{ bearerAuth: [] }] });
    }
  });
});
