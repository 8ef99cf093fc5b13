import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

/**
 * Generated requests over every route of the OpenAPI document (public and staff, with every
 * role): no answer is ever a 5xx, and a rejected request (4xx) leaves the database as it was.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

type Op = { method: string; path: string; bodySchema: JsonSchema | null; querySchema: Array<{ name: string; schema: JsonSchema }> };
type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; enum?: unknown[]; anyOf?: JsonSchema[]; $ref?: string };

let t: TestApp;
let ops: Op[] = [];
let components: Record<string, JsonSchema> = {};

beforeAll(async () => {
  // the public rate limit would answer 429 before the input is read
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '1000000', PAKN_RATE_LIMIT_STAFF: '1000000' } });
  const doc = t.app.swagger() as unknown as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema: JsonSchema }> }; parameters?: Array<{ in: string; name: string; schema: JsonSchema }> }>>;
    components?: { schemas?: Record<string, JsonSchema> };
  };
  components = doc.components?.schemas ?? {};
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      // revoking tokens or clients would only shrink what the rest of the run can reach
      if (method === 'delete' && /tokens|api-clients/.test(path)) continue;
      const content = op.requestBody?.content ?? {};
      const bodySchema = (content['application/json'] ?? Object.values(content)[0])?.schema ?? null;
      const querySchema = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema }));
      ops.push({ method: method.toUpperCase(), path, bodySchema, querySchema });
    }
  }
});
afterAll(async () => t?.close());

const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(''),
  fc.constantFrom('2026-13-45', '0100109107', 'PAKN.20260302.0001', '../../etc/passwd', "' or 1=1 --", '<script>', '\u0000', 'đất đai', '9'.repeat(30)),
  fc.string({ maxLength: 12, unit: fc.oneof(fc.constantFrom('a', 'đ', ' ', '\u200b', '\u202e'), fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c))) }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

function resolve(s: JsonSchema | undefined): JsonSchema | undefined {
  if (s?.$ref) return components[s.$ref.split('/').pop()!];
  return s;
}

/** A value shaped by the schema most of the time, junk the rest. */
function valueFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (!s || depth > 3) return junk;
  const shaped: fc.Arbitrary<unknown>[] = [];
  if (s.enum) shaped.push(fc.constantFrom(...s.enum));
  if (s.anyOf) shaped.push(...s.anyOf.map((x) => valueFor(x, depth + 1)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'object' && s.properties) {
    const keys = Object.keys(s.properties);
    shaped.push(
      fc.record(Object.fromEntries(keys.map((k) => [k, valueFor(s.properties![k], depth + 1)])), { requiredKeys: [] }),
    );
  }
  if (type === 'array') shaped.push(fc.array(valueFor(s.items, depth + 1), { maxLength: 4 }));
  if (type === 'string') shaped.push(fc.string({ maxLength: 60 }), fc.constantFrom('2026-03-02T09:00:00+07:00', '2026-03-02', 'a@b.vn', '0912345678', '0100109106'));
  if (type === 'integer' || type === 'number') shaped.push(fc.integer({ min: -5, max: 40 }), fc.constant(1), fc.constant(2));
  if (type === 'boolean') shaped.push(fc.boolean());
  return shaped.length ? fc.oneof({ weight: 4, arbitrary: fc.oneof(...shaped) }, { weight: 1, arbitrary: junk }) : junk;
}

const pathValue = fc.oneof(
  fc.constantFrom('1', '2', '3', '999999', '0', '-1', 'abc', 'PAKN.20260302.0001', '%00', '2026-03', '2026', '9'.repeat(25)),
  fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('%00', '1%00', 'a%0Ab', '%1F', '%7F', '%C2%85', '%09'),
);

async function fingerprint(): Promise<string> {
  const r = await t.database.db.execute(sql`select
    (select count(*) from cases) || '/' || (select coalesce(sum(version), 0) from cases) || '/' || (select coalesce(max(updated_at)::text, '') from cases) || '/' ||
    (select count(*) from case_events) || '/' || (select count(*) from outbox) || '/' || (select count(*) from agencies) || '/' ||
    (select count(*) from categories) || '/' || (select count(*) from localities) || '/' || (select count(*) from users) || '/' ||
    (select count(*) from api_tokens where revoked_at is null) || '/' || (select count(*) from routing_rules) || '/' ||
    (select count(*) from sla_policies) || '/' || (select count(*) from calendar_years) || '/' || (select count(*) from reports) as f`);
  return String((r.rows[0] as { f: string }).f);
}

