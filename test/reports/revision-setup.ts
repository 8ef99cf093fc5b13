import { eq } from 'drizzle-orm';
import { cases } from '../../src/db/schema.js';
import { bearer, type TestApp } from '../helpers/app.js';
import { force, idsByCode, receive, vn } from './helpers.js';

export const REVISION_NOTE = 'Sở Nông nghiệp và Môi trường cập nhật muộn kết quả trả lời một hồ sơ trong tháng 3; số liệu được tính lại.';

const answered = (at: string, outcome: string) => ({
  status: 'resolved',
  resolvedAt: vn(at),
  outcome,
  resolvedWithExtension: false,
  reason: 'answered',
  publicAnswer: 'Đã trả lời doanh nghiệp.',
});

/**
 * March 2026 published twice (minimum cell 3): revision 1 with Sở Xây dựng 2/3 on time, Sở NN&MT
 * 2/2 and Sở Y tế 1/1 (both small cells), one rating; then an answer of Sở NN&MT recorded late
 * and revision 2 published by admin with a note. Returns the tracking code the second revision adds.
 */
export async function publishTwoRevisions(t: TestApp): Promise<{ added: string }> {
  const { category } = await idsByCode(t);
  const plan: Array<[number, string, string, string]> = [
    [category.xay_dung, '2026-03-02 09:00', '2026-03-04 10:00', 'early'],
    [category.xay_dung, '2026-03-03 09:00', '2026-03-17 16:00', 'on_time'],
    [category.xay_dung, '2026-03-04 09:00', '2026-03-25 10:00', 'late'],
    [category.moi_truong, '2026-03-05 09:00', '2026-03-06 10:00', 'early'],
    [category.moi_truong, '2026-03-09 09:00', '2026-03-10 10:00', 'early'],
    [category.an_toan_thuc_pham, '2026-03-10 09:00', '2026-03-11 10:00', 'early'],
  ];
  let first = 0;
  for (const [cat, at, done, outcome] of plan) {
    const c = await receive(t, { at, category: cat });
    first ||= c.id;
    await force(t, c.id, done, 'resolve', 'resolved', answered(done, outcome));
  }
  // one rating in the month: a sample far too small to read as satisfaction
  await t.database.db.update(cases).set({ rating: 5, ratedAt: vn('2026-03-20 10:00') }).where(eq(cases.id, first));
  await t.app.services.reports.publish('2026-03');

  const late = await receive(t, { at: '2026-03-16 09:00', category: category.moi_truong });
  await force(t, late.id, '2026-03-18 10:00', 'resolve', 'resolved', answered('2026-03-18 10:00', 'on_time'));
  const r = await t.request().post('/api/v1/admin/reports/2026-03/publish').set(bearer(t.tokens.admin)).send({ note: REVISION_NOTE });
  if (r.status !== 201) throw new Error(`publish: ${r.status} ${JSON.stringify(r.body)}`);
  return { added: late.trackingCode };
}
