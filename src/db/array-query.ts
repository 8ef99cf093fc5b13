/**
 * The hot reads (every staff request's token lookup, the work queue's common shapes) as
 * statements built once per process whose rows come from the driver as arrays and become
 * objects of one fixed shape in a single step: no per-row, per-column mapping by the ORM. The
 * query is still written with drizzle (so the SQL is the one the rest of the code and the
 * benchmark's ceiling use); only its execution is direct.
 *
 * Values are those of the drivers' own parsers, which agree for what these statements select
 * (text, integers, booleans, jsonb as parsed JSON, timestamptz as Date): on PostgreSQL a
 * timestamptz in PostgreSQL's ISO output is read by arithmetic (`parseTimestamptz`), anything
 * else by pg's own parser.
 */
import type { PGlite } from '@electric-sql/pglite';
import { Column, is, noopDecoder, Placeholder, SQL } from 'drizzle-orm';
import pg from 'pg';
import { clientOf, namedStatement, namedStatementsOn, type Executor } from './client.js';

const TIMESTAMPTZ_OID = 1184;
const pgParser = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (s: string) => Date | number | null;
/** pg's own reading, always a Date: ±infinity and what it cannot read become an Invalid Date, as drizzle's `new Date(text)` gives */
const pgTimestamptz = (s: string): Date => {
  const v = pgParser(s);
  return v instanceof Date ? v : new Date(Number.NaN);
};

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);
/** where "YYYY-MM-DD HH:MM:SS" has its digits */
const DIGITS_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * A timestamptz as PostgreSQL writes it with DateStyle ISO ("2026-11-20 10:00:00.123456+07",
 * "+05:30" or "+05:30:15" offsets, no fraction when it is zero), to the millisecond (the
 * microseconds truncated, as pg's own parser does); any other shape (BC, years past 9999) by
 * pg's own parser; ±infinity and text neither can read as an Invalid Date (as drizzle gives).
 */
export function parseTimestamptz(s: string): Date {
  const n = s.length;
  if (n < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return pgTimestamptz(s);
  for (const at of DIGITS_AT) {
    const d = digit(s, at);
    if (d < 0 || d > 9) return pgTimestamptz(s);
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + two(s, 2);
  if (year < 100) return pgTimestamptz(s); // Date.UTC reads 0–99 as 1900–1999
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    let scale = 100;
    i++;
    while (i < n) {
      const d = digit(s, i);
      if (d < 0 || d > 9) break;
      ms += d * scale;
      scale /= 10;
      i++;
    }
    ms = Math.trunc(ms);
  }
  const sign = s.charCodeAt(i);
  if ((sign !== 43 && sign !== 45) || (n !== i + 3 && n !== i + 6 && n !== i + 9)) return pgTimestamptz(s);
  for (let k = i + 1; k < n; k++) {
    const d = digit(s, k);
    if ((d < 0 || d > 9) && !(s.charCodeAt(k) === 58 && (k === i + 3 || k === i + 6))) return pgTimestamptz(s);
  }
  let offset = two(s, i + 1) * 3600 + (n > i + 3 ? two(s, i + 4) * 60 : 0) + (n > i + 6 ? two(s, i + 7) : 0);
  if (sign === 45) offset = -offset;
  return new Date(Date.UTC(year, two(s, 5) - 1, two(s, 8), two(s, 11), two(s, 14), two(s, 17), ms) - offset * 1000);
}

const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMPTZ_OID && format !== 'binary' ? parseTimestamptz : pg.types.getTypeParser(oid, format as 'text')),
};

/**
 * Column types whose driver value is what drizzle returns, and those whose value becomes a number
 * (bigint in number mode: pg gives int8 as text). Any other column type is refused when the
 * statement is built, so a new column of another type cannot come back unmapped.
 */
const AS_IS = new Set(['PgInteger', 'PgSerial', 'PgSmallInt', 'PgText', 'PgVarchar', 'PgChar', 'PgBoolean', 'PgJsonb', 'PgJson', 'PgDoublePrecision', 'PgReal', 'PgUUID']);
const AS_NUMBER = new Set(['PgBigInt53', 'PgBigSerial53']);

