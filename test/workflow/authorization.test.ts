import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, local, ok, reference, type Entered, type Ref } from './helpers.js';

/**
 * Every staff route of the app (whoever wrote it, whenever it was added) with every role: a role
 * the route's config.roles names reaches it, any other caller is refused and changes nothing.
 * Routes are observed as they are registered (their config is not readable afterwards) and
 * cross-checked against the OpenAPI document.
 */
type SeenRoute = { methods: string[]; url: string; roles?: readonly string[] };
const seen = vi.hoisted(() => [] as SeenRoute[]);
vi.mock('fastify', async (importOriginal) => {
  const mod = await importOriginal<typeof import('fastify')>();
  const original = mod.default as unknown as (...a: unknown[]) => import('fastify').FastifyInstance;
  const observed = Object.assign((...args: unknown[]) => {
    const app = original(...args);
    app.addHook('onRoute', (r) => {
      seen.push({ methods: ([] as string[]).concat(r.method as string | string[]), url: r.url, roles: r.config?.roles });
    });
    return app;
  }, original);
  return { ...mod, default: observed };
});

const ROLE_OF: Record<string, string> = {
  coordinator: 'coordinator',
  agency_staff: 'agency_staff',
  agency_lead: 'agency_lead',
  agency_staff_nnmt: 'agency_staff',
  inspector: 'inspector',
  admin: 'admin',
};

let t: TestApp;
let ref: Ref;
let xd: Entered;
beforeAll(async () => {
  // the matrix sends hundreds of refused requests; the staff rate limit has its own test
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: { PAKN_RATE_LIMIT_STAFF: '1000000' } });
  ref = await reference(t);
  // a confidential case of Sở Xây dựng (to_cao, moved there by the coordinator), accepted
  xd = await enterCase(t, {
    kind: 'to_cao',
    categoryId: ref.categories.thai_do_can_bo,
    title: 'Cán bộ gây khó dễ khi thẩm định hồ sơ',
    content: 'Cán bộ yêu cầu nộp thêm giấy tờ ngoài quy định và gợi ý "bồi dưỡng".',
    receivedAt: local('2026-03-02 08:00'),
  });
  const moved = await ok(t, 'coordinator', xd.id, 'assign', { version: xd.version, agencyId: ref.agencies.so_xay_dung });
  await ok(t, 'agency_staff', xd.id, 'accept', { version: moved.version });
});
afterAll(async () => t?.close());

async function fingerprint(): Promise<string> {
  const r = await t.database.db.execute(sql`select
    (select count(*) from cases) || '/' || (select coalesce(sum(version), 0) from cases) || '/' ||
    (select count(*) from case_events) || '/' || (select count(*) from outbox) || '/' || (select count(*) from agencies) || '/' ||
    (select count(*) from users) || '/' || (select count(*) from api_tokens where revoked_at is null) || '/' ||
    (select count(*) from routing_rules) || '/' || (select count(*) from sla_policies) || '/' || (select count(*) from calendar_years) || '/' ||
    (select count(*) from reports) || '/' || (select count(*) from idempotency_keys) as f`);
  return String((r.rows[0] as { f: string }).f);
}

/** Path parameters: the fixture case for case routes, Sở Xây dựng for agency feeds, nothing real elsewhere. */
function fill(url: string): string {
  return url
    .replace(/^\/api\/v1\/cases\/:id/, `/api/v1/cases/${xd.id}`)
    .replace(/^\/api\/v1\/agencies\/:id\/feed/, `/api/v1/agencies/${ref.agencies.so_xay_dung}/feed`)
    .replace(/:year/g, '2099')
    .replace(/:period/g, '2099-01')
    .replace(/:job/g, 'no-such-job')
    .replace(/:[A-Za-z_]+/g, '999999');
}

/** routes about one case (or one agency's feed) whose only parameter is that id */
const isCaseRoute = (url: string) =>
  (url.startsWith('/api/v1/cases/:id') || url.startsWith('/api/v1/agencies/:id/feed')) && (url.match(/:/g) ?? []).length === 1;

