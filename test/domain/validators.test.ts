import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  foldVietnamese,
  formatTrackingCode,
  isValidEmail,
  isValidTaxCode,
  normalizePhone,
  normalizeLine,
  normalizeText,
  parseTrackingCode,
  taxCodeCheckDigit,
  taxCodeError,
} from '../../src/domain/validators.js';

const digitString = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

describe('isValidTaxCode', () => {
  it('accepts real tax codes of well-known enterprises', () => {
    for (const code of [
      '0100109106', // Viettel
      '0300588569', // Vinamilk
      '0100112437', // Vietcombank
      '0101248141', // FPT
      '0100684378', // VNPT
    ]) {
      expect(isValidTaxCode(code), code).toBe(true);
      expect(taxCodeError(code)).toBeNull();
    }
  });

  it('rejects a wrong check digit', () => {
    expect(isValidTaxCode('0100109107')).toBe(false);
    expect(isValidTaxCode('0100109105')).toBe(false);
    expect(isValidTaxCode('0300588568')).toBe(false);
    expect(taxCodeError('0100109107')).toMatch(/kiểm tra/);
  });

  it('computes the check digit with weights 31,29,23,19,17,13,7,5,3', () => {
    expect(taxCodeCheckDigit('010010910')).toBe(6);
    expect(taxCodeCheckDigit('030058856')).toBe(9);
    // weighted sum divisible by 11 gives check 10: no valid code exists
    expect(taxCodeCheckDigit('000000000')).toBeNull();
    for (let d = 0; d <= 9; d++) expect(isValidTaxCode(`000000000${d}`)).toBe(false);
    expect(taxCodeCheckDigit('12345678')).toBeNull();
    expect(taxCodeCheckDigit('12345678a')).toBeNull();
  });

  it('accepts branch codes -001..-999 on a valid parent code', () => {
    expect(isValidTaxCode('0100109106-001')).toBe(true);
    expect(isValidTaxCode('0100109106-999')).toBe(true);
    expect(isValidTaxCode('0100109107-001')).toBe(false);
    expect(isValidTaxCode('0100109106-000')).toBe(false);
    expect(taxCodeError('0100109106-000')).toMatch(/000/);
  });

  it('rejects malformed input with a Vietnamese message', () => {
    const cases: [string, RegExp][] = [
      ['', /Chưa nhập/],
      ['   ', /Chưa nhập/],
      ['010010910', /10 chữ số.*9/],
      ['01001091066', /10 chữ số.*11/],
      ['010010910A', /chữ số/],
      ['0100 109 106', /chữ số/],
      ['0100109106-01', /3 chữ số/],
      ['0100109106-0011', /3 chữ số/],
      ['0100109106-', /3 chữ số/],
      ['0100109106_001', /chữ số/],
      ['-0100109106', /10 chữ số/],
      ['０１００１０９１０６', /chữ số/],
    ];
    for (const [input, message] of cases) {
      expect(isValidTaxCode(input), input).toBe(false);
      expect(taxCodeError(input), input).toMatch(message);
    }
  });

  it('ignores surrounding whitespace', () => {
    expect(isValidTaxCode(' 0100109106 ')).toBe(true);
  });

  it('property: every 9-digit prefix has at most one valid check digit', () => {
    fc.assert(
      fc.property(digitString(9), (prefix) => {
        const valid = [...'0123456789'].filter((d) => isValidTaxCode(prefix + d));
        expect(valid.length).toBeLessThanOrEqual(1);
        const check = taxCodeCheckDigit(prefix);
        expect(valid).toEqual(check === null ? [] : [String(check)]);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: mutating the check digit of a valid code breaks it', () => {
    const validCode = digitString(9)
      .filter((p) => taxCodeCheckDigit(p) !== null)
      .map((p) => p + String(taxCodeCheckDigit(p)));
    fc.assert(
      fc.property(validCode, fc.integer({ min: 1, max: 9 }), (code, delta) => {
        expect(isValidTaxCode(code)).toBe(true);
        const mutated = code.slice(0, 9) + String((Number(code[9]) + delta) % 10);
        expect(isValidTaxCode(mutated)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: changing any single one of the first 9 digits breaks a valid code', () => {
    const validCode = digitString(9)
      .filter((p) => taxCodeCheckDigit(p) !== null)
      .map((p) => p + String(taxCodeCheckDigit(p)));
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 }), (code, pos, delta) => {
        const digit = String((Number(code[pos]) + delta) % 10);
        const mutated = code.slice(0, pos) + digit + code.slice(pos + 1);
        expect(isValidTaxCode(mutated)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a valid code with any branch 001-999 stays valid', () => {
    const validCode = digitString(9)
      .filter((p) => taxCodeCheckDigit(p) !== null)
      .map((p) => p + String(taxCodeCheckDigit(p)));
    fc.assert(
      fc.property(validCode, fc.integer({ min: 1, max: 999 }), (code, branch) => {
        expect(isValidTaxCode(`${code}-${String(branch).padStart(3, '0')}`)).toBe(true);
      }),
    );
  });

  it('property: taxCodeError is null exactly when the code is valid', () => {
    fc.assert(
      fc.property(fc.oneof(digitString(10), fc.string(), digitString(10).map((c) => `${c}-001`)), (s) => {
        expect(taxCodeError(s) === null).toBe(isValidTaxCode(s));
      }),
    );
  });
});

describe('normalizePhone', () => {
  it('normalises mobile numbers in many notations', () => {
    const inputs = [
      '0912345678',
      '091 234 5678',
      '0912 345 678',
      '091.234.5678',
      '091-234-5678',
      ' 0912.345.678 ',
      '+84912345678',
      '+84 912 345 678',
      '+84-912-345-678',
      '+84.912.345.678',
      '84912345678',
      '84 912 345 678',
      '0084912345678',
      '0084 912 345 678',
      '(+84) 912 345 678',
      '+84 (0) 912 345 678',
      '+840912345678',
    ];
    for (const input of inputs) expect(normalizePhone(input), input).toBe('0912345678');
  });

  it('accepts every mobile prefix 03, 05, 07, 08, 09', () => {
    for (const p of ['03', '05', '07', '08', '09']) {
      expect(normalizePhone(`${p}12345678`)).toBe(`${p}12345678`);
      expect(normalizePhone(`+84${p.slice(1)}12345678`)).toBe(`${p}12345678`);
    }
    for (const p of ['00', '01', '04', '06']) expect(normalizePhone(`${p}12345678`), p).toBeNull();
  });

  it('normalises landlines with 2- and 3-digit area codes', () => {
    expect(normalizePhone('024 3825 1234')).toBe('02438251234');
    expect(normalizePhone('(024) 3825 1234')).toBe('02438251234');
    expect(normalizePhone('028.3829.1234')).toBe('02838291234');
    expect(normalizePhone('+84 24 3825 1234')).toBe('02438251234');
    expect(normalizePhone('84 28 3829 1234')).toBe('02838291234');
    expect(normalizePhone('0236 3821 234')).toBe('02363821234');
    expect(normalizePhone('(0236) 382-1234')).toBe('02363821234');
    expect(normalizePhone('+84 236 3821 234')).toBe('02363821234');
    expect(normalizePhone('0204 3855 123')).toBe('02043855123');
  });

  it('keeps 1800/1900 service numbers as digits', () => {
    expect(normalizePhone('1800 1234')).toBe('18001234');
    expect(normalizePhone('1800.1234')).toBe('18001234');
    expect(normalizePhone('1900 123 456')).toBe('1900123456');
    expect(normalizePhone('1800-599-920')).toBe('1800599920');
    expect(normalizePhone('1900 12345')).toBeNull();
    expect(normalizePhone('1800 123')).toBeNull();
    expect(normalizePhone('1700 1234')).toBeNull();
    expect(normalizePhone('+84 1800 1234')).toBeNull();
  });

  it('rejects everything else', () => {
    for (const input of [
      '',
      '   ',
      'abc',
      '091234567',
      '09123456789',
      '01234567890',
      '0212345678',
      '021234567890',
      '+1 212 555 0100',
      '+8491234567',
      '+849123456789',
      '8491234567',
      '091234567a',
      '0912+345678',
      '++84912345678',
      '0912/345/678',
      '0912345678 ext 12',
      '+',
      '()',
    ]) {
      expect(normalizePhone(input), input).toBeNull();
    }
  });

  it('property: output is canonical and normalisation is idempotent', () => {
    const mobile = fc.tuple(fc.constantFrom('3', '5', '7', '8', '9'), digitString(8)).map(([a, b]) => `0${a}${b}`);
    const sep = fc.constantFrom('', ' ', '.', '-');
    fc.assert(
      fc.property(mobile, sep, fc.constantFrom('0', '+84', '84', '0084', '+84 '), (m, s, prefix) => {
        const rest = m.slice(1);
        const formatted = prefix + [rest.slice(0, 2), rest.slice(2, 5), rest.slice(5)].join(s);
        const out = normalizePhone(formatted);
        expect(out).toBe(m);
        expect(normalizePhone(out!)).toBe(m);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = normalizePhone(s);
        if (out !== null) {
          expect(out).toMatch(/^(0[35789]\d{8}|02\d{9}|1[89]00(\d{4}|\d{6}))$/);
          expect(normalizePhone(out)).toBe(out);
        }
      }),
    );
  });
});

describe('isValidEmail', () => {
  it('accepts ordinary addresses', () => {
    for (const e of [
      'a@b.vn',
      'nguyen.van.a@skhdt.gov.vn',
      'contact+pakn@example.com',
      'Info_2024@Cong-Ty.com.vn',
      "o'brien@example.org",
      'user@xn--80ak6aa92e.com',
      'user@mail.xn--p1ai',
    ]) {
      expect(isValidEmail(e), e).toBe(true);
    }
  });

  it('rejects malformed addresses', () => {
    for (const e of [
      '',
      'a',
      'a@',
      '@b.vn',
      'a@b',
      'a@@b.vn',
      'a@b@c.vn',
      'a..b@c.vn',
      '.a@c.vn',
      'a.@c.vn',
      'a b@c.vn',
      ' a@b.vn',
      'a@b.vn ',
      'a@-b.vn',
      'a@b-.vn',
      'a@b..vn',
      'a@.b.vn',
      'a@b.vn.',
      'a@b.c',
      'a@b.123',
      'a@b_c.vn',
      'nguyễn@b.vn',
      'a@bộ.vn',
      'a(b)@c.vn',
      '"a"@c.vn',
      'a@[127.0.0.1]',
    ]) {
      expect(isValidEmail(e), e).toBe(false);
    }
  });

  it('enforces length limits', () => {
    const domain189 = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.vn`;
    expect(domain189.length).toBe(189);
    const email254 = `${'a'.repeat(64)}@${domain189}`;
    expect(email254.length).toBe(254);
    expect(isValidEmail(email254)).toBe(true);
    expect(isValidEmail(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.vn`)).toBe(false);
    expect(isValidEmail(`${'a'.repeat(65)}@b.vn`)).toBe(false);
    expect(isValidEmail(`a@${'b'.repeat(64)}.vn`)).toBe(false);
  });

  it('property: anything longer than 254 characters is invalid', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 255, maxLength: 400 }), (s) => {
        expect(isValidEmail(s)).toBe(false);
      }),
    );
  });
});

