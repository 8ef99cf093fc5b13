/**
 * What each audience may see of a case: the one rule every outward view applies.
 *
 * A confidential case (every tố cáo, and any case the coordinator marks so) hides its reporter
 * from the agency that handles it (Luật Tố cáo; SPEC §2): no name, tax code, phone, e-mail,
 * postal address, coordinates, nor attachment names that could carry them. Coordinators and
 * inspectors may see the reporter; each time they are shown a confidential reporter an access
 * record is kept (`recordAccess`). Whatever is published to people other than the case's own
 * business goes through maskPersonalText. See docs/decisions.md, "Who sees what".
 *
 * Pure: no I/O, no clock.
 */
import type { StaffRole } from './roles.js';
import { foldVietnamese } from './validators.js';

/** Case columns that identify the reporter (or where they are), in the order views list them. */
export const PERSONAL_FIELDS = ['businessName', 'taxCode', 'contactName', 'phone', 'email', 'address', 'lat', 'long'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** Keys that carry personal data inside timeline event data (the case columns, and mail recipients). */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set<string>([...PERSONAL_FIELDS, 'to', 'cc', 'filename', 'filenames']);

/** Who is looking. */
export type Audience =
  /** a staff member through the API, by role */
  | { kind: 'staff'; role: StaffRole }
  /** the case's own business on the tracking page (tracking code + access key) */
  | { kind: 'tracker' }
  /** an Open311 client app: `own` when it filed the case itself */
  | { kind: 'open311'; own: boolean }
  /** the monthly publication (web page, JSON, CSV) */
  | { kind: 'publication' }
  /** an e-mail: to the business itself, or to staff (agency, coordinator, province leadership) */
  | { kind: 'email'; to: 'business' | 'staff' }
  /** the agency's own system: the agency feed (and any push to it) */
  | { kind: 'feed' };

export interface Disclosure {
  /** the reporter's identity: all of it, only the business name (publication with consent), or nothing */
  reporter: 'full' | 'business_name' | 'hidden';
  /** postal address, locality code and coordinates */
  location: 'full' | 'hidden';
  /**
   * free text (title, content, notes, answers): as written; with the reporter's own identity
   * masked; through maskPersonalText (personal data of anyone); or not shown at all
   */
  text: 'full' | 'identity_masked' | 'masked' | 'none';
  /** attachment file names as uploaded, or neutral names (tệp-1.pdf) */
  attachmentNames: 'full' | 'neutral';
  /** staff-only notes and event data */
  internal: boolean;
  /**
   * the business's own words kept with its own actions (its replies, reasons and comments, which
   * staff read as internal text): shown back to the business itself, never to other outsiders
   */
  ownWords: boolean;
  /** the case is listed to this audience at all (Open311 to other apps: not tố cáo / khiếu nại) */
  listed: boolean;
  /** showing this view must leave an access record (a confidential reporter shown to staff) */
  recordAccess: boolean;
}

/** What disclose needs of a case. */
export interface DisclosureCase {
  kind: string;
  confidential: boolean;
  consentPublishName: boolean;
}

/** Kinds whose cases are never listed to Open311 apps other than the one that filed them. */
export const NOT_LISTED_TO_OTHER_APPS: readonly string[] = ['to_cao', 'khieu_nai'];

/** Staff roles that may see a confidential reporter (SPEC §2). */
export const SEES_CONFIDENTIAL_REPORTER: readonly StaffRole[] = ['coordinator', 'inspector'];

const FULL: Disclosure = { reporter: 'full', location: 'full', text: 'full', attachmentNames: 'full', internal: true, ownWords: true, listed: true, recordAccess: false };
/** the agency (or anyone outside the coordinator and inspectors) on a confidential case */
const HIDDEN_FROM_AGENCY: Disclosure = { ...FULL, reporter: 'hidden', location: 'hidden', text: 'identity_masked', attachmentNames: 'neutral' };

/** The one decision: what `audience` may see of case `c`. */
export function disclose(c: DisclosureCase, audience: Audience): Disclosure {
  switch (audience.kind) {
    case 'staff': {
      if (!c.confidential) return FULL;
      if (SEES_CONFIDENTIAL_REPORTER.includes(audience.role)) return { ...FULL, recordAccess: true };
      // agency roles, and admin (who manages the system and reads no case)
      return HIDDEN_FROM_AGENCY;
    }
    case 'feed':
      // the agency's system, whoever pulls it
      return c.confidential ? HIDDEN_FROM_AGENCY : FULL;
    case 'tracker':
      // the case's own business (it holds the key): all it sent, its own words; no staff notes
      return { ...FULL, internal: false, ownWords: true };
    case 'open311':
      if (audience.own) return { ...FULL, reporter: 'hidden', internal: false, ownWords: false };
      return {
        reporter: 'hidden',
        location: c.confidential ? 'hidden' : 'full',
        text: 'none',
        attachmentNames: 'neutral',
        internal: false,
        ownWords: false,
        listed: !c.confidential && !NOT_LISTED_TO_OTHER_APPS.includes(c.kind),
        recordAccess: false,
      };
    case 'publication':
      return {
        reporter: c.consentPublishName && !c.confidential ? 'business_name' : 'hidden',
        location: 'hidden',
        text: 'masked',
        attachmentNames: 'neutral',
        internal: false,
        ownWords: false,
        listed: true,
        recordAccess: false,
      };
    case 'email':
      if (audience.to === 'business') return { ...FULL, internal: false, ownWords: true };
      // staff mail travels outside the API (no access record is possible): never the reporter
      return { ...HIDDEN_FROM_AGENCY, text: c.confidential ? 'identity_masked' : 'full' };
  }
}

/** The event of a lost key reissued to the case's e-mail address (never carries the key). */
export const ACCESS_KEY_REISSUE = 'access_key_reissue';

/**
 * Events only the reporter's own self-service causes (a lost key reissued to the case's e-mail
 * address). Seen by someone who does not know the reporter, such an event would confirm a guess
 * of who the reporter is (ask for a key with a suspect's address, watch the case): it is shown
 * only to audiences that see the reporter anyway.
 */
export const REPORTER_ACTIVITY_ACTIONS: ReadonlySet<string> = new Set<string>([ACCESS_KEY_REISSUE]);

/** Whether an event with this action may be shown to an audience with decision `d`. */
export const eventShown = (action: string, d: Disclosure): boolean => d.reporter === 'full' || !REPORTER_ACTIVITY_ACTIONS.has(action);

/** Shorthand for staff roles. */
export const discloseToStaff = (c: DisclosureCase, role: StaffRole): Disclosure => disclose(c, { kind: 'staff', role });

// ---------------------------------------------------------------- masking free text

export const MASK = '[đã ẩn]';

/** The case's own identity, to mask wherever free text repeats it. */
export interface Identity {
  businessName?: string | null;
  contactName?: string | null;
  taxCode?: string | null;
  phone?: string | null;
  email?: string | null;
  /** the business consented to publication of its name: its identity is then not masked */
  consentPublishName?: boolean;
  confidential?: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** e-mail addresses */
const EMAIL_RE = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** a number after a word that says what it is (CCCD, CMND, mã số thuế, điện thoại …), any spacing */
const LABELLED_RE =
  /((?:CCCD|CMND|CMT|căn cước(?: công dân)?|chứng minh(?: nhân dân| thư)?|hộ chiếu|MST|mã số thuế|mã số doanh nghiệp|số điện thoại|điện thoại|ĐT|SĐT|SDT|di động|hotline|Zalo)\s*(?:số|:|là)?\s*[:.]?\s*)(\+?\p{N}(?:[\s.-]?\p{N}){7,14})/giu;
/** Vietnamese phone numbers: 0… or +84/84…, 9–11 digits, optionally grouped by space, dot or dash */
const PHONE_RE = /(?<![\p{N}\p{L}.])(?:\+84|84|0)(?:[\s.-]?\p{N}){8,10}(?![\p{N}])/gu;
/** a digit, which LABELLED_RE, PHONE_RE and LONG_NUMBER_RE all need */
const ANY_DIGIT_RE = /\p{N}/u;
/** bare ID numbers: CMND (9), tax code (10, or 10-3), CCCD (12), up to 13 digits */
const LONG_NUMBER_RE = /(?<![\p{N}\p{L}.,])\p{N}{9,13}(?:-\p{N}{3})?(?![\p{N}])/gu;

/**
 * The digits of a phone or tax code as masked: all of them, or, for a Vietnamese number, the
 * national part after 0 / 84 (0912345678 also matches +84 912 345 678); null when too short.
 */
function digitsOf(value: string): { digits: string; national: boolean } | null {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6) return null;
  if (digits.startsWith('84') && digits.length >= 11) return { digits: digits.slice(2), national: true };
  if (digits.startsWith('0')) return { digits: digits.slice(1), national: true };
  return { digits, national: false };
}

/** A literal that also matches other spacings of the same digits (phones, tax codes). */
function digitsPattern(p: { digits: string; national: boolean }): string {
  const spaced = p.digits.split('').join('[\\s.-]?');
  return p.national ? `(?:(?:\\+?84|0)[\\s.-]?${spaced})` : spaced;
}

/** the separators digitsPattern allows between digits (any match has the digits in a row once they are removed) */
const DIGIT_SEPARATORS_RE = /[\s.-]/g;
/** one regular expression per character: whether a text has that character, in any letter case (the identity pattern's flags) */
const charRes = new Map<string, RegExp>();
function hasCharIgnoringCase(text: string, ch: string): boolean {
  let re = charRes.get(ch);
  if (re === undefined) {
    if (charRes.size >= 4096) charRes.clear();
    re = new RegExp(escapeRe(ch), 'iu');
    charRes.set(ch, re);
  }
  return re.test(text);
}

/**
 * Masks personal data in free text shown to people other than the case's own business: e-mail
 * addresses, phone numbers, ID card numbers (CCCD/CMND), tax codes, and — unless the business
 * consented to publication (and the case is not confidential) — the case's own business name,
 * contact name, tax code, phone and e-mail.
 */
export function maskPersonalText(text: string, identity?: Identity): string {
  let out = text.normalize('NFC');
  if (identity && !(identity.consentPublishName && !identity.confidential)) out = maskIdentity(out, identity);
  // an e-mail address has an @, and the three number patterns a digit: texts without are left as they are
  if (out.includes('@')) out = out.replace(EMAIL_RE, MASK);
  if (!ANY_DIGIT_RE.test(out)) return out;
  return out
    .replace(LABELLED_RE, (_m, label: string) => `${label}${MASK}`)
    .replace(PHONE_RE, MASK)
    .replace(LONG_NUMBER_RE, MASK);
}

/**
 * Masks only the case's own reporter in free text (whatever the consent): their business name,
 * contact name, tax code, phone and e-mail, in any letter case and digit spacing. What the agency
 * reads of a confidential case; other names and numbers in it are the matter of the case.
 */
export function maskIdentity(text: string, identity: Identity): string {
  const norm = text.normalize('NFC');
  const names: string[] = [];
  for (const v of [identity.businessName, identity.contactName, identity.email]) {
    const t = v?.normalize('NFC').trim();
    if (t && t.length >= 3) names.push(t);
  }
  const numbers: Array<{ digits: string; national: boolean }> = [];
  for (const v of [identity.taxCode, identity.phone]) {
    const p = v ? digitsOf(v) : null;
    if (p) numbers.push(p);
  }
  // Compiling the masking expression (its Unicode letter and digit classes) costs about a
  // millisecond, most texts repeat none of the identity, and the monthly publication masks the
  // answer of every answered case of the month: a necessary condition of a match is tested
  // first, and the expression is skipped only when no part can match.
  if (!names.some((t) => mayContainName(norm, t)) && !numbers.some((p) => mayContainDigits(norm, p.digits))) return norm;
  const parts = [...names.map((t) => escapeRe(t).replace(/\s+/g, '\\s+')), ...numbers.map(digitsPattern)];
  // longest first, so that a contact name inside the business name does not leave a half
  parts.sort((a, b) => b.length - a.length);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${parts.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return norm.replace(re, MASK);
}

const WHITESPACE_RE = /\s/;
/** a match of a name or e-mail has every character of it (whitespace runs aside), in some letter case */
function mayContainName(text: string, name: string): boolean {
  for (const ch of name) if (!WHITESPACE_RE.test(ch) && !hasCharIgnoringCase(text, ch)) return false;
  return true;
}

/** a match of a phone or tax code has its digits in a row once the separators are removed */
function mayContainDigits(text: string, digits: string): boolean {
  // the first digit must occur at all (most texts fail here, without a copy)
  return text.includes(digits[0]) && text.replace(DIGIT_SEPARATORS_RE, '').includes(digits);
}

/**
 * What a case's search text holds (cases.search_text, matched by the work queue's `q`): its title
 * and content folded (accents, đ and case removed). On a confidential case, without its
 * reporter's identity in any accents or case: agency roles search it, and a match on a guessed
 * name, phone or tax code would confirm who reported (the list masks it, the search must too).
 */
export function searchTextOf(title: string, content: string, who: Identity & { confidential: boolean }): string {
  const folded = foldVietnamese(`${title}\n${content}`);
  if (!who.confidential) return folded;
  const fold = (v: string | null | undefined) => (v == null ? v : foldVietnamese(v));
  const identity: Identity = { businessName: fold(who.businessName), contactName: fold(who.contactName), email: fold(who.email), taxCode: who.taxCode, phone: who.phone };
  return maskIdentity(folded, identity).split(foldVietnamese(MASK)).join(' ');
}

/** Free text as `d` allows it (null when not shown). */
export function discloseText(d: Disclosure, text: string | null | undefined, identity: Identity): string | null {
  if (text == null) return null;
  switch (d.text) {
    case 'full':
      return text;
    case 'identity_masked':
      return maskIdentity(text, identity);
    case 'masked':
      return maskPersonalText(text, identity);
    case 'none':
      return null;
  }
}

/** The name an attachment is shown under: as uploaded, or neutral ("tệp-2.pdf") keeping the extension. */
export function attachmentName(d: Disclosure, filename: string, index: number): string {
  if (d.attachmentNames === 'full') return filename;
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase();
  return `tep-${index + 1}${ext ? `.${ext}` : ''}`;
}

/** Actions of the business whose internal text is the business's own words. */
export const OWN_WORDS_ACTIONS: ReadonlySet<string> = new Set(['reply', 'dispute', 'withdraw', 'rate']);

/**
 * The business's own words on one of its own events (a reply, a dispute or withdrawal reason, a
 * rating comment), when `d` shows them; null for every other event, whatever its internal text.
 */
export function ownWordsOf(d: Disclosure, e: { actorRole: string; action: string; internalText: string | null }): string | null {
  if (!d.ownWords || e.actorRole !== 'public' || !OWN_WORDS_ACTIONS.has(e.action)) return null;
  const t = e.internalText?.trim();
  return t ? t : null;
}

/** Event data without the keys that carry personal data (when the reporter is hidden). */
export function discloseData(d: Disclosure, data: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!data || d.reporter === 'full') return data;
  return Object.fromEntries(Object.entries(data).filter(([k]) => !PERSONAL_KEYS.has(k)));
}
