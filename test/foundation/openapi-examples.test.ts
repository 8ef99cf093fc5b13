import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { generateOpenApi } from '../../scripts/openapi.js';
import { OPERATIONS, requestBodySchemas } from '../../src/openapi/operations.js';

type Media = { schema: Record<string, unknown>; example?: unknown; examples?: Record<string, { value: unknown }> };
type Op = { requestBody?: { content: Record<string, Media> } };
type Doc = { paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, unknown> } };

let cached: Promise<Doc> | undefined;
const load = () => (cached ??= generateOpenApi().then((text) => JSON.parse(text) as Doc));
const WRITES = new Set(['post', 'put', 'patch', 'delete']);

async function bodies() {
  const doc = await load();
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method, op]) => WRITES.has(method) && op.requestBody)
      .flatMap(([method, op]) => Object.entries(op.requestBody!.content).map(([type, media]) => ({ key: `${method.toUpperCase()} ${path}`, type, media }))),
  );
}

const examplesOf = (media: Media) => (media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map((e) => e.value));

describe('request examples', () => {
  it('every write with a request body has one, on every media type it accepts', async () => {
    const all = await bodies();
    expect(all.length).toBeGreaterThan(40);
    expect(all.filter((b) => examplesOf(b.media).length === 0).map((b) => `${b.key} (${b.type})`)).toEqual([]);
  });

  it('each example is valid against the request schema of the document (JSON Schema 2020-12)', async () => {
    const doc = await load();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // the component schemas, so that `#/components/schemas/…` resolves
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    const invalid: string[] = [];
    for (const { key, type, media } of await bodies()) {
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"doc#/components/'));
      const validate = ajv.compile(schema);
      for (const example of examplesOf(media)) {
        if (!validate(example)) invalid.push(`${key} (${type}): ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(invalid).toEqual([]);
  });

  it('each example passes the route’s own zod schema (check digits, phone numbers, dates in range)', async () => {
    await load();
    const checked: string[] = [];
    const invalid: string[] = [];
    for (const [key, entry] of Object.entries(OPERATIONS)) {
      if (entry.example === undefined) continue;
      const schema = requestBodySchemas.get(key) as z.ZodType | undefined;
      if (!schema) {
        invalid.push(`${key}: an example but no request body`);
        continue;
      }
      const r = schema.safeParse(entry.example);
      checked.push(key);
      if (!r.success) invalid.push(`${key}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    expect(checked.length).toBeGreaterThan(35);
    expect(invalid).toEqual([]);
  });

  it('a wrong example is caught (the checks can fail)', async () => {
    const schema = requestBodySchemas.get('POST /api/v1/public/cases') as z.ZodType;
    const example = OPERATIONS['POST /api/v1/public/cases']!.example as Record<string, unknown>;
    expect(schema.safeParse(example).success).toBe(true);
    expect(schema.safeParse({ ...example, taxCode: '0312345678' }).success).toBe(false);
  });
});