describe('normalizeLine', () => {
  it('strips bidi controls and invisible characters from a one-line field, and its line breaks', () => {
    // an RLO override makes "Công ty An Phát" display differently from what is stored
    expect(normalizeLine('C\u202Eông ty\u202C An\u200B Phát')).toBe('Công ty An Phát');
    for (const c of ['\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2060', '\u2063', '\u2066', '\u2067', '\u2068', '\u2069', '\uFEFF']) {
      expect(normalizeLine(`An${c}Phát`), `U+${c.charCodeAt(0).toString(16)}`).toBe('AnPhát');
    }
    expect(normalizeLine('Dòng 1\r\n  Dòng 2')).toBe('Dòng 1 Dòng 2');
    expect(normalizeLine(' \u200B An \u2066 Phát ')).toBe('An Phát');
  });

  it('keeps what normalizeText keeps in multi-line text', () => {
    expect(normalizeText('a\u202Eb')).toBe('a\u202Eb');
  });
});

describe('normalizeText', () => {
  it('composes decomposed Vietnamese input (NFC)', () => {
    const composed = 'Thành phố Hồ Chí Minh, Đắk Lắk, Quảng Ngãi, Nguyễn Thị Ánh';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    expect(decomposed.length).toBeGreaterThan(composed.length);
    expect(normalizeText(decomposed)).toBe(composed);
    // e + circumflex + acute → ế ; o + horn + hook above → ở
    expect(normalizeText('e\u0302\u0301')).toBe('\u1EBF');
    expect(normalizeText('o\u031B\u0309')).toBe('\u1EDF');
  });

  it('trims and collapses runs of spaces and tabs, keeping newlines', () => {
    expect(normalizeText('  Xin   chào \t\t bạn  ')).toBe('Xin chào bạn');
    expect(normalizeText('Dòng 1\nDòng   2\n\nDòng 3')).toBe('Dòng 1\nDòng 2\n\nDòng 3');
    expect(normalizeText('a\u00A0\u00A0b\u2003c')).toBe('a b c');
    expect(normalizeText('a  \n  b')).toBe('a\n b');
    expect(normalizeText('\n\n  a  \n\n')).toBe('a');
  });

  it('converts CRLF and CR to LF', () => {
    expect(normalizeText('a\r\nb\rc')).toBe('a\nb\nc');
  });

  it('strips control characters except newline and tab', () => {
    expect(normalizeText('a\u0000b\u0007c\u001Bd\u007Fe\u0085f\u200Bg\uFEFFh')).toBe('abcdefgh');
    expect(normalizeText('a\tb')).toBe('a b');
  });

  it('leaves clean text unchanged', () => {
    const s = 'Doanh nghiệp phản ánh về thủ tục cấp phép xây dựng.\nĐề nghị Sở Xây dựng xem xét.';
    expect(normalizeText(s)).toBe(s);
  });

  it('property: output is NFC, trimmed, has no control characters or double spaces, and is idempotent', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom(' ', '\t', '\n', '\r', '\u0000', '\u001F', '\u00A0', '\u0301', '\u0302', '\u0303', 'đ', 'Ư'),
        fc.constantFrom(...'aăâeêioôơuưyAĂÂ'),
        fc.string({ minLength: 1, maxLength: 1 }),
      ),
      maxLength: 60,
    });
    fc.assert(
      fc.property(text, (s) => {
        const out = normalizeText(s);
        expect(out.normalize('NFC')).toBe(out);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
        expect(out).not.toMatch(/[ \t]{2}|\t/);
        expect(normalizeText(out)).toBe(out);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('foldVietnamese', () => {
  it('lowercases and strips diacritics including đ/Đ', () => {
    expect(foldVietnamese('Đường Nguyễn Huệ')).toBe('duong nguyen hue');
    expect(foldVietnamese('ĐẮK LẮK')).toBe('dak lak');
    expect(foldVietnamese('Bà Rịa – Vũng Tàu')).toBe('ba ria – vung tau');
    expect(foldVietnamese('Sở Kế hoạch và Đầu tư')).toBe('so ke hoach va dau tu');
    expect(foldVietnamese('đđĐĐ')).toBe('dddd');
  });

  it('folds every Vietnamese vowel to its base letter', () => {
    const groups: Record<string, string> = {
      a: 'aàáảãạăằắẳẵặâầấẩẫậ',
      e: 'eèéẻẽẹêềếểễệ',
      i: 'iìíỉĩị',
      o: 'oòóỏõọôồốổỗộơờớởỡợ',
      u: 'uùúủũụưừứửữự',
      y: 'yỳýỷỹỵ',
      d: 'dđ',
    };
    for (const [base, letters] of Object.entries(groups)) {
      expect(foldVietnamese(letters)).toBe(base.repeat([...letters].length));
      expect(foldVietnamese(letters.toUpperCase())).toBe(base.repeat([...letters].length));
    }
  });

  it('treats composed and decomposed input alike', () => {
    const s = 'Cục Thuế tỉnh Quảng Ngãi';
    expect(foldVietnamese(s.normalize('NFD'))).toBe(foldVietnamese(s));
    expect(foldVietnamese(s)).toBe('cuc thue tinh quang ngai');
  });

  it('property: idempotent, insensitive to case and normalisation form', () => {
    const vi = fc.string({ unit: fc.constantFrom(...'aàáảãạăằắẳẵặâầấẩẫậđĐeếềểễệôồốổỗộơờớởỡợưừứửữự ỳýỷỹỵABCXYZ'), maxLength: 40 });
    fc.assert(
      fc.property(vi, (s) => {
        const f = foldVietnamese(s);
        expect(foldVietnamese(f)).toBe(f);
        expect(foldVietnamese(s.toUpperCase())).toBe(f);
        expect(foldVietnamese(s.normalize('NFD'))).toBe(f);
        expect(f).toMatch(/^[a-z ]*$/);
      }),
    );
  });
});

describe('tracking codes', () => {
  it('formats with at least 4 sequence digits', () => {
    expect(formatTrackingCode('2025-03-07', 1)).toBe('PAKN.20250307.0001');
    expect(formatTrackingCode('2025-03-07', 42)).toBe('PAKN.20250307.0042');
    expect(formatTrackingCode('2025-12-31', 9999)).toBe('PAKN.20251231.9999');
    expect(formatTrackingCode('2025-12-31', 10000)).toBe('PAKN.20251231.10000');
    expect(formatTrackingCode('2024-02-29', 123456)).toBe('PAKN.20240229.123456');
  });

  it('refuses impossible dates and sequences', () => {
    for (const d of ['2025-02-29', '2023-02-29', '1900-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '2025-01-00', '20250307', '2025-3-7', '']) {
      expect(() => formatTrackingCode(d, 1), d).toThrow(RangeError);
    }
    expect(formatTrackingCode('2000-02-29', 1)).toBe('PAKN.20000229.0001');
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => formatTrackingCode('2025-03-07', n), String(n)).toThrow(RangeError);
    }
  });

  it('parses codes, case-insensitively and ignoring surrounding whitespace', () => {
    expect(parseTrackingCode('PAKN.20250307.0001')).toEqual({ date: '2025-03-07', seq: 1 });
    expect(parseTrackingCode('pakn.20250307.0042')).toEqual({ date: '2025-03-07', seq: 42 });
    expect(parseTrackingCode('Pakn.20251231.10000')).toEqual({ date: '2025-12-31', seq: 10000 });
    expect(parseTrackingCode('  PAKN.20250307.0001\n')).toEqual({ date: '2025-03-07', seq: 1 });
  });

  it('returns null for malformed codes', () => {
    for (const s of [
      '',
      'PAKN',
      'PAKN.20250307',
      'PAKN.20250307.001',
      'PAKN.20250307.0000',
      'PAKN.20250307.01234',
      'PAKN-20250307-0001',
      'PAKN.2025037.0001',
      'PAKN.20250230.0001',
      'PAKN.20251301.0001',
      'XPAKN.20250307.0001',
      'PAKN.20250307.0001x',
      'PAKN.20250307.00a1',
      'PAKN .20250307.0001',
      'PAKN.20250307.99999999999999999999',
    ]) {
      expect(parseTrackingCode(s), s).toBeNull();
    }
  });

  it('property: parse(format(date, seq)) round-trips', () => {
    const date = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 100_000_000 }), (d, seq) => {
        const code = formatTrackingCode(d, seq);
        expect(code).toMatch(/^PAKN\.\d{8}\.\d{4,}$/);
        expect(parseTrackingCode(code)).toEqual({ date: d, seq });
        expect(parseTrackingCode(code.toLowerCase())).toEqual({ date: d, seq });
      }),
    );
  });
});
