/**
 * Debian's Chromium for the browser tests (never a downloaded browser), the phone every public
 * page is checked on, and axe-core on a page's state: one set-up for every browser test file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Flags for a headless Chromium on a closed network (no background connections to refuse). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: process.env.PAKN_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

/** A phone, 390 × 844, JavaScript off: the public pages must work without it. */
export async function phoneContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi-VN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(30_000);
  return context;
}

/** The script-enabled context axe runs in, the same size as the phone. */
export const axeContextOf = (browser: Browser): Promise<BrowserContext> =>
  browser.newContext({ javaScriptEnabled: true, locale: 'vi-VN', viewport: { width: 390, height: 844 } });

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page as it is now: its HTML is loaded into a page of the script-enabled
 * `axeContext` (the pages themselves run without script) and checked; no violation is allowed.
 */
export async function expectNoAxeViolations(axeContext: BrowserContext, page: Page, state: string): Promise<void> {
  const html = await page.content();
  const probe = await axeContext.newPage();
  try {
    await probe.setContent(html);
    await probe.addScriptTag({ content: AXE_SOURCE });
    const violations = (await probe.evaluate(async () => {
      const r = await (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }> } }).axe.run({
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    })) as string[];
    expect(violations, state).toEqual([]);
  } finally {
    await probe.close();
  }
}
