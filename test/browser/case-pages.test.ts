import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeContextOf, expectNoAxeViolations, launchChromium, phoneContext } from './harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases, outbox } from '../../src/db/schema.js';
import type { Actor } from '../../src/features/auth/service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { EXE, PDF_MIN, PNG_1PX, refIds, validBody } from '../intake/helpers.js';

/**
 * The case page after lookup (what the business sent, a reply with files), a lost key, and the
 * form's copy, in headless Chromium (Debian's package) on a phone, JavaScript off, axe-core on
 * every page state.
 */
let t: TestApp;
let browser: Browser;
let context: BrowserContext;
let axeContext: BrowserContext;
let base: string;
let staff: Actor;

const axe = (page: Page, state: string) => expectNoAxeViolations(axeContext, page, state);

beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '1000' } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  staff = (await t.app.services.auth.authenticate(t.tokens.agency_staff))!;
  browser = await launchChromium();
  context = await phoneContext(browser);
  axeContext = await axeContextOf(browser);
});
afterAll(async () => {
  await axeContext?.close();
  await context?.close();
  await browser?.close();
  await t?.close();
});

/** A case filed with a PDF, accepted, and waiting for the business to answer a question. */
async function awaitingCase() {
  const ids = await refIds(t);
  let req = t.request().post('/api/v1/public/cases');
  for (const [k, v] of Object.entries(validBody(ids, { email: 'ketoan@cokhikinhbac.vn' }))) req = req.field(k, String(v));
  const r = await req.attach('attachments', PDF_MIN, { filename: 'giay-phep-cu.pdf', contentType: 'application/pdf' });
  expect(r.status).toBe(201);
  const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
  const version = async () => (await t.database.db.select({ v: cases.version }).from(cases).where(eq(cases.id, row.id)))[0].v;
  await t.app.services.workflow.act(row.id, 'accept', { kind: 'staff', actor: staff }, { version: await version() });
  await t.app.services.workflow.act(row.id, 'request_info', { kind: 'staff', actor: staff }, { version: await version(), publicText: 'Đề nghị bổ sung bản vẽ mặt bằng.' });
  return { code: r.body.trackingCode as string, key: r.body.accessKey as string, id: row.id };
}

async function openCase(page: Page, code: string, key: string) {
  await page.goto(`${base}/tra-cuu?ma=${encodeURIComponent(code)}`);
  await page.getByLabel('Mã truy cập').fill(key);
  await page.getByRole('button', { name: 'Tra cứu' }).click();
  await page.getByRole('heading', { name: `Hồ sơ ${code}` }).waitFor();
}

