import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '1000000' } });
  ids = await refIds(t);
});
afterAll(async () => t?.close());

const junk = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
);

/** A long enough text with a control character somewhere (never tab, LF or CR, which multi-line fields keep). */
const withControl = fc
  .tuple(
    fc.constantFrom('Công ty Cổ phần An Phát', 'Thủ tục cấp phép xây dựng kéo dài quá hạn nhiều tuần', 'Nguyễn Văn An'),
    fc.constantFrom(...[0, 1, 7, 8, 11, 12, 27, 31, 0x7f, 0x85, 0x9f].map((c) => String.fromCharCode(c)), '\ud800'),
    fc.nat(),
  )
  .map(([text, c, at]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + c + text.slice(i);
  });

/** Values that are wrong for each field (whatever the other fields hold). */
const badValue: Record<string, fc.Arbitrary<unknown>> = {
  kind: fc.oneof(fc.string({ maxLength: 12 }).filter((s) => !['phan_anh', 'kien_nghi', 'khieu_nai', 'to_cao'].includes(s)), fc.integer(), fc.constant(null)),
  categoryId: fc.oneof(fc.integer({ min: -1000, max: 0 }), fc.integer({ min: 100_000, max: 2_000_000 }), fc.double({ noInteger: true }), fc.string({ maxLength: 6 }), fc.constant(null)),
  title: fc.oneof(withControl, fc.string({ maxLength: 4 }).map((s) => s.replace(/\S/g, '') + 'ab'), fc.string({ minLength: 201, maxLength: 260 }).filter((s) => s.trim().length > 200 && /^\S/.test(s) && !/[\u0000-\u001f\u007f-\u009f\s\u200b\ufeff]/.test(s)), fc.integer(), fc.constant(null)),
  content: fc.oneof(withControl, fc.constantFrom('', 'ngắn quá', '   \n\n  '), fc.integer(), fc.constant(null)),
  businessName: fc.oneof(withControl, fc.constantFrom('', ' ', 'A', '\u200b\u200b'), fc.integer(), fc.constant(null)),
  taxCode: fc.oneof(
    fc.stringMatching(/^\d{1,9}$/),
    fc.stringMatching(/^\d{11,14}$/),
    fc.stringMatching(/^\d{9}$/).map((p) => {
      // a wrong check digit
      const w = [31, 29, 23, 19, 17, 13, 7, 5, 3];
      const sum = [...p].reduce((s, d, i) => s + Number(d) * w[i], 0);
      const check = 10 - (sum % 11);
      return p + String(check >= 0 && check <= 9 ? (check + 1) % 10 : 0);
    }),
    fc.stringMatching(/^[A-Za-z]{10}$/),
    fc.integer(),
  ),
  contactName: fc.oneof(withControl, fc.constantFrom('', 'A', ' '), fc.constant('x'.repeat(101)), fc.integer(), fc.constant(null)),
  phone: fc.oneof(fc.stringMatching(/^[a-z]{3,12}$/), fc.stringMatching(/^1\d{2,6}$/), fc.stringMatching(/^\+1\d{10}$/), fc.integer()),
  email: fc.oneof(withControl, fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z]{1,8}@$/), fc.stringMatching(/^@[a-z]{1,8}\.vn$/), fc.constant('a b@c.vn'), fc.integer()),
  consentPublishName: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)),
  priority: fc.constantFrom('urgent', 'normal', 'complex'),
  localityId: fc.oneof(fc.integer({ min: 100_000, max: 2_000_000 }), fc.integer({ min: -50, max: 0 }), fc.string({ maxLength: 5 })),
};
const FIELDS = Object.keys(badValue);

/** A valid body with 1–3 fields made wrong (or removed when required), or plain junk. */
const badBody = () =>
  fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 })
      .chain((fields) => fc.tuple(fc.constant(fields), fc.tuple(...fields.map((f) => badValue[f])), fc.constantFrom('phan_anh', 'kien_nghi', 'khieu_nai', 'to_cao')))
      .map(([fields, values, kind]) => {
        const b: Record<string, unknown> = validBody(ids, { kind });
        fields.forEach((f, i) => (b[f] = values[i]));
        return b;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('kind', 'categoryId', 'title', 'content', 'businessName', 'contactName').map((f) => {
      const b: Record<string, unknown> = validBody(ids);
      delete b[f];
      return b;
    }),
  },
  { weight: 1, arbitrary: fc.constant({ ...validBody(ids), phone: undefined, email: undefined }) },
  { weight: 1, arbitrary: fc.oneof(junk, fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 6 })) },
);

describe(`generated bad submissions on ${dbLabel}`, () => {
  it('answers 1,000 generated bad bodies with 400 only, and leaves no row behind', async () => {
    const before = await Promise.all([countRows(t, 'cases'), countRows(t, 'case_events'), countRows(t, 'outbox'), countRows(t, 'attachments')]);
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(badBody(), async (body) => {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode !== 400) throw new Error(`${res.statusCode} for ${JSON.stringify(body).slice(0, 400)}: ${res.body.slice(0, 300)}`);
        const problem = JSON.parse(res.body) as { errors?: Array<{ path: string }> };
        expect(problem.errors?.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000, seed: Number(process.env.FUZZ_SEED ?? 20260302) },
    );
    expect([...seen.keys()]).toEqual([400]);
    const after = await Promise.all([countRows(t, 'cases'), countRows(t, 'case_events'), countRows(t, 'outbox'), countRows(t, 'attachments')]);
    expect(after).toEqual(before);
    // and the valid body it mutates is accepted, so the 400s are earned
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/public/cases', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(validBody(ids)) });
    expect(ok.statusCode).toBe(201);
  });
});
