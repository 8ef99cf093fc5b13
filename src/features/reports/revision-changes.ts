/**
 * What changed from one published revision of a period to the next, computed from the two
 * revisions' stored JSON: the figures that moved (province totals, each agency, each category,
 * channel and kind) and the answered cases added, removed or re-classified. Pure.
 */
import type { GroupRow, Rate, Report } from './report.js';

/** A figure's value: a count, a median, or a rate (numerator / denominator). */
export type FigureValue = number | Rate | null;

export interface FigureChange {
  /** where: "Toàn tỉnh", or the agency / category / channel / kind's label */
  scope: string;
  /** what, in Vietnamese: "Tỷ lệ đúng hạn" */
  figure: string;
  before: FigureValue;
  after: FigureValue;
}

export interface RevisionChanges {
  from: number;
  to: number;
  /** the publisher's note on the newer revision */
  note: string | null;
  methodChanged: { before: string; after: string } | null;
  figures: FigureChange[];
  casesAdded: string[];
  casesRemoved: string[];
  /** answered in both revisions, with another outcome (early, on time, late) */
  casesReclassified: Array<{ trackingCode: string; before: string; after: string }>;
}

const same = (a: FigureValue, b: FigureValue): boolean => {
  if (a == null || b == null) return a == b;
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.numerator === b.numerator && a.denominator === b.denominator;
};

const TOTALS: Array<[string, (r: Report) => FigureValue]> = [
  ['Hồ sơ tiếp nhận', (r) => r.totals.received.total],
  ['Đã giải quyết', (r) => r.totals.resolved.total],
  ['Trước hạn', (r) => r.totals.resolved.early],
  ['Đúng hạn', (r) => r.totals.resolved.onTime],
  ['Trễ hạn', (r) => r.totals.resolved.late],
  ['Giải quyết có gia hạn', (r) => r.totals.resolved.withExtension],
  ['Tỷ lệ đúng hạn', (r) => r.totals.onTimeRate],
  ['Đúng hạn không gia hạn', (r) => r.totals.strictOnTimeRate],
  ['Đang xử lý cuối kỳ', (r) => r.totals.openAtPeriodEnd.total],
  ['Quá hạn cuối kỳ', (r) => r.totals.openAtPeriodEnd.overdue],
  ['Trung vị ngày làm việc để giải quyết', (r) => r.totals.workingDaysToResolve.median],
  ['Lần tạm dừng chờ doanh nghiệp', (r) => r.totals.pauses.count],
  ['Gia hạn được phê duyệt', (r) => r.totals.extensions.approved],
  ['Doanh nghiệp không đồng ý với kết quả', (r) => r.totals.disputes.count],
  ['Mức độ hài lòng', (r) => r.totals.satisfaction.rate],
];

const GROUP: Array<[string, (g: GroupRow) => FigureValue]> = [
  ['Tiếp nhận', (g) => g.received],
  ['Đã giải quyết', (g) => g.resolved],
  ['Trễ hạn', (g) => g.late],
  ['Tỷ lệ đúng hạn', (g) => g.onTimeRate],
];

function groupChanges(before: GroupRow[], after: GroupRow[], what: string, extra: Array<[string, (g: GroupRow) => FigureValue]> = []): FigureChange[] {
  const id = (g: GroupRow) => g.key ?? `label:${g.label}`;
  const prev = new Map(before.map((g) => [id(g), g]));
  const next = new Map(after.map((g) => [id(g), g]));
  const out: FigureChange[] = [];
  for (const key of [...new Set([...prev.keys(), ...next.keys()])]) {
    const a = prev.get(key);
    const b = next.get(key);
    const scope = `${what}: ${(b ?? a)!.label}`;
    for (const [figure, get] of [...GROUP, ...extra]) {
      const va = a ? get(a) : null;
      const vb = b ? get(b) : null;
      if (!same(va, vb)) out.push({ scope, figure, before: va, after: vb });
    }
  }
  return out;
}

/** The changes from revision `prev` to revision `next` of the same period. */
export function revisionChanges(prev: Report, next: Report): RevisionChanges {
  const figures: FigureChange[] = [];
  for (const [figure, get] of TOTALS) {
    const a = get(prev);
    const b = get(next);
    if (!same(a, b)) figures.push({ scope: 'Toàn tỉnh', figure, before: a, after: b });
  }
  figures.push(
    ...groupChanges(prev.agencies, next.agencies, 'Cơ quan', [
      ['Hạng', (g) => (g as Report['agencies'][number]).rank ?? null],
      ['Quá hạn cuối kỳ', (g) => (g as Report['agencies'][number]).overdue],
    ]),
    ...groupChanges(prev.byCategory, next.byCategory, 'Lĩnh vực'),
    ...groupChanges(prev.byChannel, next.byChannel, 'Kênh'),
    ...groupChanges(prev.byKind, next.byKind, 'Loại'),
  );
  const before = new Map(prev.cases.map((c) => [c.trackingCode, c]));
  const after = new Map(next.cases.map((c) => [c.trackingCode, c]));
  return {
    from: prev.revision,
    to: next.revision,
    note: next.revisionNote ?? null,
    methodChanged: prev.methodVersion === next.methodVersion ? null : { before: prev.methodVersion, after: next.methodVersion },
    figures,
    casesAdded: [...after.keys()].filter((k) => !before.has(k)),
    casesRemoved: [...before.keys()].filter((k) => !after.has(k)),
    casesReclassified: [...after.values()]
      .filter((c) => before.has(c.trackingCode) && before.get(c.trackingCode)!.outcome !== c.outcome)
      .map((c) => ({ trackingCode: c.trackingCode, before: before.get(c.trackingCode)!.outcome, after: c.outcome })),
  };
}
