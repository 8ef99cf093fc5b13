/**
 * The published report page in headless Chromium (Debian's package), JavaScript off: the chart is
 * drawn, visible on screen and in print, and its pixels are really there.
 */
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../browser/harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { force, idsByCode, receive, vn } from './helpers.js';

let t: TestApp;
let browser: Browser;
let context: BrowserContext;
let base: string;


beforeAll(async () => {
  t = await createTestApp({ now: '2026-04-02T02:00:00Z', config: { PAKN_REPORT_MIN_CELL: '2' } });
  const { category } = await idsByCode(t);
  const answered = (at: string, outcome: string) => ({ status: 'resolved', resolvedAt: vn(at), outcome, resolvedWithExtension: false, reason: 'answered', publicAnswer: 'Đã trả lời doanh nghiệp.' });
  // Sở Xây dựng 2/3 on time, Sở NN&MT 2/2, Sở Y tế 1/1 (a small cell)
  const plan: Array<[number, string, string, string]> = [
    [category.xay_dung, '2026-03-02 09:00', '2026-03-04 10:00', 'early'],
    [category.xay_dung, '2026-03-03 09:00', '2026-03-17 16:00', 'on_time'],
    [category.xay_dung, '2026-03-04 09:00', '2026-03-25 10:00', 'late'],
    [category.moi_truong, '2026-03-05 09:00', '2026-03-06 10:00', 'early'],
    [category.moi_truong, '2026-03-09 09:00', '2026-03-10 10:00', 'early'],
    [category.an_toan_thuc_pham, '2026-03-10 09:00', '2026-03-11 10:00', 'early'],
  ];
  for (const [cat, at, done, outcome] of plan) {
    const c = await receive(t, { at, category: cat });
    await force(t, c.id, done, 'resolve', 'resolved', answered(done, outcome));
  }
  await t.app.services.reports.publish('2026-03');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi-VN', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(30_000);
}, 180_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await t?.close();
});

/** Counts pixels of a PNG by class, decoded by the browser itself (no image library needed). */
async function pixelStats(png: Buffer): Promise<{ total: number; nonWhite: number; bar: number }> {
  const ctx = await browser.newContext({ javaScriptEnabled: true });
  try {
    const page = await ctx.newPage();
    await page.setContent('<!doctype html><title>x</title>');
    return await page.evaluate(async (b64: string) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let nonWhite = 0;
      let bar = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, gr, b] = [d[i], d[i + 1], d[i + 2]];
        if (r < 245 || gr < 245 || b < 245) nonWhite++;
        // the bar colour #0b5cad
        if (Math.abs(r - 11) < 12 && Math.abs(gr - 92) < 12 && Math.abs(b - 173) < 12) bar++;
      }
      return { total: d.length / 4, nonWhite, bar };
    }, png.toString('base64'));
  } finally {
    await ctx.close();
  }
}

describe(`the report page in Chromium on ${dbLabel}`, () => {
  it('draws the on-time chart: a non-empty SVG box with bars and labels in the screenshot', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${base}/bao-cao/2026-03`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await page.getByRole('heading', { name: /tháng 3\/2026/ }).first().waitFor();
    const chart = page.getByRole('img', { name: 'Tỷ lệ giải quyết đúng hạn theo cơ quan, tháng 3/2026' });
    await chart.waitFor();
    const box = await chart.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(60);
    // three agencies, each a labelled row; the small cell is marked
    expect(await page.locator('svg.chart g.bar').count()).toBe(3);
    const labels = await page.locator('svg.chart text').allTextContents();
    expect(labels).toContain('1. Sở NN&MT');
    expect(labels).toContain('2. Sở XD');
    expect(labels.some((l) => l.includes('66,7% (2/3)'))).toBe(true);
    expect(labels.some((l) => l.includes('ít số liệu'))).toBe(true);

    const shot = await chart.screenshot();
    const stats = await pixelStats(shot);
    expect(stats.total).toBeGreaterThan(10_000);
    expect(stats.nonWhite / stats.total).toBeGreaterThan(0.02);
    // bars of 100 % and 66.7 % of a 470-unit axis, 20 units high: thousands of bar-coloured pixels
    expect(stats.bar).toBeGreaterThan(3000);

    // the whole page, for the record of what the public sees
    const full = await page.screenshot({ fullPage: true });
    if (process.env.PAKN_SHOT) (await import('node:fs')).writeFileSync(process.env.PAKN_SHOT, full);
    expect((await pixelStats(full)).nonWhite).toBeGreaterThan(stats.nonWhite);
    await page.close();
  });

  it('prints: the chart stays, the navigation goes', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/bao-cao/2026-03`);
    await page.emulateMedia({ media: 'print' });
    const box = await page.locator('svg.chart').boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(await page.locator('header.site nav').isVisible()).toBe(false);
    expect(await page.locator('.downloads').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await page.close();
  });

  it('shows the tables, the method and the index without JavaScript', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/bao-cao`);
    await page.getByRole('link', { name: 'Báo cáo tháng 3/2026' }).click();
    await page.getByRole('heading', { name: 'Phương pháp tính' }).waitFor();
    const rows = page.locator('#bang-co-quan tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(2).textContent()).toContain('ít số liệu');
    expect(await page.locator('#danh-sach-ho-so tbody tr').count()).toBe(6);
    const missing = await page.goto(`${base}/bao-cao/2026-02`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Không tìm thấy báo cáo');
    await page.close();
  });
});
