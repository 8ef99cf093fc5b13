/**
 * The pgbench script of intake's own statement: one public submission (the benchmark's body)
 * goes through the service in process on the benchmark's database, and the statement it sends
 * (the named five-insert statement: the case, its two events, its two messages, with the real
 * texts) is captured and written out with its values as literals. Only what must be unique
 * changes per transaction: the tracking code (the day's number from a sequence, as the service
 * draws it) and the messages' ids. The chain seal that follows a submission is not in it (the
 * service seals many submissions per round), as the hand-written bench/intake-tx.sql leaves it out.
 */
import { writeFileSync } from 'node:fs';
import type pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { systemClock } from '../src/lib/clock.js';
import { INTAKE_BODY, SIGNING_KEY } from './lib.js';

/**
 * A value as an SQL literal pgbench leaves alone: with its prepared protocol pgbench reads any
 * colon followed by a letter or digit as a variable, even inside quotes, so a text with colons
 * is written as a Unicode-escape string (U&'17\003A00'), still an untyped literal.
 */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `array[${v.map(literal).join(', ')}]::text[]`;
  const s = String(v).replace(/'/g, "''");
  return /[:\\]/.test(s) ? `U&'${s.replace(/\\/g, '\\\\').replace(/:/g, '\\003A')}'` : `'${s}'`;
}

/** Intake's statement as one submission through the service sent it, and the values that must change per transaction. */
export interface IntakeStatement {
  /** the statement's name in the service, without its hash (its shape) */
  name: string;
  text: string;
  values: unknown[];
  /** the tracking code among the values, and its day's prefix (the code up to its number) */
  code: string;
  day: string;
  /** the message ids among the values */
  mailIds: string[];
}

const isMessageId = (v: unknown): v is string => typeof v === 'string' && /^<[^<>\s]+@[^<>\s]+>$/.test(v);

export async function captureIntakeStatement(d: Database, url: string): Promise<IntakeStatement> {
  let captured: { name: string; text: string; values: unknown[] } | undefined;
  const pool = d.pool!;
  const query = pool.query.bind(pool) as (...a: unknown[]) => unknown;
  (pool as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
    const cfg = a[0] as pg.QueryConfig | undefined;
    if (cfg && typeof cfg === 'object' && cfg.name?.startsWith('pakn_intake_')) captured = { name: cfg.name, text: cfg.text, values: cfg.values ?? [] };
    return query(...a);
  };
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, LOG_LEVEL: 'warn', PAKN_DISABLE_CRON: '1', PAKN_SIGNING_KEY: SIGNING_KEY });
  const app = await buildApp({ config, database: d, clock: systemClock });
  try {
    const res = await app.inject({ method: 'POST', url: '/api/v1/public/cases', payload: INTAKE_BODY });
    if (res.statusCode !== 201) throw new Error(`intake answered ${res.statusCode}: ${res.body}`);
    if (!captured) throw new Error('intake sent no pakn_intake statement');
    const code = (res.json() as { trackingCode: string }).trackingCode;
    const mailIds = captured.values.filter(isMessageId);
    if (mailIds.length === 0) throw new Error('no message id found among the statement’s values');
    if (!captured.values.includes(code)) throw new Error('the tracking code is not among the statement’s values');
    return { name: captured.name.replace(/_[0-9a-f]{12}$/, ''), text: captured.text, values: captured.values, code, day: code.slice(0, code.lastIndexOf('.') + 1), mailIds };
  } finally {
    await app.close();
  }
}

/** Writes the pgbench script of the captured statement to `file`. */
export function writeIntakeStatementScript(st: IntakeStatement, file: string): void {
  let mail = 0;
  const values = st.values.map((v) => {
    if (v === st.code) return `'${st.day}' || lpad(:pakn_seq::text, 8, '0')`;
    if (isMessageId(v)) return `'<pgb.' || :pakn_seq::text || '.${++mail}@bench>'`;
    return literal(v);
  });
  // one pass over the statement's own text (a value's text is never read again)
  const text = st.text.replace(/\s*\n\s*/g, ' ').replace(/\$(\d+)/g, (_, k: string) => values[Number(k) - 1]);
  writeFileSync(file, `SELECT nextval('pakn_tracking_bench') AS pakn_seq \\gset\n${text};\n`);
}
