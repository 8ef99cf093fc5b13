/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is already
 * SafeHtml (the result of another template). Pages therefore cannot carry unescaped user text
 * by accident.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Text known to be markup (constants of this code base only). */
export const trusted = (s: string): SafeHtml => new SafeHtml(s);

/** Paragraphs of user text: escaped, blank lines split paragraphs, single newlines kept. */
export function paragraphs(text: string | null | undefined): SafeHtml {
  if (!text) return new SafeHtml('');
  return new SafeHtml(
    text
      .split(/\n{2,}/)
      .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
      .join(''),
  );
}

/** "2026-03-05T10:00:00+07:00" → "10:00 ngày 05/03/2026" (the text is local time already). */
export function dateTimeVi(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[4]}:${m[5]} ngày ${m[3]}/${m[2]}/${m[1]}` : iso;
}
