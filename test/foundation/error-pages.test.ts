import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SITE } from '../../src/db/seed.js';
import { PROBLEM_TYPES, problemTypeOfStatus } from '../../src/lib/problem-types.js';
import { prefersHtml } from '../../src/plugins/problem-details.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { refIds, validBody } from '../intake/helpers.js';

/**
 * Browsers get pages, not JSON: outside /api, /open311 and /openapi.json a request whose Accept
 * prefers text/html gets a Vietnamese page with the same status and a link home; API clients
 * keep problem+json. Every problem type has its anchor on /docs/problems. Every page names the
 * province, hotline and office address of the settings in force.
 */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '3' } });
});
afterAll(async () => t?.close());

const isPage = (r: { status: number; headers: Record<string, string>; text: string }) => {
  expect(r.headers['content-type']).toMatch(/^text\/html/);
  expect(r.text).toContain('<html lang="vi">');
  expect(r.text).toMatch(/<a href="\/">[^<]*trang chủ/);
  expect(r.text).not.toMatch(/"type":"\/docs\/problems/);
};
const isProblem = (r: { headers: Record<string, string>; body: { type?: string } }, type: string) => {
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.body.type).toBe(`/docs/problems#${type}`);
};

describe('Accept: which clients prefer a page', () => {
  it.each([
    [BROWSER, true],
    ['text/html', true],
    ['text/html;q=0.9, application/json;q=0.8', true],
    ['*/*', false],
    [undefined, false],
    ['application/json', false],
    ['application/problem+json, text/html;q=0.5', false],
    ['text/html, application/json', false],
    ['text/*;q=0.5, */*;q=0.1', true],
    ['text/html;q=0', false],
  ])('%s → %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});

describe(`error pages and the problem types on ${dbLabel}`, () => {
  it('404: a page for a browser, problem+json for an API client and under /api', async () => {
    const page = await t.request().get('/khong-co-trang-nay').set('accept', BROWSER);
    expect(page.status).toBe(404);
    isPage(page);
    expect(page.text).toContain('Không tìm thấy trang');
    expect(page.text).toContain('href="/docs/problems#not-found"');
    expect(page.headers['cache-control']).toBe('no-store');
    // the path asked for is not echoed back (no text an attacker chose on an official page)
    const spoof = await t.request().get('/Th%C3%B4ng-b%C3%A1o-gi%E1%BA%A3').set('accept', BROWSER);
    expect(spoof.text).not.toContain('Thông-báo-giả');

    const json = await t.request().get('/khong-co-trang-nay').set('accept', 'application/json');
    expect(json.status).toBe(404);
    isProblem(json, 'not-found');
    const none = await t.request().get('/khong-co-trang-nay');
    isProblem(none, 'not-found');
    for (const path of ['/api/v1/khong-co', '/openapi.json/x']) {
      const api = await t.request().get(path).set('accept', BROWSER);
      expect(api.status, path).toBe(404);
      isProblem(api, 'not-found');
    }
    // Open311 keeps its own error format (GeoReport v2), never a page
    const o311 = await t.request().get('/open311/v2/khong-co.json').set('accept', BROWSER);
    expect(o311.status).toBe(404);
    expect(o311.headers['content-type']).toMatch(/json/);
  });

  it('405: a page with Allow for a browser, problem+json for an API client', async () => {
    const page = await t.request().delete('/bao-cao').set('accept', BROWSER);
    expect(page.status).toBe(405);
    expect(page.headers.allow).toBe('GET');
    isPage(page);
    expect(page.text).toContain('href="/docs/problems#method-not-allowed"');
    const api = await t.request().delete('/api/v1/public/reports').set('accept', BROWSER);
    expect(api.status).toBe(405);
    expect(api.headers.allow).toBe('GET');
    isProblem(api, 'method-not-allowed');
  });

  it('413: a form body over the limit is a page; the same on the API is problem+json', async () => {
    const big = 'title=' + 'x'.repeat(300 * 1024);
    const page = await t.request().post('/tra-cuu').set('accept', BROWSER).set('content-type', 'application/x-www-form-urlencoded').send(big);
    expect(page.status).toBe(413);
    isPage(page);
    expect(page.text).toContain('Nội dung gửi lên quá lớn');
    const api = await t.request().post('/api/v1/public/cases').set('accept', BROWSER).set('content-type', 'application/json').send(JSON.stringify({ title: 'x'.repeat(1100 * 1024) }));
    expect(api.status).toBe(413);
    isProblem(api, 'payload-too-large');
  });

  it('429: too many posts is a page with Retry-After; the API answers problem+json', async () => {
    let last = await t.request().post('/tra-cuu').set('accept', BROWSER).type('form').send('ma=PAKN.20260302.0001&khoa=x');
    for (let i = 0; i < 6 && last.status !== 429; i++) last = await t.request().post('/tra-cuu').set('accept', BROWSER).type('form').send('ma=PAKN.20260302.0001&khoa=x');
    expect(last.status).toBe(429);
    isPage(last);
    expect(last.text).toContain('Quá nhiều yêu cầu');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    let api = await t.request().post('/api/v1/public/cases').set('accept', BROWSER).send({});
    for (let i = 0; i < 6 && api.status !== 429; i++) api = await t.request().post('/api/v1/public/cases').set('accept', BROWSER).send({});
    expect(api.status).toBe(429);
    isProblem(api, 'rate-limited');
  });

  it('500: a page that says nothing was recorded, without the internals; problem+json for an API client', async () => {
    await t.database.db.execute(sql`alter table reports rename to reports_gone`);
    try {
      const page = await t.request().get('/bao-cao').set('accept', BROWSER);
      expect(page.status).toBe(500);
      isPage(page);
      expect(page.text).toContain('Hệ thống đang gặp sự cố');
      expect(page.text).not.toMatch(/reports|relation|stack/i);
      const api = await t.request().get('/api/v1/public/reports').set('accept', BROWSER);
      expect(api.status).toBe(500);
      isProblem(api, 'internal');
      const plain = await t.request().get('/bao-cao').set('accept', 'application/json');
      // a public page is a page whatever the Accept header says
      expect(plain.status).toBe(500);
      expect(plain.headers['content-type']).toMatch(/^text\/html/);
    } finally {
      await t.database.db.execute(sql`alter table reports_gone rename to reports`);
    }
    expect((await t.request().get('/bao-cao')).status).toBe(200);
  });

  it('serves a favicon, linked from every page', async () => {
    const icon = await t.request().get('/favicon.ico').buffer(true);
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(String(icon.body)).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const path of ['/', '/tra-cuu', '/bao-cao', '/docs/problems']) {
      expect((await t.request().get(path)).text, path).toContain('<link rel="icon" href="/favicon.ico" type="image/svg+xml">');
    }
  });

  it('GET /docs/problems explains every problem type the code can emit, each with its anchor', async () => {
    const r = await t.request().get('/docs/problems');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    // every type of the catalogue, and every type any status maps to
    const types = new Set<string>(Object.keys(PROBLEM_TYPES));
    for (let s = 400; s < 600; s++) types.add(problemTypeOfStatus(s));
    // and every type written anywhere in the source: AppError subclasses, thrown AppErrors, the handler
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(fileURLToPath(new URL('../../src', import.meta.url)));
    const patterns = [
      /(?:super|AppError)\(\s*\d{3},\s*'([a-z-]+)'/g,
      /problemTypeUri\('([a-z-]+)'\)/g,
      /PROBLEM_TYPES\['([a-z-]+)'\]/g,
      /PROBLEM_TYPE_BASE\s*\+\s*'([a-z-]+)'/g,
      /\/docs\/problems#([a-z-]+)/g,
    ];
    let found = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const re of patterns) for (const m of text.matchAll(re)) (types.add(m[1]), found++);
    }
    expect(found).toBeGreaterThan(10);
    for (const type of types) {
      expect(Object.keys(PROBLEM_TYPES), `${type} is in the catalogue`).toContain(type);
      expect(r.text, `anchor for ${type}`).toContain(`id="${type}"`);
    }
    // the problems the service sent in this run point at anchors that exist
    const served = (await t.request().get('/api/v1/nope')).body.type as string;
    expect(r.text).toContain(`id="${served.split('#')[1]}"`);
  });
});

describe(`who is speaking, on every page, on ${dbLabel}`, () => {
  it('the demo province fills the identity, and every public page shows it in header and footer', async () => {
    const site = await t.app.services.settings.siteInfo();
    expect(site).toEqual(DEMO_SITE);
    // the confirmation and the case page of a case filed through the form, with the cookie it set
    const body = { ...validBody(await refIds(t)), consentPublishName: undefined };
    const form = new URLSearchParams(Object.entries(body).filter(([, v]) => v != null).map(([k, v]) => [k, String(v)])).toString();
    const posted = await t.request().post('/').type('form').send(form);
    expect(posted.status).toBe(303);
    const cookie = ((posted.headers['set-cookie'] as unknown as string[]) ?? []).map((c) => c.split(';')[0]).join('; ');
    const confirmation = String(posted.headers.location);
    const casePage = confirmation.replace('/da-tiep-nhan', '/tra-cuu/ho-so');
    const pages: Array<[string, number]> = [
      [confirmation, 200],
      [casePage, 200],
      ['/', 200],
      ['/tra-cuu', 200],
      ['/bao-cao', 200],
      ['/bao-cao/2026-02', 404],
      ['/docs/problems', 200],
      ['/khong-co', 404],
    ];
    for (const [path, status] of pages) {
      const r = await t.request().get(path).set('accept', BROWSER).set('cookie', cookie);
      expect(r.status, path).toBe(status);
      const header = /<header class="site">([\s\S]*?)<\/header>/.exec(r.text)?.[1] ?? '';
      const footer = /<footer class="site">([\s\S]*?)<\/footer>/.exec(r.text)?.[1] ?? '';
      expect(header, path).toContain('Ủy ban nhân dân tỉnh Bắc Ninh');
      expect(footer, path).toContain('Tổ phản ứng nhanh hỗ trợ doanh nghiệp tỉnh Bắc Ninh');
      expect(footer, path).toContain('<a class="tel" href="tel:02223822000">0222 3 822 000</a>');
      expect(footer, path).toContain(DEMO_SITE.officeAddress);
      expect(r.text, path).not.toContain('<!--pakn:site');
    }
  });

  it('changing the settings changes the pages at once, escaped; compressed pages carry it too', async () => {
    const put = await t
      .request()
      .patch('/api/v1/admin/settings')
      .set(bearer(t.tokens.admin))
      .send({ provinceName: 'tỉnh Hà <Nam>', hotline: '0226 3 851 111', officeAddress: 'Số 1 đường Trần Hưng Đạo, phường Phủ Lý' });
    expect(put.status).toBe(200);
    const r = await t.request().get('/tra-cuu');
    expect(r.text).toContain('Ủy ban nhân dân tỉnh Hà &lt;Nam&gt;');
    expect(r.text).not.toContain('Bắc Ninh');
    expect(r.text).toContain('href="tel:02263851111"');
    expect(r.text).toContain('Số 1 đường Trần Hưng Đạo, phường Phủ Lý');
    const gz = await t.request().get('/').set('accept-encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.text).toContain('Số 1 đường Trần Hưng Đạo, phường Phủ Lý');
    // an identity not set: the team is named, nothing empty is shown
    await t.app.services.settings.update({ userId: null, role: 'admin', name: 'test' } as never, { hotline: null, officeAddress: null });
    const bare = await t.request().get('/tra-cuu');
    expect(bare.text).not.toContain('Đường dây nóng:');
    expect(bare.text).not.toContain('Địa chỉ tiếp doanh nghiệp');
    expect(bare.text).toContain('Tổ phản ứng nhanh hỗ trợ doanh nghiệp tỉnh Hà &lt;Nam&gt;');
  });
});
