import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewCase } from '../../src/features/intake/create-case.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' });
});
afterAll(async () => t?.close());

const base = (receivedAt: string): NewCase => ({
  kind: 'phan_anh',
  categoryId: 1,
  localityId: null,
  title: 'Chậm giải quyết hồ sơ',
  content: 'Hồ sơ nộp đã quá hạn mà chưa có kết quả giải quyết.',
  businessName: 'Công ty A',
  taxCode: '0100109106',
  contactName: 'Nguyễn Văn A',
  phone: '0912345678',
  email: null,
  consentPublishName: false,
  channel: 'hotline',
  receivedAt: new Date(receivedAt),
});

describe(`tracking codes on ${dbLabel}`, () => {
  it('numbers each day of receipt (Hà Nội time) from 0001, without duplicates under concurrency', async () => {
    const { createCase } = t.app.services.intake;
    const now = t.clock.now();
    const sameDay = await Promise.all(Array.from({ length: 12 }, () => createCase(base('2026-03-01T20:00:00Z'), undefined, now)));
    const codes = sameDay.map((c) => c.trackingCode).sort();
    // 20:00 UTC on 1/3 is 03:00 on 2/3 in Hà Nội
    expect(codes).toEqual(Array.from({ length: 12 }, (_, i) => `PAKN.20260302.${String(i + 1).padStart(4, '0')}`));
    const otherDay = await createCase(base('2026-02-27T03:00:00Z'), undefined, now);
    expect(otherDay.trackingCode).toBe('PAKN.20260227.0001');
    const next = await createCase(base('2026-03-02T03:00:00Z'), undefined, now);
    expect(next.trackingCode).toBe('PAKN.20260302.0013');
  });
});