describe(`authorization matrix over every staff route on ${dbLabel}`, () => {
  const staffRoutes = () =>
    seen
      .filter((r) => r.url.startsWith('/api/v1/') && !r.url.startsWith('/api/v1/public'))
      .flatMap((r) => r.methods.filter((m) => m !== 'HEAD' && m !== 'OPTIONS').map((method) => ({ method, url: r.url, roles: r.roles })));

  it('finds every route of the OpenAPI document, and every staff route declares its roles', async () => {
    const routes = staffRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/v1/') && !p.startsWith('/api/v1/public'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`));
    const known = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const d of documented) expect(known, d).toContain(d);
    for (const r of routes) expect(r.roles, `${r.method} ${r.url}`).toBeDefined();
    // the workflow's own routes are among them
    for (const a of ['assign', 'accept', 'request-info', 'resolve', 'return', 'reject', 'extend', 'note', 'reopen', 'close', 'merge']) {
      expect(known).toContain(`POST /api/v1/cases/:id/${a}`);
    }
    expect(known).toContain('GET /api/v1/audit/verify');
  });

  it('each role reaches exactly the routes its config.roles allow; every other caller is refused and changes nothing', async () => {
    const failures: string[] = [];
    for (const route of staffRoutes()) {
      const url = fill(route.url);
      for (const who of ['none', ...Object.keys(ROLE_OF)]) {
        const role = who === 'none' ? null : ROLE_OF[who];
        const allowed = role !== null && (route.roles ?? []).includes(role as never);
        const before = allowed ? null : await fingerprint();
        const res = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers: { ...(who === 'none' ? {} : bearer(t.tokens[who])), ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
        });
        const s = res.statusCode;
        const where = `${route.method} ${route.url} as ${who} → ${s}`;
        if (s >= 500) failures.push(`${where}: server error`);
        if (allowed) {
          if (s === 401 || s === 403) failures.push(`${where}: refused although config.roles allows ${role}`);
          // another agency's case is a 404 for agency roles; their own is readable
          if (isCaseRoute(route.url) && route.method === 'GET') {
            if (who === 'agency_staff_nnmt' && s !== 404) failures.push(`${where}: another agency's case must be 404`);
            if (who !== 'agency_staff_nnmt' && s !== 200) failures.push(`${where}: expected 200`);
          }
        } else {
          const validationFirst = s === 400 && JSON.parse(res.body).type?.endsWith('validation-error');
          const expected = who === 'none' ? 401 : 403;
          if (s !== expected && !validationFirst) failures.push(`${where}: expected ${expected}`);
          if ((await fingerprint()) !== before) failures.push(`${where}: a refused request changed the database`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('the workflow routes with a valid body: refused roles get 403 before anything else, agency roles of another agency 404', async () => {
    const v = (await t.request().get(`/api/v1/cases/${xd.id}`).set(bearer(t.tokens.coordinator))).body;
    const bodies: Record<string, Record<string, unknown>> = {
      assign: { version: v.version, agencyId: ref.agencies.so_tai_chinh },
      accept: { version: v.version },
      'request-info': { version: v.version, publicText: 'Câu hỏi' },
      resolve: { version: v.version, reason: 'answered', publicText: 'Trả lời' },
      return: { version: v.version, reason: 'Không thuộc thẩm quyền' },
      reject: { version: v.version, reason: 'spam' },
      extend: { version: v.version, amount: 1, unit: 'calendar_days', reason: 'Cần xác minh' },
      note: { version: v.version, internalText: 'Ghi chú' },
      reopen: { version: v.version, reason: 'Mở lại' },
      close: { version: v.version },
      merge: { version: v.version, duplicateOf: 999_999 },
    };
    const routes = staffRoutes().filter((r) => /^\/api\/v1\/cases\/:id\/[a-z-]+$/.test(r.url) && r.method === 'POST' && bodies[r.url.split('/').pop()!]);
    expect(routes).toHaveLength(11);
    for (const route of routes) {
      const action = route.url.split('/').pop()!;
      for (const who of ['none', ...Object.keys(ROLE_OF)]) {
        const role = who === 'none' ? null : ROLE_OF[who];
        const allowed = role !== null && (route.roles ?? []).includes(role as never);
        if (allowed && who !== 'agency_staff_nnmt') continue; // allowed roles act for real in the other tests
        const before = await fingerprint();
        const res = await t.request()
          .post(`/api/v1/cases/${xd.id}/${action}`)
          .set(who === 'none' ? {} : bearer(t.tokens[who]))
          .send(bodies[action]);
        const expected = who === 'none' ? 401 : allowed ? 404 : 403;
        expect(res.status, `${action} as ${who}: ${JSON.stringify(res.body)}`).toBe(expected);
        expect(await fingerprint()).toBe(before);
      }
    }
    // inspectors read everything and change nothing; admins read no case
    expect((await t.request().get(`/api/v1/cases/${xd.id}`).set(bearer(t.tokens.inspector))).status).toBe(200);
    expect((await t.request().get(`/api/v1/cases/${xd.id}`).set(bearer(t.tokens.admin))).status).toBe(403);
  });

  it('a confidential case hides the reporter from agency roles everywhere; coordinator and inspector see it', async () => {
    const secrets = ['Công ty TNHH Cơ khí Kinh Bắc', '0100109106', 'Nguyễn Văn An', '0912345678', 'an.nguyen@cokhikinhbac.example'];
    const agencyViews = [
      await t.request().get(`/api/v1/cases/${xd.id}`).set(bearer(t.tokens.agency_staff)),
      await t.request().get(`/api/v1/cases/${xd.id}/timeline`).set(bearer(t.tokens.agency_lead)),
      await t.request().get('/api/v1/cases').set(bearer(t.tokens.agency_staff)),
      await t.request().get(`/api/v1/agencies/${ref.agencies.so_xay_dung}/feed`).set(bearer(t.tokens.agency_staff)),
    ];
    for (const r of agencyViews) {
      expect(r.status).toBe(200);
      for (const s of secrets) expect(r.text).not.toContain(s);
    }
    expect(agencyViews[0].body).toMatchObject({ confidential: true, reporterHidden: true, submitter: null, title: 'Cán bộ gây khó dễ khi thẩm định hồ sơ' });
    for (const role of ['coordinator', 'inspector']) {
      const r = await t.request().get(`/api/v1/cases/${xd.id}`).set(bearer(t.tokens[role]));
      expect(r.body).toMatchObject({ reporterHidden: false, submitter: { businessName: secrets[0], taxCode: secrets[1], contactName: secrets[2], phone: secrets[3], email: secrets[4] } });
    }
  });

  it('agency roles list only their own agency’s cases, and read no other agency’s feed', async () => {
    const mine = await t.request().get('/api/v1/cases?limit=100').set(bearer(t.tokens.agency_staff));
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((c: { agencyId: number }) => c.agencyId === ref.agencies.so_xay_dung)).toBe(true);
    const asked = await t.request().get(`/api/v1/cases?agency=${ref.agencies.so_nn_mt}`).set(bearer(t.tokens.agency_staff));
    expect(asked.body.items).toEqual([]);
    expect((await t.request().get(`/api/v1/agencies/${ref.agencies.so_nn_mt}/feed`).set(bearer(t.tokens.agency_staff))).status).toBe(404);
    expect((await t.request().get(`/api/v1/agencies/${ref.agencies.so_nn_mt}/feed`).set(bearer(t.tokens.coordinator))).status).toBe(200);
    expect((await t.request().get(`/api/v1/agencies/${ref.agencies.so_nn_mt}/feed`).set(bearer(t.tokens.inspector))).status).toBe(200);
  });
});