type FieldKind = 'as_is' | 'number';

/** How a selected field's driver value becomes drizzle's: a column by its type (a timestamptz in date mode as is), SQL by its mapWith column, if any. */
function fieldKind(name: string, field: unknown): FieldKind {
  const expr = is(field, SQL.Aliased) ? field.sql : field;
  const decoder = is(expr, SQL) ? (expr as unknown as { decoder?: unknown }).decoder : undefined;
  const col = is(expr, Column) ? expr : is(decoder, Column) ? decoder : undefined;
  if (!col) {
    // raw SQL without mapWith: the driver's value as is (select only text, numbers, booleans, jsonb that way)
    if (is(expr, SQL) && decoder === noopDecoder) return 'as_is';
    if (is(expr, SQL)) throw new Error(`field ${name}: SQL mapped with a function (mapWith a column instead)`);
    throw new Error(`field ${name} is not a column or SQL`);
  }
  const type = col.columnType;
  if (AS_NUMBER.has(type)) return 'number';
  if (AS_IS.has(type)) return 'as_is';
  if (type === 'PgTimestamp' && (col as unknown as { withTimezone: boolean }).withTimezone) return 'as_is';
  throw new Error(`field ${name}: column type ${type} is not read by arrayQuery`);
}

/** A function building `{ [fields[i]]: row[i] }` with one fixed shape (fields are identifiers of our own code). */
function rowMapper<T>(fields: ReadonlyArray<{ name: string; kind: FieldKind }>): (row: unknown[]) => T {
  for (const f of fields) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.name)) throw new Error(`not an identifier: ${f.name}`);
  const value = (kind: FieldKind, i: number) => (kind === 'number' ? `r[${i}] === null ? null : Number(r[${i}])` : `r[${i}]`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a literal of known identifiers, built once
  return new Function('r', `return { ${fields.map((f, i) => `${f.name}: ${value(f.kind, i)}`).join(', ')} };`) as (row: unknown[]) => T;
}

interface Built {
  toSQL(): { sql: string; params: unknown[] };
  /** drizzle's selected fields, in select order (a select builder's `_.selectedFields`) */
  _: { selectedFields: Record<string, unknown> };
}

export interface ArrayQuery<P extends Record<string, unknown>, T> {
  run(ex: Executor, params: P): Promise<T[]>;
}

/**
 * `built` (a drizzle select with `sql.placeholder(...)` parameters and no nested objects in its
 * selection) as an ArrayQuery named `base` plus a hash of its SQL (client.ts namedStatement): a
 * named statement, parsed and planned once per connection, unless the database was opened with
 * named statements off.
 */
export function arrayQuery<P extends Record<string, unknown>, T>(built: Built, base: string): ArrayQuery<P, T> {
  const { sql: text, params } = built.toSQL();
  const fields = Object.entries(built._.selectedFields).map(([name, field]) => {
    try {
      return { name, kind: fieldKind(name, field) };
    } catch (e) {
      throw new Error(`${base}: ${(e as Error).message}`);
    }
  });
  const toRow = rowMapper<T>(fields);
  const named = namedStatement(base, text);
  const values = (p: P) =>
    params.map((v) => {
      if (!is(v, Placeholder)) return v;
      const { name } = v as Placeholder;
      if (!(name in p)) throw new Error(`${base}: no value for placeholder ${name}`);
      return p[name];
    });
  return {
    async run(ex, p) {
      const client = clientOf(ex);
      let rows: unknown[][];
      if (client instanceof pg.Pool || client instanceof pg.Client) {
        const name = namedStatementsOn(ex) ? named : undefined;
        rows = (await client.query({ name, text, values: values(p), rowMode: 'array', types } as pg.QueryConfig)).rows as unknown as unknown[][];
      } else if (client && typeof (client as PGlite).query === 'function') {
        rows = (await (client as PGlite).query<unknown[]>(text, values(p), { rowMode: 'array' })).rows;
      } else {
        throw new Error(`${base}: no pg or PGlite client behind this handle`);
      }
      return rows.map(toRow);
    },
  };
}
