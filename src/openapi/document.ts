import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { OPERATIONS } from './operations.js';

type Json = Record<string, unknown>;
type OverrideCtx = { zodSchema: unknown; jsonSchema: Json & { anyOf?: Json[] } };
const defType = (s: unknown) => (s as { _zod?: { def?: { type?: string } } })?._zod?.def?.type;

/**
 * zod → JSON Schema as fastify-type-provider-zod does it, and a date taken as input (z.coerce.date())
 * is an ISO 8601 string too: without this it became `{}` ("anything").
 */
const zodToJsonConfig = {
  override: (ctx: OverrideCtx) => {
    const type = defType(ctx.zodSchema);
    if (type === 'union') ctx.jsonSchema.anyOf = ctx.jsonSchema.anyOf?.filter((s) => Object.keys(s).length > 0);
    if (type === 'date') {
      ctx.jsonSchema.type = 'string';
      ctx.jsonSchema.format = 'date-time';
    }
  },
} as unknown as NonNullable<Parameters<typeof createJsonSchemaTransform>[0]['zodToJsonConfig']>;

export const transform = createJsonSchemaTransform({ zodToJsonConfig });
const baseTransformObject = createJsonSchemaTransformObject({ zodToJsonConfig });

type MediaType = { example?: unknown; examples?: unknown };
type Paths = Record<string, Record<string, { requestBody?: { content?: Record<string, MediaType> } }>>;

/** The request example of the operations table on every media type of each request body. */
function addExamples(paths: Paths): void {
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const example = OPERATIONS[`${method.toUpperCase()} ${path}`]?.example;
      if (example === undefined) continue;
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        if (media.example === undefined && media.examples === undefined) media.example = example;
      }
    }
  }
}

/**
 * The document object, with the request examples of the operations table, and without the
 * component schemas no operation reaches (the zod registry also yields an input variant of every
 * output schema, which no request uses).
 */
/**
 * A body schema that accepts no body (zod `.nullish()`, e.g. publish's optional note) comes out
 * as a required body of "object or null": document it as an optional body of the object.
 */
function optionalBodies(paths: unknown): void {
  for (const ops of Object.values((paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const op of Object.values(ops ?? {})) {
      const body = (op as { requestBody?: { required?: boolean; content?: Record<string, { schema?: { anyOf?: Array<{ type?: unknown }> } & Record<string, unknown> }> } }).requestBody;
      if (!body?.content) continue;
      for (const media of Object.values(body.content)) {
        const any = media.schema?.anyOf;
        if (!any || any.length !== 2 || !any.some((s) => s.type === 'null')) continue;
        media.schema = any.find((s) => s.type !== 'null') as typeof media.schema;
        body.required = false;
      }
    }
  }
}

export const transformObject: typeof baseTransformObject = (input) => {
  const doc = baseTransformObject(input) as Json & { paths?: Paths; components?: { schemas?: Record<string, unknown> } };
  addExamples(doc.paths ?? {});
  const schemas = doc.components?.schemas;
  if (!schemas) return doc as ReturnType<typeof baseTransformObject>;
  const reached = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        const name = v.slice('#/components/schemas/'.length);
        if (!reached.has(name)) {
          reached.add(name);
          visit(schemas[name]);
        }
      } else visit(v);
    }
  };
  visit(doc.paths);
  optionalBodies(doc.paths);
  doc.components = { ...doc.components, schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(name))) };
  return doc as ReturnType<typeof baseTransformObject>;
};
