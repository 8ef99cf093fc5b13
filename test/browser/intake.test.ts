import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeContextOf, expectNoAxeViolations, launchChromium, phoneContext } from './harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, cases } from '../../src/db/schema.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { PNG_1PX } from '../intake/helpers.js';

/**
 * The business's path through the real pages in headless Chromium (Debian's package), with
 * JavaScript switched off: the pages must work without it.
 */
let t: TestApp;
let browser: Browser;
let context: BrowserContext;
let base: string;
let axeContext: BrowserContext;

const axe = (page: Page, state: string) => expectNoAxeViolations(axeContext, page, state);

/** The key never appears in an address the browser was sent to. */
function keyNotIn(page: Page, key: string): void {
  const compact = key.replace(/-/g, '');
  expect(page.url()).not.toContain(key);
  expect(page.url().toUpperCase().replace(/-/g, '')).not.toContain(compact);
}

beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '1000' } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  // a phone: 390 × 844
  context = await phoneContext(browser);
  axeContext = await axeContextOf(browser);
});
afterAll(async () => {
  await axeContext?.close();
  await context?.close();
  await browser?.close();
  await t?.close();
});

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

async function fillForm(page: Page, over: { taxCode?: string } = {}) {
  await page.goto(`${base}/`);
  await page.getByLabel('Phản ánh', { exact: true }).check();
  await page.getByLabel('Lĩnh vực').selectOption({ label: 'Xây dựng' });
  await page.getByLabel('Xã, phường nơi phát sinh vụ việc').selectOption({ label: 'Phường Kinh Bắc' });
  await page.getByLabel('Tiêu đề').fill('Chậm cấp giấy phép xây dựng nhà xưởng');
  await page.getByLabel(/^Nội dung/).fill('Hồ sơ xin giấy phép xây dựng nộp ngày 10/12/2025 đến nay chưa có kết quả, đã quá hạn.');
  await page.getByLabel('Tên doanh nghiệp, hộ kinh doanh hoặc nhà đầu tư').fill('Công ty TNHH Cơ khí Kinh Bắc');
  await page.getByLabel('Mã số thuế').fill(over.taxCode ?? '0100109106');
  await page.getByLabel('Họ tên người liên hệ').fill('Nguyễn Văn An');
  await page.getByLabel('Số điện thoại').fill('0912 345 678');
  await page.getByLabel('Thư điện tử').fill('an.nguyen@cokhikinhbac.vn');
}

