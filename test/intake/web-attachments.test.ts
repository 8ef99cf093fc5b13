import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, EXE, PNG_1PX, refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '100000' } });
  ids = await refIds(t);
});
afterAll(async () => t?.close());

/** The public form as a browser sends it: text fields, then the files (fields after the files too). */
function send(files: Array<{ name: string; data: Buffer }>, after: Record<string, string> = {}) {
  let req = t.request().post('/').set('accept', 'text/html');
  const body = { ...validBody(ids), consentPublishName: 'true', formId: 'web-attachments-form-0001' } as Record<string, unknown>;
  for (const [k, v] of Object.entries(body)) if (v !== undefined && v !== null) req = req.field(k, String(v));
  for (const f of files) req = req.attach('attachments', f.data, { filename: f.name, contentType: 'application/octet-stream' });
  for (const [k, v] of Object.entries(after)) req = req.field(k, v);
  return req;
}

function valueOf(html: string, name: string): string | undefined {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`).exec(html);
  return m?.[1];
}

describe(`attachment errors on the public form keep what was typed, on ${dbLabel}`, () => {
  const big = Buffer.concat([PNG_1PX, Buffer.alloc(5 * 1024 * 1024 + 10, 0)]);
  it.each<[string, Array<{ name: string; data: Buffer }>, RegExp]>([
    ['a file over 5 MB', [{ name: 'ban-ve.png', data: big }], /ban-ve.*lớn hơn 5 MB/],
    ['a file of the wrong type', [{ name: 'virus.exe', data: EXE }], /virus.*không phải ảnh/],
    ['one file too many', Array.from({ length: 6 }, (_, i) => ({ name: `anh-${i + 1}.png`, data: PNG_1PX })), /tối đa 5 tệp/],
    ['many files too many', Array.from({ length: 12 }, (_, i) => ({ name: `anh-${i + 1}.png`, data: PNG_1PX })), /tối đa 5 tệp/],
  ])('%s', async (_name, files, message) => {
    const before = await countRows(t, 'cases');
    // a field sent after the files is read too: the whole body is read before judging it
    const r = await send(files, { contactName: 'Trần Thị Bình' });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    const body = validBody(ids);
    expect(valueOf(r.text, 'title')).toBe(body.title);
    expect(valueOf(r.text, 'businessName')).toBe(body.businessName);
    expect(valueOf(r.text, 'taxCode')).toBe(body.taxCode);
    expect(valueOf(r.text, 'email')).toBe(body.email);
    expect(valueOf(r.text, 'contactName')).toBe('Trần Thị Bình');
    expect(r.text).toContain(String(body.content).slice(0, 40));
    expect(r.text).toMatch(/name="consentPublishName" value="true"[^>]* checked/);
    // the error stands at the file field, and the summary links to it
    const fileError = /<p class="field-error" id="f-attachments-error">([\s\S]*?)<\/p>/.exec(r.text)?.[1] ?? '';
    expect(fileError).toMatch(message);
    expect(r.text).toContain('href="#f-attachments"');
    expect(await countRows(t, 'cases')).toBe(before);
  });
});
