import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeContextOf, expectNoAxeViolations, launchChromium, phoneContext } from './harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SITE } from '../../src/db/seed.js';
import { PROBLEM_TYPES } from '../../src/lib/problem-types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { publishTwoRevisions, REVISION_NOTE } from '../reports/revision-setup.js';

/**
 * The error pages, the problems page and the monthly report on a phone (390 × 844) in headless
 * Chromium (Debian's package), JavaScript off; axe-core finds no violation in any of them.
 */
let t: TestApp;
let browser: Browser;
let phone: BrowserContext;
let axeContext: BrowserContext;
let base: string;
let added = '';

const axe = (page: Page, state: string) => expectNoAxeViolations(axeContext, page, state);

/** The page does not scroll sideways on the phone: wide tables scroll inside their own region. */
async function noSidewaysScroll(page: Page, state: string): Promise<void> {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(w, state).toBeLessThanOrEqual(390);
}

/** Header and footer name the province, the hotline and the office address. */
async function speaks(page: Page): Promise<void> {
  expect(await page.locator('header.site .org').textContent()).toContain(`Ủy ban nhân dân ${DEMO_SITE.provinceName}`);
  const footer = (await page.locator('footer.site').textContent()) ?? '';
  expect(footer).toContain(DEMO_SITE.hotline);
  expect(footer).toContain(DEMO_SITE.officeAddress);
  expect(await page.locator('footer.site a.tel').getAttribute('href')).toBe('tel:02223822000');
}

beforeAll(async () => {
  t = await createTestApp({ now: '2026-04-02T02:00:00Z', config: { PAKN_REPORT_MIN_CELL: '3' } });
  ({ added } = await publishTwoRevisions(t));
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  phone = await phoneContext(browser);
  axeContext = await axeContextOf(browser);
}, 180_000);
afterAll(async () => {
  await axeContext?.close();
  await phone?.close();
  await browser?.close();
  await t?.close();
});