describe(`the public pages in Chromium on ${dbLabel}`, () => {
  let code = '';
  let key = '';

  it('files a case through the form and shows the tracking code and access key', async () => {
    const page = await context.newPage();
    await fillForm(page);
    await axe(page, 'the form');
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    expect(await page.locator('body').textContent()).toContain('Không dùng cho trường hợp khẩn cấp');
    await page.getByLabel('Tệp đính kèm (không bắt buộc)').setInputFiles({ name: 'hien-truong.png', mimeType: 'image/png', buffer: PNG_1PX });
    await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
    await page.getByRole('heading', { name: 'Đã tiếp nhận phản ánh' }).waitFor();
    code = await text(page, '#ma-ho-so');
    key = await text(page, '#ma-truy-cap');
    expect(code).toMatch(/^PAKN\.20260302\.\d{4}$/);
    expect(key).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    keyNotIn(page, key);
    await axe(page, 'the confirmation');
    // code and key never wrap mid-string, even on a 320 px screen
    await page.setViewportSize({ width: 320, height: 700 });
    for (const sel of ['#ma-ho-so', '#ma-truy-cap']) {
      const box = await page.locator(sel).boundingBox();
      const lineHeight = await page.locator(sel).evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
      expect(box!.height, sel).toBeLessThan(lineHeight * 1.5);
      expect(box!.x + box!.width, sel).toBeLessThanOrEqual(320);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    // reloading the confirmation shows it again; it does not file the case twice
    const n = (await t.database.db.select({ id: cases.id }).from(cases)).length;
    await page.reload();
    expect(await text(page, '#ma-ho-so')).toBe(code);
    expect((await t.database.db.select({ id: cases.id }).from(cases)).length).toBe(n);
    const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, code));
    expect(row).toMatchObject({ channel: 'web', status: 'assigned', taxCode: '0100109106', phone: '0912345678' });
    expect(await t.database.db.select({ id: attachments.id }).from(attachments).where(eq(attachments.caseId, row.id))).toHaveLength(1);

    // straight from the confirmation to the case
    await page.getByRole('link', { name: 'Xem tình trạng hồ sơ' }).click();
    await page.getByRole('heading', { name: `Hồ sơ ${code}` }).waitFor();
    keyNotIn(page, key);
    expect(await page.locator('body').textContent()).toContain('Sở Xây dựng');
    await page.close();
  });

  it('follows the case at /tra-cuu with its code and key: status, timeline, and the withdraw form', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/tra-cuu?ma=${encodeURIComponent(code)}`);
    expect(await page.getByLabel('Mã hồ sơ').inputValue()).toBe(code);
    const keyInput = page.getByLabel('Mã truy cập');
    expect(await keyInput.getAttribute('autocapitalize')).toBe('characters');
    expect(await keyInput.getAttribute('autocorrect')).toBe('off');
    expect(await keyInput.getAttribute('spellcheck')).toBe('false');
    expect(await page.getByLabel('Mã hồ sơ').getAttribute('autocapitalize')).toBe('characters');
    await axe(page, 'the lookup');
    await keyInput.fill('sai-ma-truy-cap');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByRole('heading', { name: 'Không tìm thấy hồ sơ' }).waitFor();
    await axe(page, 'the lookup, not found');

    // typed in lower case with spaces instead of hyphens, as read out over the phone
    await page.getByLabel('Mã truy cập').fill(key.toLowerCase().replace(/-/g, ' '));
    // keyboard: Enter in a field sends the form
    await page.getByLabel('Mã truy cập').press('Enter');
    await page.getByRole('heading', { name: `Hồ sơ ${code}` }).waitFor();
    keyNotIn(page, key);
    await axe(page, 'the case');
    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).toContain('Đã chuyển đến cơ quan xử lý');
    expect(body).toContain('Sở Xây dựng');
    expect(body).toContain('Hạn trả lời');
    const steps = await page.locator('ol.timeline li').allTextContents();
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.join(' ')).toContain('Đã chuyển đến Sở Xây dựng để xử lý.');
    expect(body).not.toContain('0912345678');
    expect(body).not.toContain('Nguyễn Văn An');

    // withdrawing asks first, on a page of its own
    await page.getByRole('link', { name: 'Rút hồ sơ…' }).click();
    await page.getByRole('heading', { name: `Rút hồ sơ ${code}?` }).waitFor();
    expect(await page.locator('main').textContent()).toContain('không thể hoàn tác');
    await axe(page, 'the withdrawal confirmation');
    await page.getByRole('link', { name: 'Không rút, quay lại hồ sơ' }).click();
    await page.getByRole('heading', { name: `Hồ sơ ${code}` }).waitFor();
    expect((await t.database.db.select().from(cases).where(eq(cases.trackingCode, code)))[0].status).toBe('assigned');
    await page.getByRole('link', { name: 'Rút hồ sơ…' }).click();
    await page.getByLabel('Lý do rút (không bắt buộc)').fill('Doanh nghiệp đã tự giải quyết được.');
    await page.getByRole('button', { name: 'Xác nhận rút hồ sơ' }).click();
    await page.getByRole('status').filter({ hasText: 'Hồ sơ đã được rút' }).waitFor();
    keyNotIn(page, key);
    await axe(page, 'the case, withdrawn');
    expect(await page.locator('.status').textContent()).toBe('Doanh nghiệp đã rút');
    // reloading (or going Back and sending again) never withdraws twice nor shows an error
    await page.reload();
    expect(await page.locator('.error-summary').count()).toBe(0);
    await page.goBack();
    await page.goBack();
    expect(await page.locator('body').textContent()).not.toMatch(/"status"\s*:/);
    expect(await page.getByRole('link', { name: 'Rút hồ sơ…' }).count()).toBe(0);
    await page.close();
  });

  it('shows an error next to the tax code field after a bad tax code, keeping what was typed', async () => {
    const before = (await t.database.db.select({ id: cases.id }).from(cases)).length;
    const page = await context.newPage();
    await fillForm(page, { taxCode: '0100109107' });
    await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
    await page.getByRole('heading', { name: /nội dung cần sửa/ }).waitFor();
    await axe(page, 'the form with an error');
    const fieldError = page.locator('#f-taxCode-error');
    expect(await fieldError.isVisible()).toBe(true);
    expect(await fieldError.textContent()).toContain('chữ số kiểm tra');
    const taxInput = page.getByLabel('Mã số thuế');
    expect(await taxInput.getAttribute('aria-invalid')).toBe('true');
    expect(await taxInput.getAttribute('aria-describedby')).toContain('f-taxCode-error');
    // the message sits in the tax code's own field, just above its input
    const sameField = await page.locator('.field.has-error').filter({ has: page.locator('#f-taxCode') }).locator('.field-error').count();
    expect(sameField).toBe(1);
    // the summary links to the field
    expect(await page.locator('.error-summary a[href="#f-taxCode"]').count()).toBe(1);
    expect(await taxInput.inputValue()).toBe('0100109107');
    expect(await page.getByLabel('Tiêu đề').inputValue()).toBe('Chậm cấp giấy phép xây dựng nhà xưởng');
    expect(await page.getByLabel('Lĩnh vực').inputValue()).not.toBe('');
    expect((await t.database.db.select({ id: cases.id }).from(cases)).length).toBe(before);

    // corrected, it goes through
    await taxInput.fill('0100109106');
    await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
    await page.getByRole('heading', { name: 'Đã tiếp nhận phản ánh' }).waitFor();
    await page.close();
  });

  it('keeps every typed field when an attachment is refused, with the error at the file field', async () => {
    const before = (await t.database.db.select({ id: cases.id }).from(cases)).length;
    const page = await context.newPage();
    await fillForm(page);
    await page.getByLabel('Tệp đính kèm (không bắt buộc)').setInputFiles({ name: 'chuong-trinh.exe', mimeType: 'application/octet-stream', buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]) });
    await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
    await page.getByRole('heading', { name: /nội dung cần sửa/ }).waitFor();
    await axe(page, 'the form with a refused file');
    expect(await page.locator('#f-attachments-error').textContent()).toMatch(/chuong-trinh.*không phải ảnh/);
    expect(await page.getByLabel('Tiêu đề').inputValue()).toBe('Chậm cấp giấy phép xây dựng nhà xưởng');
    expect(await page.getByLabel('Tên doanh nghiệp, hộ kinh doanh hoặc nhà đầu tư').inputValue()).toBe('Công ty TNHH Cơ khí Kinh Bắc');
    expect(await page.getByLabel('Mã số thuế').inputValue()).toBe('0100109106');
    expect(await page.getByLabel('Họ tên người liên hệ').inputValue()).toBe('Nguyễn Văn An');
    expect(await page.getByLabel('Thư điện tử').inputValue()).toBe('an.nguyen@cokhikinhbac.vn');
    expect(await page.getByLabel(/^Nội dung/).inputValue()).toContain('đã quá hạn');
    expect((await t.database.db.select({ id: cases.id }).from(cases)).length).toBe(before);
    await page.close();
  });
});
