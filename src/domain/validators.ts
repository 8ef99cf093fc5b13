// C0 controls except \t (09) and \n (0A), DEL, C1 controls, zero-width space and byte-order mark.
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B\uFEFF]/g;
// Horizontal whitespace: space, tab, no-break space and the other Unicode space separators.
const HORIZONTAL_SPACE_RUN = /[ \t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;

/**
 * NFC-normalises, converts CR/CRLF to LF, strips control characters (except \n and \t),
 * collapses runs of horizontal whitespace to one space, drops whitespace at line ends and trims.
 */
export function normalizeText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_CHARS, '')
    .normalize('NFC')
    .replace(HORIZONTAL_SPACE_RUN, ' ')
    .replace(/ +\n/g, '\n')
    .trim();
}

// Bidirectional controls and invisible characters: ZWSP, ZWNJ, ZWJ, LRM, RLM (U+200B–U+200F), the
// embeddings and overrides (U+202A–U+202E), word joiner, invisible operators and isolates
// (U+2060–U+2069), and the byte-order mark. They can make a name read differently from what is stored.
const INVISIBLE_CHARS = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/**
 * A one-line field (a name, a title, an address): normalised as by normalizeText, without bidi and
 * invisible characters, line breaks turned into spaces.
 */
export function normalizeLine(s: string): string {
  return normalizeText(s.replace(INVISIBLE_CHARS, '')).replace(/\s*\n\s*/g, ' ');
}

/** Lowercases and strips diacritics (including đ/Đ → d) for accent-insensitive matching. */
export function foldVietnamese(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .normalize('NFC');
}

const TAX_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;
const TAX_CODE_SHAPE = /^(\d{10})(?:-(\d{3}))?$/;

/** Check digit for a 9-digit tax code prefix, or null when no digit can make the code valid. */
export function taxCodeCheckDigit(prefix9: string): number | null {
  if (!/^\d{9}$/.test(prefix9)) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(prefix9[i]) * TAX_WEIGHTS[i];
  const check = 10 - (sum % 11);
  return check >= 0 && check <= 9 ? check : null;
}

/**
 * A tax code as people type it, made canonical: spaces and dots between digit groups dropped,
 * and hyphens too when the digits are exactly 10 (a head office) or 13 (a branch, written
 * 0123456789-001). "0100 109 106", "0100.109.106" and "0100-109-106" all read 0100109106;
 * "0100109106 - 001" and "0100109106001" read 0100109106-001. Anything else comes back
 * without its spaces and dots, for taxCodeError to name what is wrong.
 */
export function normalizeTaxCode(s: string): string {
  const raw = s.trim();
  if (/^\d[\d\s.\-]*\d$/.test(raw)) {
    const digits = raw.replace(/\D/g, '');
    if (digits.length === 10) return digits;
    if (digits.length === 13) return `${digits.slice(0, 10)}-${digits.slice(10)}`;
  }
  return raw.replace(/[\s.]+/g, '');
}

export function taxCodeError(s: string): string | null {
  const v = s.trim();
  if (v === '') return 'Chưa nhập mã số thuế.';
  const m = TAX_CODE_SHAPE.exec(v);
  if (!m) {
    const main = v.split('-')[0];
    if (/[^\d-]/.test(v)) {
      return 'Mã số thuế chỉ được gồm chữ số và dấu gạch ngang (dạng 0123456789 hoặc 0123456789-001).';
    }
    if (main.length !== 10) {
      return `Mã số thuế phải có đúng 10 chữ số (đang có ${main.length} chữ số).`;
    }
    return 'Mã chi nhánh sau dấu gạch ngang phải gồm đúng 3 chữ số (dạng 0123456789-001).';
  }
  const [, main, branch] = m;
  const check = taxCodeCheckDigit(main.slice(0, 9));
  if (check === null || check !== Number(main[9])) {
    return 'Mã số thuế không hợp lệ: chữ số kiểm tra (chữ số thứ 10) không khớp. Vui lòng kiểm tra lại.';
  }
  if (branch === '000') return 'Mã chi nhánh (3 chữ số sau dấu gạch ngang) không được là 000.';
  return null;
}

/** Vietnamese tax code (MST): 10 digits with a valid check digit, optionally followed by "-" and a 3-digit branch number. */
export function isValidTaxCode(s: string): boolean {
  return taxCodeError(s) === null;
}

const MOBILE = /^0[35789]\d{8}$/;
const LANDLINE = /^02\d{9}$/;
const SERVICE = /^1[89]00(?:\d{4}|\d{6})$/;

/**
 * Canonical Vietnamese phone number (digits only, leading 0 for subscriber numbers), or null.
 * Accepts +84 / 84 / 0084 prefixes and spaces, dots, dashes and parentheses as separators.
 */
export function normalizePhone(s: string): string | null {
  const trimmed = s.replace(/[()]/g, ' ').trim();
  if (!/^\+?[\d\s.\-]+$/.test(trimmed)) return null;
  if (!/\d/.test(trimmed)) return null;
  const hasPlus = trimmed.startsWith('+');
  let digits = trimmed.replace(/\D/g, '');

  if (hasPlus) {
    if (!digits.startsWith('84')) return null;
    digits = digits.slice(2);
  } else if (digits.startsWith('0084')) {
    digits = digits.slice(4);
  } else if (digits.startsWith('84') && (digits.length === 11 || digits.length === 12)) {
    digits = digits.slice(2);
  } else {
    if (SERVICE.test(digits)) return digits;
    return MOBILE.test(digits) || LANDLINE.test(digits) ? digits : null;
  }
  // After a country prefix: subscriber number, with an optional (mistaken) trunk 0.
  const national = digits.startsWith('0') ? digits : `0${digits}`;
  return MOBILE.test(national) || LANDLINE.test(national) ? national : null;
}

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TLD = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** Pragmatic address check: dot-atom local part (≤ 64), DNS domain with at least two labels, total ≤ 254. */
export function isValidEmail(s: string): boolean {
  if (s.length === 0 || s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.length > 64 || !EMAIL_LOCAL.test(local)) return false;
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((l) => DOMAIN_LABEL.test(l))) return false;
  return TLD.test(labels[labels.length - 1]);
}

const TRACKING_PREFIX = 'PAKN';
const TRACKING_CODE = /^PAKN\.(\d{4})(\d{2})(\d{2})\.(\d{4,})$/i;

function isValidCalendarDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return d <= days;
}

/** PAKN.YYYYMMDD.NNNN — sequence zero-padded to at least 4 digits. Throws RangeError on a bad date or sequence. */
export function formatTrackingCode(localDate: string, seq: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!m || !isValidCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new RangeError(`Invalid local date for tracking code: '${localDate}' (expected YYYY-MM-DD)`);
  }
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new RangeError(`Invalid tracking sequence: ${seq} (expected a positive integer)`);
  }
  return `${TRACKING_PREFIX}.${m[1]}${m[2]}${m[3]}.${String(seq).padStart(4, '0')}`;
}

/** Parses a tracking code (prefix case-insensitive, surrounding whitespace ignored); null if malformed or non-canonical. */
export function parseTrackingCode(s: string): { date: string; seq: number } | null {
  const m = TRACKING_CODE.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, seqText] = m;
  if (!isValidCalendarDate(Number(y), Number(mo), Number(d))) return null;
  if (seqText.length > 4 && seqText.startsWith('0')) return null;
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  return { date: `${y}-${mo}-${d}`, seq };
}