describe(`error and report pages on a phone in Chromium on ${dbLabel}`, () => {
  it('an unknown address is a Vietnamese 404 page with a way home, not JSON', async () => {
    const page = await phone.newPage();
    const res = await page.goto(`${base}/trang-khong-co`);
    expect(res?.status()).toBe(404);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    await page.getByRole('heading', { level: 1, name: 'Không tìm thấy trang' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await speaks(page);
    await axe(page, 'the 404 page');
    await noSidewaysScroll(page, 'the 404 page');
    // the favicon the page links to is there
    const icon = await page.request.get(`${base}${await page.locator('link[rel=icon]').getAttribute('href')}`);
    expect(icon.status()).toBe(200);
    await page.getByRole('link', { name: /Về trang chủ/ }).click();
    await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.close();
  });

  it('the problems page explains every problem type at its anchor', async () => {
    const page = await phone.newPage();
    const res = await page.goto(`${base}/docs/problems#rate-limited`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: /Các loại lỗi của API/ }).waitFor();
    for (const type of Object.keys(PROBLEM_TYPES)) {
      expect(await page.locator(`[id="${type}"] h2`).textContent(), type).toBe(type);
    }
    // the anchor of the address is the section shown
    const box = await page.locator('#rate-limited').boundingBox();
    expect(box!.y).toBeLessThan(844);
    expect(box!.y).toBeGreaterThanOrEqual(-1);
    await speaks(page);
    await axe(page, 'the problems page');
    await noSidewaysScroll(page, 'the problems page');
    await page.close();
  });

  it('the report reads at 390 px: chart text of 12 px or more, tables scroll by keyboard, codes whole, full names, flags', async () => {
    const page = await phone.newPage();
    const res = await page.goto(`${base}/bao-cao/2026-03`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Phương pháp tính' }).waitFor();
    await speaks(page);
    await axe(page, 'the report on a phone');
    await noSidewaysScroll(page, 'the report on a phone');

    // the chart: the phone layout replaces the SVG, every text in it at least 12 px
    expect(await page.locator('svg.chart').isVisible()).toBe(false);
    const bars = page.getByRole('list', { name: 'Tỷ lệ giải quyết đúng hạn theo cơ quan, tháng 3/2026' });
    expect(await bars.isVisible()).toBe(true);
    expect(await bars.locator('li').count()).toBe(3);
    const sizes = await page.locator('figure.chart').evaluate((fig) => {
      const out: Array<[string, number]> = [];
      const walker = document.createTreeWalker(fig, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement!;
        if (!n.textContent?.trim() || el.getClientRects().length === 0 || el.closest('svg')) continue;
        out.push([n.textContent.trim(), parseFloat(getComputedStyle(el).fontSize)]);
      }
      return out;
    });
    expect(sizes.length).toBeGreaterThan(6);
    for (const [text, px] of sizes) expect(px, text).toBeGreaterThanOrEqual(12);
    const names = await bars.locator('.name').allTextContents();
    expect(names[0]).toContain('1. Sở Nông nghiệp và Môi trường');
    expect(names.some((n) => n.includes('Sở Y tế') && n.includes('ít số liệu'))).toBe(true);

    // every table sits in a labelled region that takes keyboard focus and scrolls with the arrow keys
    const regions = page.locator('.table-wrap');
    expect(await regions.count()).toBeGreaterThanOrEqual(5);
    for (const r of await regions.all()) {
      expect(await r.getAttribute('role')).toBe('region');
      expect(await r.getAttribute('tabindex')).toBe('0');
      expect((await r.getAttribute('aria-label'))?.length).toBeGreaterThan(5);
    }
    const list = page.getByRole('region', { name: 'Danh sách hồ sơ đã giải quyết', exact: true });
    expect(await list.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await list.focus();
    expect(await list.evaluate((el) => el === document.activeElement)).toBe(true);
    // what the page controls: a focused region that overflows and scrolls inside itself (the arrow
    // keys then scroll it; whether headless Chromium delivers them to a page that is not in front
    // depends on the other pages of the run, so the scroll itself is driven here)
    expect(await list.evaluate((el) => getComputedStyle(el).overflowX)).toMatch(/^(auto|scroll)$/);
    expect(await list.evaluate((el) => { el.scrollLeft = 40; return el.scrollLeft; })).toBeGreaterThan(0);

    // tracking codes never wrap; agencies carry their full names
    const codes = page.locator('#danh-sach-ho-so code.tc');
    expect(await codes.count()).toBe(7);
    for (const c of await codes.all()) {
      const h = await c.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '16'));
      expect(h).toBeLessThan(1.5);
    }
    expect(await page.locator('#bang-co-quan').textContent()).toContain('Sở Nông nghiệp và Môi trường');

    // one rating is not a satisfaction rate to read: the figure carries the flag
    const card = page.locator('.card', { hasText: 'Mức độ hài lòng' });
    expect(await card.locator('.flag').textContent()).toBe('ít số liệu');

    // the second revision says what moved and why
    const changes = page.getByRole('region', { name: 'Thay đổi so với phiên bản 1', exact: true });
    expect(await changes.locator('blockquote').textContent()).toBe(REVISION_NOTE);
    expect(await changes.textContent()).toContain(added);
    const row = changes.locator('tr', { hasText: 'Toàn tỉnh' }).filter({ hasText: 'Tỷ lệ đúng hạn' });
    expect((await row.locator('td').allTextContents()).slice(2)).toEqual(['83,3% (5/6)', '85,7% (6/7)']);
    await page.close();
  });

  it('the first revision has no changes section; on a desktop the SVG chart is back', async () => {
    const page = await phone.newPage();
    await page.goto(`${base}/bao-cao/2026-03?revision=1`);
    await page.getByRole('heading', { name: 'Phương pháp tính' }).waitFor();
    expect(await page.locator('#thay-doi').count()).toBe(0);
    await axe(page, 'revision 1 on a phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await page.locator('svg.chart').isVisible()).toBe(true);
    expect(await page.locator('ol.bars').isVisible()).toBe(false);
    await page.close();
  });
});
