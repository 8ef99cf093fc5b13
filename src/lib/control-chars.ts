import { BadRequest, type FieldError } from './errors.js';

/**
 * The one rule for control characters in what a client sends. PostgreSQL refuses NUL in text
 * and jsonb, and no other control character belongs in a case; such input is refused (400
 * naming the field) before anything reads it, never stripped silently.
 *
 * - text (body fields, multipart fields): C0 controls except tab, LF and CR; DEL; C1 controls;
 *   lone UTF-16 surrogates;
 * - one-line values (query parameters, path segments, object keys, file names): the same, and
 *   tab, LF and CR too;
 * - header values (Node reads them as Latin-1, so bytes 0x80–0x9F are UTF-8, not C1): C0
 *   controls except tab, and DEL.
 */
const IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const IN_LINE = /[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const IN_HEADER = /[\u0000-\u0008\u000A-\u001F\u007F]/;

export type ValueKind = 'text' | 'line' | 'header';
const RULE: Record<ValueKind, RegExp> = { text: IN_TEXT, line: IN_LINE, header: IN_HEADER };

/** The first forbidden character of a value as U+XXXX, or null when the value is clean. */
export function forbiddenChar(value: string, kind: ValueKind): string | null {
  const m = RULE[kind].exec(value);
  if (!m) return null;
  return `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export const controlCharMessage = (code: string) => `Chứa ký tự điều khiển không được phép (${code}).`;

export interface FoundControlChar extends FieldError {
  in: string;
}

/** Escapes a name so that the error names it without carrying the control character itself. */
const shown = (key: string) => key.replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * Every forbidden character in a parsed JSON or form value, as {path, in, message}. Walks
 * without recursion (a deeply nested body cannot overflow the stack) and checks keys too
 * (jsonb refuses them as well). At most `max` findings.
 */
export function findControlChars(value: unknown, where: string, kind: 'text' | 'line', max = 20): FoundControlChar[] {
  const out: FoundControlChar[] = [];
  const stack: Array<{ v: unknown; path: string }> = [{ v: value, path: '' }];
  while (stack.length > 0 && out.length < max) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const c = forbiddenChar(v, kind);
      if (c) out.push({ path: path || `(${where})`, in: where, message: controlCharMessage(c) });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: path ? `${path}.${i}` : String(i) });
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i];
        const p = path ? `${path}.${shown(k)}` : shown(k);
        const c = forbiddenChar(k, 'line');
        if (c) out.push({ path: p, in: where, message: `Tên trường: ${controlCharMessage(c)}` });
        else stack.push({ v: x, path: p });
      }
    }
  }
  return out;
}

export function controlCharProblem(found: FoundControlChar[]): BadRequest {
  return new BadRequest(found.map((e) => `${e.path}: ${e.message}`).join('; '), found);
}