describe(`generated requests over every route on ${dbLabel}`, () => {
  it(`answers ${RUNS} generated requests without a 5xx, and a rejected one changes nothing`, async () => {
    expect(ops.length).toBeGreaterThan(20);
    const roles = ['none', ...Object.keys(t.tokens)];
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: ops.length - 1 }).chain((i) =>
          fc.record({
            i: fc.constant(i),
            role: fc.constantFrom(...roles),
            params: fc.array(pathValue, { minLength: 4, maxLength: 4 }),
            body: valueFor(ops[i].bodySchema ?? undefined),
            query: fc.record(Object.fromEntries(ops[i].querySchema.map((q) => [q.name, valueFor(q.schema)])), { requiredKeys: [] }),
            rawBody: fc.boolean(),
          }),
        ),
        async ({ i, role, params, body, query, rawBody }) => {
          const op = ops[i];
          let k = 0;
          const url = op.path.replace(/\{[^}]+\}/g, () => params[k++ % params.length]);
          const qs = new URLSearchParams(
            Object.entries(query as Record<string, unknown>)
              .filter(([, v]) => v !== undefined)
              .map(([kk, v]) => [kk, typeof v === 'string' ? v : JSON.stringify(v)]),
          ).toString();
          const before = await fingerprint();
          const headers: Record<string, string> = role === 'none' ? {} : bearer(t.tokens[role]);
          const res = await t.app.inject({
            method: op.method as 'GET',
            url: qs ? `${url}?${qs}` : url,
            headers: { ...headers, ...(op.method !== 'GET' ? { 'content-type': 'application/json' } : {}) },
            payload: op.method === 'GET' || op.method === 'DELETE' ? undefined : rawBody ? String(JSON.stringify(body)).slice(0, -1) : JSON.stringify(body ?? {}),
          });
          seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500) throw new Error(`${op.method} ${url} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400) expect(await fingerprint(), `${op.method} ${url} → ${res.statusCode} changed the database`).toBe(before);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
    // the generator reaches both sides: some requests are accepted, most are refused
    expect([...seen.keys()].some((s) => s < 300)).toBe(true);
    expect([...seen.keys()].some((s) => s === 400)).toBe(true);
  }, 60_000 + RUNS * 25);
});

// ---------------------------------------------------------------- control characters, every route

/** Every route the app serves, read from its router (as an attacker maps a server, not from the docs). */
function servedRoutes(): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)(?:[├└]── )?(\S.*?) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const url = stack.reduce((a, seg) => (seg === '*' && !a.endsWith('/') ? `${a}/*` : a + seg), '').replace(/^\/\//, '/');
    for (const method of m[3].split(', ')) if (method !== 'HEAD' && method !== 'OPTIONS') out.push({ method, url });
  }
  return out;
}

// C0 (tab, LF and CR are refused only where a value is one line), DEL, C1
const TEXT_CONTROLS = [...Array.from({ length: 32 }, (_, i) => i).filter((c) => c !== 9 && c !== 10 && c !== 13), 0x7f, 0x80, 0x85, 0x9f].map((c) =>
  String.fromCharCode(c),
);
const LINE_CONTROLS = ['\t', '\n', '\r', ...TEXT_CONTROLS];
const HEADER_CONTROLS = TEXT_CONTROLS.filter((c) => c.charCodeAt(0) < 0x80 && c !== '\n' && c !== '\r');
const WEB_FIELDS = ['ma', 'khoa', 'title', 'content', 'businessName', 'contactName', 'text', 'reason', 'comment', 'rating', 'formId'];

describe(`control characters sent to every route on ${dbLabel}`, () => {
  it('answers 400 naming the field wherever a control character is (path, query, header, JSON, form, multipart), and writes nothing', async () => {
    const routes = servedRoutes();
    expect(routes.length).toBeGreaterThan(80);
    expect(routes).toContainEqual({ method: 'GET', url: '/open311/v2/requests.:format' });
    expect(routes).toContainEqual({ method: 'POST', url: '/tra-cuu/bo-sung' });
    const byPath = new Map(ops.map((o) => [`${o.method} ${o.path.replace(/\{([^}]+)\}/g, ':$1')}`, o]));
    const roles = ['coordinator', 'admin', 'inspector', 'agency_lead', 'agency_staff'];
    const before = await fingerprint();
    let n = 0;
    const failures: string[] = [];
    // first NUL everywhere (what PostgreSQL refuses), then every other control character in turn
    let pass = 0;
    const pick = (list: string[]) => (pass === 0 ? '\u0000' : list[n++ % list.length]);

    for (const [route, p] of routes.flatMap((r) => [[r, 0], [r, 1]] as const)) {
      pass = p;
      const op = byPath.get(`${route.method} ${route.url}`);
      const params = [...route.url.matchAll(/:(\w+)|\*/g)].map((m) => m[1] ?? '*');
      // valid values elsewhere, so that the probed value is the only thing wrong
      const good: Record<string, string> = { format: 'json', file: '1.json', period: '2026-03', year: '2026', trackingCode: 'PAKN.20260302.0001', '*': 'index.html' };
      const fill = (bad?: string) =>
        route.url.replace(/:(\w+)|\*/g, (_m, name: string | undefined) => {
          const k = name ?? '*';
          const v = good[k] ?? '1';
          return bad === k ? encodeURIComponent(`${v}${pick(LINE_CONTROLS)}`) : v;
        });
      const queryNames = op?.querySchema.length ? op.querySchema.map((q) => q.name) : [route.url.startsWith('/tra-cuu') ? 'ma' : 'q'];
      const bodyFields = Object.keys(resolve(op?.bodySchema ?? undefined)?.properties ?? {});
      const writes = ['POST', 'PUT', 'PATCH'].includes(route.method);
      const json = (fields: string[]) => JSON.stringify(Object.fromEntries((fields.length ? fields : ['x']).map((f) => [f, `ab${pick(TEXT_CONTROLS)}cd`])));
      const form = () => new URLSearchParams(WEB_FIELDS.map((f) => [f, `ab${pick(TEXT_CONTROLS)}cd`])).toString();
      const web = !route.url.startsWith('/api/') && !route.url.startsWith('/open311/');

      type Probe = { where: string; name: string; url: string; headers?: Record<string, string>; payload?: string | Buffer };
      const probes: Probe[] = [
        ...params.map((p) => ({ where: 'params', name: p, url: fill(p) })),
        ...queryNames.map((q) => ({ where: 'querystring', name: q, url: `${fill()}?${q}=${encodeURIComponent(`1${pick(LINE_CONTROLS)}`)}` })),
        { where: 'headers', name: 'x-access-key', url: fill(), headers: { 'x-access-key': `k${pick(HEADER_CONTROLS)}k` } },
      ];
      if (writes && !web) probes.push({ where: 'body', name: bodyFields[0] ?? 'x', url: fill(), headers: { 'content-type': 'application/json' }, payload: json(bodyFields) });
      if (writes && web) probes.push({ where: 'body', name: WEB_FIELDS[0], url: fill(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form() });
      if (writes && (route.url === '/' || route.url === '/api/v1/public/cases' || route.url === '/api/v1/cases')) {
        const boundary = 'XyZ0123456789';
        const part = (name: string, value: string, filename?: string) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename !== undefined ? `; filename="${filename}"` : ''}\r\n` +
          `${filename !== undefined ? 'Content-Type: image/png\r\n' : ''}\r\n${value}\r\n`;
        // text parts as a client sends them, in UTF-8 (a C1 control is two bytes there); the file part in
        // latin1 so that the PNG signature stays raw bytes
        const mp = (body: string, encoding: BufferEncoding = 'latin1') => ({
          'content-type': `multipart/form-data; boundary=${boundary}`,
          body: Buffer.from(`${body}--${boundary}--\r\n`, encoding),
        });
        const a = mp(part('title', `Tiêu đề${pick(TEXT_CONTROLS)}`), 'utf8');
        // the file name in UTF-8 as browsers send it, the file's bytes raw
        const b = {
          'content-type': a['content-type'],
          body: Buffer.concat([
            Buffer.from(part('title', 'Tieu de') + part('attachments', '@@FILE@@', `anh${pick(LINE_CONTROLS)}.png`).split('@@FILE@@')[0], 'utf8'),
            Buffer.from('\x89PNG', 'latin1'),
            Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
          ]),
        };
        probes.push({ where: 'body', name: 'title', url: fill(), headers: { 'content-type': a['content-type'] }, payload: a.body });
        probes.push({ where: 'body', name: 'attachments.0', url: fill(), headers: { 'content-type': b['content-type'] }, payload: b.body });
      }

      for (const probe of probes) {
        const send = (role: string | null) =>
          t.app.inject({
            method: route.method as 'GET',
            url: probe.url,
            headers: { ...(role ? bearer(t.tokens[role]) : {}), ...probe.headers },
            payload: probe.payload,
          });
        let res = await send(null);
        for (const role of roles) {
          if (res.statusCode !== 401 && res.statusCode !== 403) break;
          res = await send(role);
        }
        const label = `${route.method} ${route.url} [${probe.where} ${probe.name}${pass === 0 ? ' NUL' : ''}]`;
        if (res.statusCode !== 400) {
          failures.push(`${label} → ${res.statusCode} ${res.body.slice(0, 160)}`);
          continue;
        }
        if (/problem\+json/.test(String(res.headers['content-type']))) {
          const errors = (res.json() as { errors?: Array<{ path: string; in?: string }> }).errors ?? [];
          if (!errors.some((e) => e.path.startsWith(probe.name) && (probe.where === 'body' || e.in === probe.where))) {
            failures.push(`${label} → 400 without naming it: ${JSON.stringify(errors).slice(0, 200)}`);
          }
        }
      }
    }
    expect(failures.join('\n')).toBe('');
    expect(await fingerprint()).toBe(before);
  }, 300_000);
});
