/**
 * maskIdentity skips compiling its masking expression when a cheap test shows the identity
 * cannot occur in the text, and maskPersonalText skips its e-mail expression on texts without an
 * @ and its number expressions on texts without a digit. The skip must never change the result: here it is compared with the
 * expression applied unconditionally (the rule as written before the test existed) over texts
 * that do and do not repeat the identity, in other letter cases (including characters that fold
 * to ASCII letters: Kelvin sign, long s), other spacings and separators of the digits, inside
 * longer words, and over generated combinations.
 */
import { describe, expect, it } from 'vitest';
import { MASK, maskIdentity, maskPersonalText, type Identity } from '../../src/domain/disclosure.js';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** the masking expression, always applied */
function reference(text: string, identity: Identity): string {
  const parts: string[] = [];
  for (const v of [identity.businessName, identity.contactName, identity.email]) {
    const t = v?.normalize('NFC').trim();
    if (t && t.length >= 3) parts.push(escapeRe(t).replace(/\s+/g, '\\s+'));
  }
  for (const v of [identity.taxCode, identity.phone]) {
    const digits = (v ?? '').replace(/\D/g, '');
    if (digits.length < 6) continue;
    const national = digits.startsWith('84') && digits.length >= 11 ? digits.slice(2) : digits.startsWith('0') ? digits.slice(1) : null;
    const spaced = (d: string) => d.split('').join('[\\s.-]?');
    parts.push(national ? `(?:(?:\\+?84|0)[\\s.-]?${spaced(national)})` : spaced(digits));
  }
  if (parts.length === 0) return text.normalize('NFC');
  parts.sort((a, b) => b.length - a.length);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${parts.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return text.normalize('NFC').replace(re, MASK);
}

// the expressions of src/domain/disclosure.ts, applied unconditionally
const EMAIL_RE = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const LABELLED_RE =
  /((?:CCCD|CMND|CMT|căn cước(?: công dân)?|chứng minh(?: nhân dân| thư)?|hộ chiếu|MST|mã số thuế|mã số doanh nghiệp|số điện thoại|điện thoại|ĐT|SĐT|SDT|di động|hotline|Zalo)\s*(?:số|:|là)?\s*[:.]?\s*)(\+?\p{N}(?:[\s.-]?\p{N}){7,14})/giu;
const PHONE_RE = /(?<![\p{N}\p{L}.])(?:\+84|84|0)(?:[\s.-]?\p{N}){8,10}(?![\p{N}])/gu;
const LONG_NUMBER_RE = /(?<![\p{N}\p{L}.,])\p{N}{9,13}(?:-\p{N}{3})?(?![\p{N}])/gu;
function referencePersonal(text: string, identity?: Identity): string {
  let out = text.normalize('NFC');
  if (identity && !(identity.consentPublishName && !identity.confidential)) out = reference(out, identity);
  return out
    .replace(EMAIL_RE, MASK)
    .replace(LABELLED_RE, (_m, label: string) => `${label}${MASK}`)
    .replace(PHONE_RE, MASK)
    .replace(LONG_NUMBER_RE, MASK);
}

const identities: Identity[] = [
  { businessName: 'Công ty TNHH Minh An', contactName: 'Nguyễn Văn A', phone: '0912345678', taxCode: '0101234567', email: 'lienhe@minhan.vn' },
  { businessName: 'Kho Sấy Kiên', contactName: 'Lê Thị Sương' },
  { businessName: 'Cty 123', phone: '+84 912 345 678' },
  { contactName: 'Ông Bảy', taxCode: '0101234567-001' },
  { email: 'a.b@c.vn', phone: '024.3825.1234' },
  { businessName: 'AB', phone: '12345' }, // too short to mask anything
  {},
];

const texts = [
  'Đã trả lời.',
  'Đã gửi văn bản cho Công ty TNHH Minh An.',
  'Đã gửi văn bản cho CÔNG TY tnhh   minh an, xin cảm ơn.',
  'Công ty TNHH Minh Anh không liên quan.',
  'Liên hệ 0912 345 678 hoặc +84.912.345.678 hoặc 84912345678.',
  'Số 0912-345-678; mã số thuế 0101234567-001, 0101 234 567.',
  'Gửi lienhe@minhan.vn và LIENHE@MINHAN.VN.',
  'Kho Sấy Kiên; \u212Aho Sấy \u212Aiên; kho sấy kiên; \u212AHO SẤY \u212AIÊN.',
  'Lê Thị Sương, LÊ THỊ SƯƠNG, Lê Thị \u017Fương.',
  'Cty 123 và Cty 1234 và xCty 123.',
  'Ông Bảy, ông bảy, ÔNG BẢY, Ông Bảyy.',
  'a.b@c.vn; A.B@C.VN; xa.b@c.vn',
  'Điện thoại 024 3825 1234; 02438251234; 024.3825.1234.',
  'Ngươi liên hệ: Nguyễn Văn A; Nguyễn Văn Ai; NGUYỄN  VĂN  A.',
  // the same words decomposed (NFD): both sides normalise to NFC
  'Công ty TNHH Minh An'.normalize('NFD'),
  'Không có số nào ở đây, chỉ chữ.',
  'Số \u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669 và Ⅻ, x@y.vn, CCCD số 001 203 004 005.',
  '',
];

describe('maskIdentity with its pre-test', () => {
  it('gives what the masking expression gives, on texts that repeat the identity and texts that do not', () => {
    let masked = 0;
    for (const identity of identities) {
      for (const text of texts) {
        const want = reference(text, identity);
        expect(maskIdentity(text, identity), `${JSON.stringify(identity)} / ${text}`).toBe(want);
        expect(maskPersonalText(text, identity), `${JSON.stringify(identity)} / ${text}`).toBe(referencePersonal(text, identity));
        expect(maskPersonalText(text), text).toBe(referencePersonal(text));
        if (want.includes(MASK)) masked++;
      }
    }
    // the cases above do exercise the masking, not only the skip
    expect(masked).toBeGreaterThan(15);
  });

  it('gives what the masking expression gives on generated texts and identities', () => {
    // a small deterministic generator: letters of the identities in both cases, digits, separators
    let seed = 17;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', 'A', 'n', 'N', 'k', 'K', '\u212A', 's', 'S', '\u017F', 'ô', 'Ô', 'ư', 'Ư', ' ', '  ', '.', '-', '0', '1', '2', '8', '4', '9', '@', 'x'];
    const word = (len: number) => Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
    let masked = 0;
    for (let i = 0; i < 3000; i++) {
      const identity: Identity = {
        businessName: rnd(3) === 0 ? null : word(3 + rnd(4)),
        contactName: rnd(2) === 0 ? null : word(3 + rnd(3)),
        phone: rnd(2) === 0 ? null : `0${Array.from({ length: 9 }, () => String(rnd(10))).join('')}`,
        taxCode: rnd(3) === 0 ? null : Array.from({ length: 6 + rnd(5) }, () => String(rnd(3))).join(''),
      };
      // texts built from the identity's own pieces and random characters
      const pieces = [identity.businessName, identity.contactName, identity.phone, identity.taxCode].filter((x): x is string => !!x);
      const text = Array.from({ length: 1 + rnd(5) }, () => {
        const p = pieces.length > 0 && rnd(2) === 0 ? pieces[rnd(pieces.length)] : word(1 + rnd(8));
        return rnd(3) === 0 ? p.toUpperCase() : p;
      }).join(rnd(2) === 0 ? ' ' : '');
      const want = reference(text, identity);
      expect(maskIdentity(text, identity), `${JSON.stringify(identity)} / ${JSON.stringify(text)}`).toBe(want);
      expect(maskPersonalText(text, identity), `${JSON.stringify(identity)} / ${JSON.stringify(text)}`).toBe(referencePersonal(text, identity));
      if (want.includes(MASK)) masked++;
    }
    expect(masked).toBeGreaterThan(300);
  });
});
