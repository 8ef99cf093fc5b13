/**
 * Reading GeoReport v2 input, pure: form and JSON fields (str, text), category attributes
 * (attributeValues, validateAttributes), W3C datetimes, repeatable query arguments, and the title
 * a request's description gives. Nothing here reads the database.
 */
import { normalizeLine, normalizeText } from '../../domain/validators.js';
import { BadRequest, type FieldError } from '../../lib/errors.js';
import { dayVi, formatDeadlineVi } from './map.js';

/** A POST body: form fields as the specification names them, or the same as JSON. */
export type Body = Record<string, unknown>;

/** A repeatable query argument: `?k=a,b`, `?k=a&k=b` or both. */
export type Repeatable = string | string[];

export const TITLE_MAX = 100;

/** Category attribute as admin stores it (src/features/reference/schemas.ts categoryInput). */
export interface CategoryAttribute {
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required?: boolean;
  description: string;
  order?: number;
  values?: Array<{ key: string; name: string }>;
}

export const BOOL_TRUE = ['true', '1', 'yes', 'on'];
export const BOOL_FALSE = ['false', '0', 'no', 'off', ''];

/** One value of a field: the last of a repeated one; numbers and booleans as text. */
export function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? str(v[v.length - 1]) : undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'string' ? v : undefined;
}

/**
 * A text field: undefined when absent or blank, normalised (NFC, no control characters) otherwise;
 * every field but the description is one line (no bidi or invisible characters either).
 */
export function text(body: Body, key: string): string | undefined {
  const s = str(body[key]);
  if (s === undefined) return undefined;
  const n = key === 'description' ? normalizeText(s) : normalizeLine(s);
  return n === '' ? undefined : n;
}

/** attribute[code]=v, attribute[code][]=v (repeated), or a JSON object {attribute: {code: v}} */
export function attributeValues(body: Body): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (code: string, v: unknown) => {
    const list = out.get(code) ?? [];
    for (const x of Array.isArray(v) ? v : [v]) {
      const s = str(x);
      if (s !== undefined && s.trim() !== '') list.push(normalizeText(s));
    }
    out.set(code, list);
  };
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[([^\]]+)\](?:\[\])?$/.exec(k);
    if (m) add(m[1], v);
  }
  const nested = body.attribute;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    for (const [k, v] of Object.entries(nested as Record<string, unknown>)) add(k, v);
  }
  return out;
}

/**
 * Parses a W3C datetime: with Z or an offset; a date alone or a time without offset is read in
 * Asia/Ho_Chi_Minh. `dateOnly` tells that no time was given.
 */
export function parseW3cDatetime(s: string): { at: Date; dateOnly: boolean } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi = '00', sec = '00', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(y), month, 0)).getUTCDate()) return null;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)) return null;
  let offset = '+07:00';
  if (zone === 'Z') offset = 'Z';
  else if (zone) {
    offset = zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    if (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(4, 6)) > 59) return null;
  }
  const at = new Date(`${y}-${mo}-${d}T${h ?? '00'}:${mi}:${sec}${frac.slice(0, 4)}${offset}`);
  return Number.isNaN(at.getTime()) ? null : { at, dateOnly: h === undefined };
}

/**
 * Checks the given attribute values against the service's definitions (unknown codes, required,
 * one value, datatype, list keys), pushing each problem to `errors`; returns the lines the case's
 * content gets ("label: value", in the definitions' order).
 */
export function validateAttributes(defs: CategoryAttribute[], given: Map<string, string[]>, errors: FieldError[]): Array<{ label: string; value: string }> {
  const lines: Array<{ label: string; value: string }> = [];
  const byCode = new Map(defs.map((a) => [a.code, a]));
  for (const [code, vals] of given) {
    if (!byCode.has(code) && vals.length > 0) errors.push({ path: `attribute[${code.slice(0, 64)}]`, message: 'this service has no such attribute' });
  }
  const ordered = [...defs].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  for (const a of ordered) {
    const path = `attribute[${a.code}]`;
    const vals = given.get(a.code) ?? [];
    if (vals.length === 0) {
      if (a.required) errors.push({ path, message: 'is required for this service' });
      continue;
    }
    if (a.datatype !== 'multivaluelist' && vals.length > 1) {
      errors.push({ path, message: 'takes one value' });
      continue;
    }
    const v = vals[0];
    switch (a.datatype) {
      case 'number':
        if (!/^-?\d+(?:[.,]\d+)?$/.test(v)) errors.push({ path, message: 'must be a number' });
        else lines.push({ label: a.description, value: v });
        break;
      case 'datetime': {
        const t = parseW3cDatetime(v);
        if (!t) errors.push({ path, message: 'must be an ISO 8601 date or datetime' });
        else lines.push({ label: a.description, value: t.dateOnly ? dayVi(t.at) : formatDeadlineVi(t.at) });
        break;
      }
      case 'singlevaluelist':
      case 'multivaluelist': {
        const names: string[] = [];
        for (const x of vals) {
          const opt = (a.values ?? []).find((o) => o.key === x);
          if (!opt) {
            errors.push({ path, message: `"${x.slice(0, 50)}" is not one of ${(a.values ?? []).map((o) => o.key).join(', ')}` });
          } else names.push(opt.name);
        }
        if (names.length === vals.length) lines.push({ label: a.description, value: names.join('; ') });
        break;
      }
      default: {
        const max = a.datatype === 'text' ? 4000 : 500;
        if (v.length > max) errors.push({ path, message: `must be at most ${max} characters` });
        else lines.push({ label: a.description, value: v });
      }
    }
  }
  return lines;
}

/** Repeated keys and comma lists alike: their union, in order, without duplicates. */
export function splitList(v: Repeatable | undefined): string[] {
  const parts = (Array.isArray(v) ? v : [v ?? '']).flatMap((x) => x.split(','));
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}

/** First line of the description, at most TITLE_MAX characters (cut at a word, with an ellipsis). */
export function titleFrom(description: string): string {
  const first = description.split('\n').find((l) => l.trim() !== '')?.trim() ?? description.trim();
  if (first.length <= TITLE_MAX) return first;
  const cut = first.slice(0, TITLE_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Every field error at once, as one 400. */
export function badRequest(errors: FieldError[]): BadRequest {
  return new BadRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}