describe(`the case pages in Chromium on ${dbLabel}`, () => {
  it('shows the business what it sent, and takes a reply with a file (a refused file keeps the text)', async () => {
    const c = await awaitingCase();
    const page = await context.newPage();
    await openCase(page, c.code, c.key);
    const sent = page.locator('.sent');
    expect(await sent.textContent()).toContain('Chậm cấp giấy phép xây dựng nhà xưởng');
    expect(await sent.textContent()).toContain('quá hạn theo quy định');
    expect(await sent.locator('ul.files li').allTextContents()).toEqual(['giay-phep-cu.pdf (1 KB)']);
    await axe(page, 'the case awaiting a reply');

    const text = 'Công ty gửi bổ sung bản vẽ mặt bằng tầng 1.';
    await page.getByLabel('Thông tin bổ sung').fill(text);
    await page.getByLabel('Tệp đính kèm (không bắt buộc)').setInputFiles({ name: 'chuong-trinh.exe', mimeType: 'application/octet-stream', buffer: EXE });
    await page.getByRole('button', { name: 'Gửi thông tin bổ sung' }).click();
    await page.getByRole('heading', { name: /nội dung cần sửa/ }).waitFor();
    await axe(page, 'the reply with a refused file');
    expect(await page.locator('#f-attachments-error').textContent()).toMatch(/chuong-trinh.*không phải ảnh/);
    expect(await page.getByLabel('Thông tin bổ sung').inputValue()).toBe(text);
    expect(await page.getByLabel('Tệp đính kèm (không bắt buộc)').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Tệp đính kèm (không bắt buộc)').setInputFiles({ name: 'ban-ve.png', mimeType: 'image/png', buffer: PNG_1PX });
    await page.getByRole('button', { name: 'Gửi thông tin bổ sung' }).click();
    await page.getByRole('status').filter({ hasText: 'Đã gửi thông tin bổ sung' }).waitFor();
    await axe(page, 'the case after the reply');
    const last = page.locator('ol.timeline li').last();
    expect(await last.textContent()).toContain(text);
    expect(await last.textContent()).toContain('Tệp đính kèm: ban-ve.png');
    expect((await t.database.db.select().from(cases).where(eq(cases.id, c.id)))[0].status).toBe('in_progress');
    await page.close();
  });

  it('recovers a lost key by e-mail: "Quên mã truy cập?" on /tra-cuu, the same answer, the old key refused', async () => {
    const c = await awaitingCase();
    const page = await context.newPage();
    await page.goto(`${base}/tra-cuu?ma=${encodeURIComponent(c.code)}`);
    await page.getByRole('link', { name: 'Quên mã truy cập?' }).click();
    await page.getByRole('heading', { name: 'Quên mã truy cập' }).waitFor();
    expect(await page.getByLabel('Mã hồ sơ').inputValue()).toBe(c.code);
    await axe(page, 'the lost-key form');
    await page.getByRole('button', { name: 'Gửi mã truy cập mới' }).click();
    await page.getByRole('heading', { name: /nội dung cần sửa/ }).waitFor();
    await axe(page, 'the lost-key form with an error');
    await page.getByLabel('Thư điện tử đã khai khi gửi').fill(' KeToan@CoKhiKinhBac.vn ');
    await page.getByRole('button', { name: 'Gửi mã truy cập mới' }).click();
    await page.getByRole('heading', { name: 'Cấp lại mã truy cập' }).waitFor();
    await axe(page, 'the lost-key answer');
    const answer = await page.locator('main').textContent();
    expect(answer).toContain('Nếu mã hồ sơ và địa chỉ thư điện tử khớp với hồ sơ');

    const [mail] = await t.database.db.select().from(outbox).where(and(eq(outbox.caseId, c.id), eq(outbox.template, 'access_key_reissue')));
    const newKey = /Mã truy cập mới: ([0-9A-Z-]+)/.exec(mail.textBody)![1];
    await page.getByRole('link', { name: 'Tra cứu hồ sơ bằng mã mới' }).click();
    await page.getByLabel('Mã truy cập').fill(c.key);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByRole('heading', { name: 'Không tìm thấy hồ sơ' }).waitFor();
    await page.getByLabel('Mã truy cập').fill(newKey);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByRole('heading', { name: `Hồ sơ ${c.code}` }).waitFor();
    expect(await page.locator('ol.timeline').textContent()).toContain('Cấp lại mã truy cập');

    // a wrong address gets the very same page
    await page.goto(`${base}/tra-cuu/quen-ma?ma=${encodeURIComponent(c.code)}`);
    await page.getByLabel('Thư điện tử đã khai khi gửi').fill('nguoi-khac@example.vn');
    await page.getByRole('button', { name: 'Gửi mã truy cập mới' }).click();
    await page.getByRole('heading', { name: 'Cấp lại mã truy cập' }).waitFor();
    expect(await page.locator('main').textContent()).toBe(answer);
    await page.close();
  });

  it('the form: consent is not offered once tố cáo is chosen; a summary link keeps the label in view', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const consent = page.getByLabel('Đồng ý công khai tên doanh nghiệp');
    expect(await consent.isVisible()).toBe(true);
    await page.getByLabel('Tố cáo', { exact: true }).check();
    expect(await consent.isVisible()).toBe(false);
    await page.getByLabel('Phản ánh', { exact: true }).check();
    expect(await consent.isVisible()).toBe(true);

    // send it empty, then follow the summary's link to the content field, far down the page
    await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
    await page.getByRole('heading', { name: /nội dung cần sửa/ }).waitFor();
    await axe(page, 'the empty form with errors');
    await page.locator('.error-summary a[href="#f-content"]').click();
    const label = await page.locator('label[for="f-content"]').boundingBox();
    const field = await page.locator('#f-content').boundingBox();
    expect(field!.y).toBeGreaterThan(0);
    // the label (and the error above the field) are in view, not scrolled off the top
    expect(label!.y).toBeGreaterThanOrEqual(0);
    expect(label!.y).toBeLessThan(844);
    await page.close();
  });
});
