import { z } from 'zod';

/** The schema inside any `.default()` / `.prefault()` wrappers. */
function withoutDefault(t: z.ZodType): z.ZodType {
  let cur = t;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault) cur = cur.unwrap() as z.ZodType;
  return cur;
}

/**
 * The body schema of a PATCH built from the create schema: every field optional and **without
 * its default**, so that a field the request does not name stays absent from the parsed value and
 * is left as it is. (`.partial()` keeps defaults: `{ email }` would parse to `{ email, active: true }`
 * and switch a deactivated user back on.) Unknown fields are refused (400 naming the field), so a
 * misspelt field is an error rather than a silent no-op.
 */
export function patchSchema<S extends z.ZodRawShape>(input: z.ZodObject<S>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(input.shape)) {
    const inner = withoutDefault(field as z.ZodType);
    shape[key] = inner instanceof z.ZodOptional ? inner : inner.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodObject<{ [K in keyof S]: z.ZodOptional<z.ZodType<Exclude<z.output<S[K]>, undefined>, Exclude<z.input<S[K]>, undefined>>> }>;
}

/**
 * The query schema of a staff route, refusing parameters it does not declare (400 naming the
 * parameter): `GET /api/v1/cases?agencyId=5`, a typo for `agency`, must not answer the whole queue.
 * A route without a query schema takes no parameters at all.
 */
export function strictQuery(q: unknown): z.ZodType {
  if (q === undefined) return z.strictObject({});
  if (q instanceof z.ZodObject) return q.strict();
  throw new Error('a staff route\'s querystring schema must be a z.object');
}
