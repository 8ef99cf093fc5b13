/**
 * Access keys a person can read out over the phone and type: 12 Crockford base32 characters
 * (no I, L, O, U), upper case, in three groups of four ("K7QM-4XRP-9TWD"), 60 random bits.
 * Matching ignores case, spaces and hyphens, and reads O as 0 and I/L as 1 (Crockford's
 * decoding rules). Keys issued before (16 case-sensitive base64url characters) keep working:
 * they are compared as typed, trimmed.
 */
import { randomBytes } from 'node:crypto';
import { safeEqualHex, sha256Hex } from './crypto.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const KEY_CHARS = 12;

/** A new key, e.g. "K7QM-4XRP-9TWD". */
export function newAccessKey(): string {
  const bytes = randomBytes(8);
  let bits = bytes.readBigUInt64BE(0);
  let out = '';
  for (let i = 0; i < KEY_CHARS; i++) {
    out += ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`;
}

/** The 12-character canonical form of a typed key, or null when it cannot be a new-style key. */
export function canonicalAccessKey(typed: string): string | null {
  const s = typed
    .replace(/[\s\-‐-―]+/g, '')
    .toUpperCase()
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (s.length !== KEY_CHARS) return null;
  for (const ch of s) if (!ALPHABET.includes(ch)) return null;
  return s;
}

/** What is stored for a new key: the hash of its canonical form. */
export function hashAccessKey(key: string): string {
  const c = canonicalAccessKey(key);
  if (!c) throw new Error('not an access key');
  return sha256Hex(c);
}

/** True when the typed key matches the stored hash (new keys by canonical form, older keys as typed). */
export function accessKeyMatches(typed: string, storedHash: string): boolean {
  const raw = typed.trim();
  if (raw === '') return false;
  const c = canonicalAccessKey(raw);
  const byCanonical = c !== null && safeEqualHex(sha256Hex(c), storedHash);
  const asTyped = safeEqualHex(sha256Hex(raw), storedHash);
  return byCanonical || asTyped;
}

