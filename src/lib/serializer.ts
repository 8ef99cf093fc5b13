/**
 * Response serialisation: each route's zod response schema is turned into a JSON schema once, at
 * start-up, and compiled with fast-json-stringify (the serialiser fastify itself uses). The zod
 * serializer of fastify-type-provider-zod encoded every response with zod and then ran
 * JSON.stringify: on a 50-case queue page that was most of the CPU of the request.
 *
 * The compiled serialiser writes only the properties the schema names, like zod's encode (which
 * strips unknown keys). A schema that JSON schema cannot express faithfully (transforms, pipes,
 * recursive references, …) keeps the zod serializer.
 *
 * With `validate` (on under NODE_ENV=test, so in the whole test suite), every response is also
 * encoded with zod, as before: a response that does not match its schema fails as it did, and a
 * compiled output that differs from JSON.stringify of zod's encoding is an error too.
 */
import { isDeepStrictEqual } from 'node:util';
import fastJson from 'fast-json-stringify';
import { createSerializerCompiler } from 'fastify-type-provider-zod';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { $ZodType, safeEncode } from 'zod/v4/core';

type JsonSchema = Record<string, unknown>;

const zodSerializer = createSerializerCompiler({});

/** Keywords fast-json-stringify serialises by, or ignores harmlessly (annotations, validation-only constraints). */
const KNOWN = new Set([
  '$schema',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'propertyNames',
  'description',
  'title',
  'examples',
  'default',
  'anyOf',
  'readOnly',
  'deprecated',
]);

/** Whether fast-json-stringify writes exactly what JSON.stringify would for data valid by this schema. */
function faithful(s: unknown): boolean {
  if (s === true) return true;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return false;
  const o = s as JsonSchema;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) return false;
  // an object or array without a type would be written by guessing
  if (o.type === undefined && o.anyOf === undefined && o.enum === undefined && o.const === undefined) return false;
  if (o.properties && !Object.values(o.properties as Record<string, unknown>).every(faithful)) return false;
  if (o.additionalProperties !== undefined && typeof o.additionalProperties !== 'boolean' && !faithful(o.additionalProperties)) return false;
  if (o.items !== undefined && (Array.isArray(o.items) || !faithful(o.items))) return false;
  // fast-json-stringify tells anyOf members apart by validating them (and throws on an extra
  // key where zod strips it): only the "X or null" form, rewritten by nullable(), is kept
  if (o.anyOf !== undefined) return false;
  const types = Array.isArray(o.type) ? o.type : o.type === undefined ? [] : [o.type];
  // a type list mixing an object or array with anything but null would be guessed
  if (types.length > 1 && types.some((t) => t === 'object' || t === 'array') && types.filter((t) => t !== 'null').length > 1) return false;
  return true;
}

/** `anyOf: [X, {type: 'null'}]` (zod's nullable) as `X` with `type: [X.type, 'null']`, everywhere. */
function nullable(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(nullable);
  if (typeof s !== 'object' || s === null) return s;
  const o: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) o[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as JsonSchema).map(([p, x]) => [p, nullable(x)])) : nullable(v);
  const any = o.anyOf;
  if (Array.isArray(any) && any.length === 2 && Object.keys(o).every((k) => k === 'anyOf' || k === 'description')) {
    const nulls = any.filter((m) => (m as JsonSchema).type === 'null' && Object.keys(m as JsonSchema).length === 1);
    const other = any.find((m) => !nulls.includes(m)) as JsonSchema | undefined;
    if (nulls.length === 1 && other && other.anyOf === undefined && (typeof other.type === 'string' || Array.isArray(other.type))) {
      const types = Array.isArray(other.type) ? other.type : [other.type];
      return { ...other, type: types.includes('null') ? types : [...types, 'null'] };
    }
  }
  return o;
}

/** The JSON schema of a zod response schema, or null when it cannot be expressed faithfully. */
export function responseJsonSchema(schema: z.ZodType): JsonSchema | null {
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, {
      io: 'output',
      target: 'draft-7',
      // an empty registry: every schema inlined, no $ref to follow
      metadata: z.registry<Record<string, unknown>>(),
      unrepresentable: 'throw',
      cycles: 'throw',
      reused: 'inline',
    }) as JsonSchema;
  } catch {
    return null;
  }
  json = nullable(json) as JsonSchema;
  return faithful(json) ? json : null;
}

function resolve(maybe: unknown): $ZodType | null {
  if (maybe instanceof $ZodType) return maybe;
  if (maybe && typeof maybe === 'object' && 'properties' in maybe && (maybe as { properties: unknown }).properties instanceof $ZodType) {
    return (maybe as { properties: $ZodType }).properties;
  }
  return null;
}

/** Routes whose response fell back to the zod serializer (reported at start-up in debug). */
export const zodSerialized: string[] = [];

export function createResponseSerializerCompiler(opts: { validate: boolean }) {
  return (route: { schema: unknown; method: string; url: string; httpStatus?: string }) => {
    const schema = resolve(route.schema);
    const json = schema ? responseJsonSchema(schema as z.ZodType) : null;
    if (!schema || !json) {
      zodSerialized.push(`${route.method} ${route.url} ${route.httpStatus ?? ''}`.trim());
      return zodSerializer(route as Parameters<typeof zodSerializer>[0]);
    }
    const stringify = fastJson(json as unknown as Parameters<typeof fastJson>[0]);
    if (!opts.validate) return (data: unknown) => stringify(data);
    return (data: unknown) => {
      const encoded = safeEncode(schema, data);
      if (encoded.error) throw new ResponseSerializationError(route.method, route.url, { cause: encoded.error });
      const out = stringify(data);
      const expected = JSON.stringify(encoded.data);
      if (out !== expected && !isDeepStrictEqual(JSON.parse(out), JSON.parse(expected))) {
        throw new Error(`${route.method} ${route.url}: the compiled serialiser wrote ${out.slice(0, 500)} where zod gives ${expected.slice(0, 500)}`);
      }
      return out;
    };
  };
}
