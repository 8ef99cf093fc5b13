/**
 * A case as GeoReport v2 shows it: the Open311Request shape, its open/closed status and the
 * plain-words service_notice. The mapper takes the disclosure decision as an argument
 * (src/domain/disclosure.ts): what a client app sees of a request depends on whether it filed it.
 */
import { toLocalIso } from '../../domain/calendar.js';
import { discloseText, type Disclosure } from '../../domain/disclosure.js';
import { isOpenStatus, OPEN_STATUSES, type CaseStatus } from '../../domain/lifecycle.js';
import { describeDuration, type SlaPolicy } from '../../domain/sla.js';
import { isProvisional } from '../cases/deadlines.js';
import { fmtDateTime } from '../notifications/templates.js';
import type { RequestRow } from './repository.js';

/** One service request as GeoReport v2 shows it (field order as in the specification). */
export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  extended_attributes?: {
    detailed_status: string;
    kind: string;
    channel: string;
    outcome: string | null;
    resolved_datetime: string | null;
    closed_datetime: string | null;
    extensions_used: number;
    /** expected_datetime is the provisional latest deadline (khiếu nại, tố cáo not accepted yet) */
    expected_datetime_provisional: boolean;
  };
  notes?: Open311Note[];
}

/** One entry of a request's public timeline (extensions, own requests only). */
export type Open311Note = { type: string; summary: string; datetime: string };

/** open = still being handled; closed = answered (resolved), closed, rejected or withdrawn. */
export const OPEN311_OPEN_STATUSES: readonly string[] = OPEN_STATUSES;
export const OPEN311_CLOSED_STATUSES: readonly string[] = ['resolved', 'closed', 'rejected', 'withdrawn'];
export const open311Status = (status: string): 'open' | 'closed' => (OPEN311_OPEN_STATUSES.includes(status) ? 'open' : 'closed');

/** "17:00 ngày 05/03/2026" in Asia/Ho_Chi_Minh: the e-mails' format */
export const formatDeadlineVi = fmtDateTime;

/** "05/03/2026": the day alone */
export const dayVi = (t: Date) => formatDeadlineVi(t).slice(-10);

/** The plain-words promise (or outcome) a client app shows the person who filed the request. */
export function serviceNotice(c: {
  status: string;
  resolveDueAt: Date;
  slaPolicy: Record<string, unknown>;
  firstAcceptedAt: Date | null;
  extensionsUsed: number;
  resolvedAt: Date | null;
  closedAt: Date | null;
  updatedAt: Date;
}): string {
  switch (c.status) {
    case 'awaiting_business':
      return 'Cơ quan có thẩm quyền đang chờ doanh nghiệp bổ sung thông tin; thời hạn trả lời tạm dừng cho đến khi nhận được thông tin bổ sung.';
    case 'resolved':
      return `Đã có văn bản trả lời ngày ${dayVi(c.resolvedAt ?? c.updatedAt)}. Doanh nghiệp có thể phản hồi nếu chưa đồng ý trong 7 ngày.`;
    case 'closed':
      return c.resolvedAt ? `Đã trả lời ngày ${dayVi(c.resolvedAt)}; hồ sơ đã đóng.` : `Hồ sơ đã đóng ngày ${dayVi(c.closedAt ?? c.updatedAt)}.`;
    case 'rejected':
      return 'Không thụ lý; lý do được nêu trong ghi chú (status_notes).';
    case 'withdrawn':
      return 'Doanh nghiệp đã rút phản ánh, kiến nghị.';
    default: {
      const policy = c.slaPolicy as unknown as SlaPolicy;
      const within = policy?.resolveWithin ? describeDuration(policy.resolveWithin) : null;
      const extra = c.extensionsUsed > 0 ? ', đã gia hạn' : '';
      if (isProvisional(c)) {
        return `Cơ quan có thẩm quyền sẽ trả lời muộn nhất trước ${formatDeadlineVi(c.resolveDueAt)} (hạn tạm tính: ${within ?? 'thời hạn giải quyết'} kể từ ngày thụ lý; hạn chính thức được tính khi hồ sơ được thụ lý).`;
      }
      return `Cơ quan có thẩm quyền sẽ trả lời trước ${formatDeadlineVi(c.resolveDueAt)}${within ? ` (${within}${extra})` : ''}.`;
    }
  }
}

/**
 * A request row as the client app may see it, under the disclosure decision `d` (own request
 * or another app's). With `extensions`, pakn's extended_attributes and the request's public
 * timeline (`notes`, read only for the app's own requests).
 */
export function toOpen311Request(row: RequestRow, d: Disclosure, opts: { extensions: boolean; notes?: Open311Note[] }): Open311Request {
  const { c, agencyName, categoryCode, categoryName, localityCode, lastPublicText } = row;
  const who = { businessName: c.businessName, contactName: c.contactName, taxCode: c.taxCode, phone: c.phone, email: c.email, consentPublishName: c.consentPublishName, confidential: c.confidential };
  const showLocation = d.location === 'full';
  const r: Open311Request = {
    service_request_id: c.trackingCode,
    status: open311Status(c.status),
    status_notes: discloseText(d, c.lastPublicNote ?? lastPublicText ?? null, who),
    service_name: categoryName ?? null,
    service_code: categoryCode ?? null,
    description: discloseText(d, c.content, who),
    agency_responsible: agencyName ?? null,
    service_notice: serviceNotice(c),
    requested_datetime: toLocalIso(c.receivedAt),
    updated_datetime: toLocalIso(c.updatedAt),
    expected_datetime: toLocalIso(c.resolveDueAt),
    address: showLocation ? c.address : null,
    address_id: showLocation ? (localityCode ?? null) : null,
    zipcode: null,
    lat: showLocation ? c.lat : null,
    long: showLocation ? c.long : null,
    // the filing app's own submission, as description: only that app sees it (never a masked URL)
    media_url: d.text === 'full' ? c.mediaUrl : null,
  };
  if (opts.extensions) {
    r.extended_attributes = {
      detailed_status: c.status,
      kind: c.kind,
      channel: c.channel,
      outcome: c.outcome,
      resolved_datetime: c.resolvedAt ? toLocalIso(c.resolvedAt) : null,
      closed_datetime: c.closedAt ? toLocalIso(c.closedAt) : null,
      extensions_used: c.extensionsUsed,
      expected_datetime_provisional: isOpenStatus(c.status as CaseStatus) && isProvisional(c),
    };
    r.notes = d.text === 'none' ? [] : (opts.notes ?? []).map((n) => ({ ...n, summary: discloseText(d, n.summary, who) ?? '' }));
  }
  return r;
}
