/**
 * The Node floor: the least any Node service on this stack could do for a path — fastify and
 * pg with the service's pool size, running the service's own statement and nothing else (no
 * authentication, no validation, no mapping, no disclosure, no timeline seal). Where the service
 * falls short of pgbench, this says how much of the gap Node, pg and HTTP take by themselves on
 * the same machine.
 *
 *   DATABASE_URL  the benchmark's database
 *   POOL_SIZE     pg pool size (the service's DATABASE_POOL_SIZE)
 *   STATEMENT     a JSON file { kind: 'queue' | 'intake', text, values, code?, mailIds? } (bench/run.ts writes it)
 *
 * GET /queue runs the queue's SELECT (prepared, as the service runs it) and sends its rows as
 * JSON arrays of the server's text (no type parsing, no row objects: the least pg can do); POST /intake runs intake's five-insert statement (prepared) with a new tracking code and
 * message ids and answers 201 with the code.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import pg from 'pg';

interface FloorStatement {
  kind: 'queue' | 'intake';
  text: string;
  values: unknown[];
  /** intake: the tracking code among the values (replaced per request), and the day's prefix */
  code?: string;
  day?: string;
  /** intake: the message ids among the values (replaced per request) */
  mailIds?: string[];
}

const st = JSON.parse(readFileSync(process.env.STATEMENT!, 'utf8')) as FloorStatement;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 20) });
const app = Fastify({ logger: false });

if (st.kind === 'queue') {
  // the least work: rows as arrays of the server's text (no type parsing, no objects), one JSON.stringify
  const raw = { getTypeParser: () => (v: string) => v };
  const query = { name: 'floor_queue', text: st.text, values: st.values, rowMode: 'array' as const, types: raw };
  app.get('/queue', async (req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify((await pool.query(query)).rows)));
} else {
  let n = 60_000_000; // above any number the day's sequence reached while capturing
  const codeAt = st.values.indexOf(st.code);
  const mailAt = (st.mailIds ?? []).map((m) => st.values.indexOf(m));
  app.post('/intake', async (req, reply) => {
    const seq = ++n;
    const values = st.values.slice();
    const code = `${st.day}${String(seq).padStart(8, '0')}`;
    values[codeAt] = code;
    mailAt.forEach((i, k) => (values[i] = `<floor.${seq}.${k}@bench>`));
    await pool.query({ name: 'floor_intake', text: st.text, values });
    return reply.code(201).send({ trackingCode: code, size: JSON.stringify(req.body).length });
  });
}
app.get('/readyz', async () => ({ status: 'ready', pid: process.pid }));
await app.listen({ port: Number(process.env.PORT ?? 3994), host: '127.0.0.1' });
