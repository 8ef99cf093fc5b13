import { AGENCY_ROLES as AGENCY_STAFF_ROLES } from './roles.js';

export const CASE_STATUSES = [
  'received',
  'assigned',
  'in_progress',
  'awaiting_business',
  'resolved',
  'closed',
  'rejected',
  'withdrawn',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const OPEN_STATUSES = ['received', 'assigned', 'in_progress', 'awaiting_business'] as const satisfies readonly CaseStatus[];
export const TERMINAL_STATUSES = ['closed', 'rejected', 'withdrawn'] as const satisfies readonly CaseStatus[];

export const ACTIONS = [
  'assign',
  'accept',
  'request_info',
  'reply',
  'resolve',
  'return',
  'reject',
  'extend',
  'note',
  'reopen',
  'close',
  'dispute',
  'withdraw',
  'rate',
  'merge',
] as const;
export type Action = (typeof ACTIONS)[number];

export const ROLES = ['public', 'coordinator', 'agency_staff', 'agency_lead', 'inspector', 'admin', 'system'] as const;
export type Role = (typeof ROLES)[number];

export const RESOLVE_REASONS = ['answered', 'fixed', 'partially_fixed', 'not_accepted_with_explanation'] as const;
export type ResolveReason = (typeof RESOLVE_REASONS)[number];

export const REJECT_REASONS = [
  'duplicate',
  'not_business_related',
  'outside_jurisdiction',
  'spam',
  'insufficient_information',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const TERMINAL_REASONS = [
  ...RESOLVE_REASONS,
  ...REJECT_REASONS,
  'withdrawn',
  'no_response_from_business',
] as const;
export type TerminalReason = (typeof TERMINAL_REASONS)[number];

/** Calendar days after resolvedAt during which the business may dispute the answer. */
export const DISPUTE_WINDOW_DAYS = 7;
/** Working days without a reply after which an awaiting_business case is closed by the system. */
export const AWAITING_BUSINESS_TIMEOUT_WORKING_DAYS = 15;

const DAY_MS = 24 * 60 * 60 * 1000;
const DISPUTE_WINDOW_MS = DISPUTE_WINDOW_DAYS * DAY_MS;

export interface TransitionContext {
  role: Role;
  status: CaseStatus;
  /** Agency roles: the case is assigned to the actor's agency. */
  sameAgency?: boolean;
  now?: Date;
  resolvedAt?: Date | null;
  alreadyRated?: boolean;
  onFinding?: boolean;
  reason?: string;
  duplicateOf?: number | null;
  hasPublicText?: boolean;
}

export type TransitionErrorCode = 'forbidden' | 'illegal_transition' | 'invalid_reason' | 'missing_field' | 'window_closed';

export type TransitionResult =
  | { ok: true; to: CaseStatus; reason?: TerminalReason }
  | { ok: false; code: TransitionErrorCode; message: string };

export const STATUS_LABEL_VI: Record<CaseStatus, string> = {
  received: 'Đã tiếp nhận, đang chờ phân công',
  assigned: 'Đã chuyển đến cơ quan xử lý',
  in_progress: 'Cơ quan đang xử lý',
  awaiting_business: 'Đang chờ doanh nghiệp bổ sung thông tin',
  resolved: 'Đã có câu trả lời',
  closed: 'Đã kết thúc',
  rejected: 'Không tiếp nhận xử lý',
  withdrawn: 'Doanh nghiệp đã rút',
};

export const ACTION_LABEL_VI: Record<Action, string> = {
  assign: 'Phân công cơ quan xử lý',
  accept: 'Nhận xử lý',
  request_info: 'Yêu cầu doanh nghiệp bổ sung thông tin',
  reply: 'Bổ sung thông tin',
  resolve: 'Trả lời kết quả xử lý',
  return: 'Trả lại để phân công lại',
  reject: 'Từ chối tiếp nhận',
  extend: 'Gia hạn thời gian xử lý',
  note: 'Ghi chú nội bộ',
  reopen: 'Mở lại hồ sơ',
  close: 'Kết thúc hồ sơ',
  dispute: 'Không đồng ý với kết quả trả lời',
  withdraw: 'Rút phản ánh, kiến nghị',
  rate: 'Đánh giá mức độ hài lòng',
  merge: 'Gộp vào hồ sơ trùng',
};

/** Timeline events that are not lifecycle actions. */
const OTHER_EVENT_LABEL_VI: Record<string, string> = {
  receive: 'Tiếp nhận',
  escalate: 'Đôn đốc, cảnh báo thời hạn',
  deadline_recomputed: 'Tính lại thời hạn theo lịch làm việc',
  access_key_reissue: 'Cấp lại mã truy cập',
};

/** A timeline event's name in plain Vietnamese (actions and the other events). */
export function eventLabelVi(action: string): string {
  return (ACTION_LABEL_VI as Record<string, string>)[action] ?? OTHER_EVENT_LABEL_VI[action] ?? 'Cập nhật';
}

export const REASON_LABEL_VI: Record<TerminalReason, string> = {
  answered: 'Đã trả lời',
  fixed: 'Đã khắc phục',
  partially_fixed: 'Đã khắc phục một phần',
  not_accepted_with_explanation: 'Không chấp nhận, có giải thích lý do',
  duplicate: 'Trùng với hồ sơ khác',
  not_business_related: 'Không liên quan đến hoạt động sản xuất, kinh doanh',
  outside_jurisdiction: 'Không thuộc thẩm quyền giải quyết của tỉnh',
  spam: 'Nội dung không phù hợp (spam)',
  insufficient_information: 'Không đủ thông tin để xử lý',
  withdrawn: 'Doanh nghiệp đã rút',
  no_response_from_business: 'Doanh nghiệp không bổ sung thông tin trong thời hạn',
};

type From = readonly CaseStatus[] | 'any';
interface Rule {
  from: From;
  /** 'same' keeps the current status. */
  to: CaseStatus | 'same';
}

const REJECTABLE: readonly CaseStatus[] = ['received', 'assigned', 'in_progress'];
const REOPENABLE: readonly CaseStatus[] = ['resolved', 'closed'];
const EXTENDABLE: readonly CaseStatus[] = ['in_progress', 'awaiting_business'];

const AGENCY_STAFF_RULES: Partial<Record<Action, Rule>> = {
  accept: { from: ['assigned'], to: 'in_progress' },
  request_info: { from: ['in_progress'], to: 'awaiting_business' },
  resolve: { from: ['in_progress'], to: 'resolved' },
  return: { from: ['assigned', 'in_progress'], to: 'received' },
  note: { from: 'any', to: 'same' },
};

const RULES: Record<Role, Partial<Record<Action, Rule>>> = {
  coordinator: {
    assign: { from: REJECTABLE, to: 'assigned' },
    reject: { from: REJECTABLE, to: 'rejected' },
    merge: { from: REJECTABLE, to: 'rejected' },
    extend: { from: EXTENDABLE, to: 'same' },
    reopen: { from: REOPENABLE, to: 'in_progress' },
    close: { from: ['resolved'], to: 'closed' },
    note: { from: 'any', to: 'same' },
    resolve: { from: ['in_progress'], to: 'resolved' },
  },
  agency_staff: AGENCY_STAFF_RULES,
  agency_lead: {
    ...AGENCY_STAFF_RULES,
    extend: { from: EXTENDABLE, to: 'same' },
  },
  inspector: {
    reopen: { from: REOPENABLE, to: 'in_progress' },
  },
  public: {
    reply: { from: ['awaiting_business'], to: 'in_progress' },
    dispute: { from: ['resolved'], to: 'in_progress' },
    withdraw: { from: OPEN_STATUSES, to: 'withdrawn' },
    rate: { from: ['resolved', 'closed'], to: 'same' },
  },
  system: {
    close: { from: ['resolved', 'awaiting_business'], to: 'closed' },
    note: { from: 'any', to: 'same' },
  },
  admin: {},
};

const AGENCY_ROLES: readonly Role[] = AGENCY_STAFF_ROLES;

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

export function isCaseStatus(s: unknown): s is CaseStatus {
  return includes(CASE_STATUSES, s);
}
export function isAction(s: unknown): s is Action {
  return includes(ACTIONS, s);
}
export function isRole(s: unknown): s is Role {
  return includes(ROLES, s);
}
export function isResolveReason(s: unknown): s is ResolveReason {
  return includes(RESOLVE_REASONS, s);
}
export function isRejectReason(s: unknown): s is RejectReason {
  return includes(REJECT_REASONS, s);
}
export function isTerminalReason(s: unknown): s is TerminalReason {
  return includes(TERMINAL_REASONS, s);
}
export function isOpenStatus(s: CaseStatus): boolean {
  return includes(OPEN_STATUSES, s);
}
export function isTerminalStatus(s: CaseStatus): boolean {
  return includes(TERMINAL_STATUSES, s);
}

/** Last instant (inclusive) at which a case resolved at `resolvedAt` may still be disputed. */
export function disputeDeadline(resolvedAt: Date): Date {
  return new Date(resolvedAt.getTime() + DISPUTE_WINDOW_MS);
}

type Failure = Extract<TransitionResult, { ok: false }>;

function fail(code: TransitionErrorCode, message: string): Failure {
  return { ok: false, code, message };
}

function forbidden(role: string, action: string): Failure {
  return fail('forbidden', `Vai trò '${role}' không được phép thực hiện '${action}' (forbidden)`);
}

function illegal(action: string, status: string): Failure {
  return fail(
    'illegal_transition',
    `Không thể thực hiện '${action}' khi hồ sơ ở trạng thái '${status}' (illegal transition)`,
  );
}

function validDate(d: Date | null | undefined): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/**
 * Checks role, agency ownership, source status and context guards (dispute window, rating, audit finding).
 * Returns the target status or a failure. Payload (reason, duplicateOf, public text) is not inspected here.
 */
export function checkPermission(action: Action, ctx: Omit<TransitionContext, 'reason' | 'duplicateOf' | 'hasPublicText'>): Failure | { to: CaseStatus } {
  const { role, status } = ctx;
  if (!isRole(role)) return fail('forbidden', `Vai trò không hợp lệ: '${String(role)}' (forbidden: unknown role)`);
  if (!isAction(action)) return fail('forbidden', `Thao tác không hợp lệ: '${String(action)}' (forbidden: unknown action)`);
  const rule = RULES[role][action];
  if (!rule) return forbidden(role, action);
  if (role === 'inspector' && action === 'reopen' && ctx.onFinding !== true) {
    return fail(
      'forbidden',
      `Thanh tra chỉ được mở lại hồ sơ theo kết luận kiểm tra (forbidden: inspector reopen requires an audit finding)`,
    );
  }
  if (AGENCY_ROLES.includes(role) && ctx.sameAgency !== true) {
    return fail('forbidden', `Hồ sơ không thuộc cơ quan của bạn, không thể thực hiện '${action}' (forbidden: case not assigned to your agency)`);
  }
  if (!isCaseStatus(status)) {
    return fail('illegal_transition', `Trạng thái hồ sơ không hợp lệ: '${String(status)}' (illegal transition: unknown status)`);
  }
  if (rule.from !== 'any' && !rule.from.includes(status)) return illegal(action, status);

  if (action === 'dispute') {
    if (!validDate(ctx.now) || !validDate(ctx.resolvedAt)) {
      return fail('missing_field', 'Thiếu thời điểm hiện tại hoặc thời điểm trả lời (missing field: now/resolvedAt)');
    }
    if (ctx.now.getTime() - ctx.resolvedAt.getTime() > DISPUTE_WINDOW_MS) {
      return fail(
        'window_closed',
        `Đã quá ${DISPUTE_WINDOW_DAYS} ngày kể từ khi có câu trả lời, không thể khiếu nại kết quả (window closed)`,
      );
    }
  }
  if (action === 'close' && role === 'system' && status === 'resolved') {
    if (!validDate(ctx.now) || !validDate(ctx.resolvedAt)) {
      return fail('missing_field', 'Thiếu thời điểm hiện tại hoặc thời điểm trả lời (missing field: now/resolvedAt)');
    }
    if (ctx.now.getTime() - ctx.resolvedAt.getTime() <= DISPUTE_WINDOW_MS) {
      return fail(
        'illegal_transition',
        `Chưa hết thời hạn ${DISPUTE_WINDOW_DAYS} ngày để doanh nghiệp phản hồi kết quả (illegal transition: dispute window still open)`,
      );
    }
  }
  if (action === 'rate' && ctx.alreadyRated === true) {
    return fail('illegal_transition', 'Hồ sơ đã được đánh giá, mỗi hồ sơ chỉ được đánh giá một lần (illegal transition: already rated)');
  }
  return { to: rule.to === 'same' ? status : rule.to };
}

function invalidReason(reason: string | undefined, allowed: readonly string[]): Failure {
  const shown = reason === undefined || reason === '' ? 'chưa chọn lý do' : `'${reason}'`;
  return fail('invalid_reason', `Lý do không hợp lệ: ${shown}; chọn một trong: ${allowed.join(', ')} (invalid reason)`);
}

function validDuplicateOf(id: number | null | undefined): boolean {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

function missingDuplicateOf(): Failure {
  return fail('missing_field', 'Thiếu mã hồ sơ gốc khi từ chối vì trùng lặp (missing field: duplicateOf)');
}

export function transition(action: Action, ctx: TransitionContext): TransitionResult {
  const permitted = checkPermission(action, ctx);
  if ('ok' in permitted) return permitted;
  const { to } = permitted;

  switch (action) {
    case 'resolve': {
      if (!isResolveReason(ctx.reason)) return invalidReason(ctx.reason, RESOLVE_REASONS);
      if (ctx.hasPublicText !== true) {
        return fail('missing_field', 'Thiếu nội dung trả lời công khai cho doanh nghiệp (missing field: public text)');
      }
      return { ok: true, to, reason: ctx.reason };
    }
    case 'reject': {
      if (!isRejectReason(ctx.reason)) return invalidReason(ctx.reason, REJECT_REASONS);
      if (ctx.reason === 'duplicate' && !validDuplicateOf(ctx.duplicateOf)) return missingDuplicateOf();
      return { ok: true, to, reason: ctx.reason };
    }
    case 'merge': {
      if (ctx.reason !== undefined && ctx.reason !== 'duplicate') return invalidReason(ctx.reason, ['duplicate']);
      if (!validDuplicateOf(ctx.duplicateOf)) return missingDuplicateOf();
      return { ok: true, to, reason: 'duplicate' };
    }
    case 'withdraw':
      return { ok: true, to, reason: 'withdrawn' };
    case 'close':
      if (ctx.status === 'awaiting_business') return { ok: true, to, reason: 'no_response_from_business' };
      return { ok: true, to };
    default:
      return { ok: true, to };
  }
}

/**
 * Actions the role may perform on the case in its current state, in ACTIONS order.
 * Payload requirements (reason, duplicateOf, public text) are not considered.
 */
export function allowedActions(ctx: Omit<TransitionContext, 'reason' | 'duplicateOf' | 'hasPublicText'>): Action[] {
  const key = permissionKey(ctx);
  let actions = key === null ? undefined : allowedByKey.get(key);
  if (!actions) {
    actions = ACTIONS.filter((action) => !('ok' in checkPermission(action, ctx)));
    if (key !== null) allowedByKey.set(key, actions);
  }
  return [...actions];
}

/** allowedActions by permissionKey (a work queue page asks for the same few contexts fifty times). */
const allowedByKey = new Map<string, readonly Action[]>();

/**
 * Everything checkPermission reads of a context, as a key: role, status, the three guards' flags
 * and where `now` stands against the dispute window. Null (not cached) for an unknown role or status.
 */
function permissionKey(ctx: Omit<TransitionContext, 'reason' | 'duplicateOf' | 'hasPublicText'>): string | null {
  if (!isRole(ctx.role) || !isCaseStatus(ctx.status)) return null;
  const window = !validDate(ctx.now) || !validDate(ctx.resolvedAt) ? 'none' : ctx.now.getTime() - ctx.resolvedAt.getTime() > DISPUTE_WINDOW_MS ? 'closed' : 'open';
  return `${ctx.role}|${ctx.status}|${ctx.sameAgency === true}|${ctx.onFinding === true}|${ctx.alreadyRated === true}|${window}`;
}
