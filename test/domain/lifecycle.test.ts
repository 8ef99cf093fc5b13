import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ACTIONS,
  ACTION_LABEL_VI,
  AWAITING_BUSINESS_TIMEOUT_WORKING_DAYS,
  CASE_STATUSES,
  DISPUTE_WINDOW_DAYS,
  OPEN_STATUSES,
  REASON_LABEL_VI,
  REJECT_REASONS,
  RESOLVE_REASONS,
  ROLES,
  STATUS_LABEL_VI,
  TERMINAL_REASONS,
  TERMINAL_STATUSES,
  allowedActions,
  checkPermission,
  disputeDeadline,
  isTerminalStatus,
  transition,
  type Action,
  type CaseStatus,
  type Role,
  type TransitionContext,
  type TransitionResult,
} from '../../src/domain/lifecycle.js';

const DAY = 24 * 60 * 60 * 1000;
const RESOLVED_AT = new Date('2025-03-03T02:00:00Z');
const WITHIN_WINDOW = new Date(RESOLVED_AT.getTime() + 1 * DAY);
const AFTER_WINDOW = new Date(RESOLVED_AT.getTime() + 8 * DAY);

/**
 * Cell codes:
 *   '-'  forbidden
 *   'x'  illegal_transition
 *   '='  ok, status unchanged (note, extend, rate)
 *   RCV/ASG/INP/AWB/RES/CLO/REJ/WDR  ok, new status
 * Columns follow CASE_STATUSES: received, assigned, in_progress, awaiting_business, resolved, closed, rejected, withdrawn.
 * Contexts satisfy every payload requirement (valid reason, duplicateOf, public text, same agency, open dispute window,
 * or an expired one for a system close).
 */
type Cell = '-' | 'x' | '=' | 'RCV' | 'ASG' | 'INP' | 'AWB' | 'RES' | 'CLO' | 'REJ' | 'WDR';
type Row = [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];

const CODE_TO_STATUS: Record<Exclude<Cell, '-' | 'x' | '='>, CaseStatus> = {
  RCV: 'received',
  ASG: 'assigned',
  INP: 'in_progress',
  AWB: 'awaiting_business',
  RES: 'resolved',
  CLO: 'closed',
  REJ: 'rejected',
  WDR: 'withdrawn',
};

const NONE: Row = ['-', '-', '-', '-', '-', '-', '-', '-'];
const NOTE_ANY: Row = ['=', '=', '=', '=', '=', '=', '=', '='];

//                           received  assigned  in_prog   awaiting  resolved  closed    rejected  withdrawn
const TABLE: Record<Role, Record<Action, Row>> = {
  coordinator: {
    assign:       ['ASG',    'ASG',    'ASG',    'x',      'x',      'x',      'x',      'x'],
    accept:       NONE,
    request_info: NONE,
    reply:        NONE,
    resolve:      ['x',      'x',      'RES',    'x',      'x',      'x',      'x',      'x'],
    return:       NONE,
    reject:       ['REJ',    'REJ',    'REJ',    'x',      'x',      'x',      'x',      'x'],
    extend:       ['x',      'x',      '=',      '=',      'x',      'x',      'x',      'x'],
    note:         NOTE_ANY,
    reopen:       ['x',      'x',      'x',      'x',      'INP',    'INP',    'x',      'x'],
    close:        ['x',      'x',      'x',      'x',      'CLO',    'x',      'x',      'x'],
    dispute:      NONE,
    withdraw:     NONE,
    rate:         NONE,
    merge:        ['REJ',    'REJ',    'REJ',    'x',      'x',      'x',      'x',      'x'],
  },
  agency_staff: {
    assign:       NONE,
    accept:       ['x',      'INP',    'x',      'x',      'x',      'x',      'x',      'x'],
    request_info: ['x',      'x',      'AWB',    'x',      'x',      'x',      'x',      'x'],
    reply:        NONE,
    resolve:      ['x',      'x',      'RES',    'x',      'x',      'x',      'x',      'x'],
    return:       ['x',      'RCV',    'RCV',    'x',      'x',      'x',      'x',      'x'],
    reject:       NONE,
    extend:       NONE,
    note:         NOTE_ANY,
    reopen:       NONE,
    close:        NONE,
    dispute:      NONE,
    withdraw:     NONE,
    rate:         NONE,
    merge:        NONE,
  },
  agency_lead: {
    assign:       NONE,
    accept:       ['x',      'INP',    'x',      'x',      'x',      'x',      'x',      'x'],
    request_info: ['x',      'x',      'AWB',    'x',      'x',      'x',      'x',      'x'],
    reply:        NONE,
    resolve:      ['x',      'x',      'RES',    'x',      'x',      'x',      'x',      'x'],
    return:       ['x',      'RCV',    'RCV',    'x',      'x',      'x',      'x',      'x'],
    reject:       NONE,
    extend:       ['x',      'x',      '=',      '=',      'x',      'x',      'x',      'x'],
    note:         NOTE_ANY,
    reopen:       NONE,
    close:        NONE,
    dispute:      NONE,
    withdraw:     NONE,
    rate:         NONE,
    merge:        NONE,
  },
  inspector: {
    assign: NONE, accept: NONE, request_info: NONE, reply: NONE, resolve: NONE, return: NONE, reject: NONE,
    extend: NONE, note: NONE, reopen: NONE, close: NONE, dispute: NONE, withdraw: NONE, rate: NONE, merge: NONE,
  },
  public: {
    assign:       NONE,
    accept:       NONE,
    request_info: NONE,
    reply:        ['x',      'x',      'x',      'INP',    'x',      'x',      'x',      'x'],
    resolve:      NONE,
    return:       NONE,
    reject:       NONE,
    extend:       NONE,
    note:         NONE,
    reopen:       NONE,
    close:        NONE,
    dispute:      ['x',      'x',      'x',      'x',      'INP',    'x',      'x',      'x'],
    withdraw:     ['WDR',    'WDR',    'WDR',    'WDR',    'x',      'x',      'x',      'x'],
    rate:         ['x',      'x',      'x',      'x',      '=',      '=',      'x',      'x'],
    merge:        NONE,
  },
  system: {
    assign:       NONE,
    accept:       NONE,
    request_info: NONE,
    reply:        NONE,
    resolve:      NONE,
    return:       NONE,
    reject:       NONE,
    extend:       NONE,
    note:         NOTE_ANY,
    reopen:       NONE,
    close:        ['x',      'x',      'x',      'CLO',    'CLO',    'x',      'x',      'x'],
    dispute:      NONE,
    withdraw:     NONE,
    rate:         NONE,
    merge:        NONE,
  },
  admin: {
    assign: NONE, accept: NONE, request_info: NONE, reply: NONE, resolve: NONE, return: NONE, reject: NONE,
    extend: NONE, note: NONE, reopen: NONE, close: NONE, dispute: NONE, withdraw: NONE, rate: NONE, merge: NONE,
  },
};

/** Context that satisfies every payload and guard requirement for the action. */
function happyCtx(role: Role, status: CaseStatus, action: Action): TransitionContext {
  return {
    role,
    status,
    sameAgency: true,
    resolvedAt: RESOLVED_AT,
    now: action === 'close' ? AFTER_WINDOW : WITHIN_WINDOW,
    alreadyRated: false,
    onFinding: false,
    reason: action === 'resolve' ? 'answered' : action === 'reject' ? 'spam' : undefined,
    duplicateOf: action === 'merge' ? 42 : null,
    hasPublicText: true,
  };
}

function expectedReason(action: Action, status: CaseStatus): string | undefined {
  switch (action) {
    case 'resolve':
      return 'answered';
    case 'reject':
      return 'spam';
    case 'merge':
      return 'duplicate';
    case 'withdraw':
      return 'withdrawn';
    case 'close':
      return status === 'awaiting_business' ? 'no_response_from_business' : undefined;
    default:
      return undefined;
  }
}

const KEEPS_STATUS: readonly Action[] = ['note', 'extend', 'rate'];

function cellOf(r: TransitionResult, action: Action, from: CaseStatus): Cell {
  if (!r.ok) {
    if (r.code === 'forbidden') return '-';
    if (r.code === 'illegal_transition') return 'x';
    throw new Error(`unexpected failure ${r.code}: ${r.message}`);
  }
  if (KEEPS_STATUS.includes(action)) {
    if (r.to !== from) throw new Error(`${action} changed the status`);
    return '=';
  }
  const entry = Object.entries(CODE_TO_STATUS).find(([, s]) => s === r.to);
  if (!entry) throw new Error(`unknown target ${r.to}`);
  return entry[0] as Cell;
}

function expectOk(r: TransitionResult, to: CaseStatus, reason?: string): void {
  expect(r).toEqual(reason === undefined ? { ok: true, to } : { ok: true, to, reason });
}

function expectFail(r: TransitionResult, code: string): void {
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.code).toBe(code);
    expect(r.message.length).toBeGreaterThan(0);
  }
}

describe('constants', () => {
  it('lists statuses, roles and actions exactly', () => {
    expect(CASE_STATUSES).toEqual([
      'received', 'assigned', 'in_progress', 'awaiting_business', 'resolved', 'closed', 'rejected', 'withdrawn',
    ]);
    expect(OPEN_STATUSES).toEqual(['received', 'assigned', 'in_progress', 'awaiting_business']);
    expect(TERMINAL_STATUSES).toEqual(['closed', 'rejected', 'withdrawn']);
    expect(ROLES).toEqual(['public', 'coordinator', 'agency_staff', 'agency_lead', 'inspector', 'admin', 'system']);
    expect([...ACTIONS].sort()).toEqual(
      ['assign', 'accept', 'request_info', 'reply', 'resolve', 'return', 'reject', 'extend', 'note', 'reopen', 'close',
        'dispute', 'withdraw', 'rate', 'merge'].sort(),
    );
  });

  it('partitions statuses into open, terminal and resolved', () => {
    const open = new Set<string>(OPEN_STATUSES);
    const terminal = new Set<string>(TERMINAL_STATUSES);
    for (const s of open) expect(terminal.has(s)).toBe(false);
    expect(open.has('resolved')).toBe(false);
    expect(terminal.has('resolved')).toBe(false);
    expect(new Set([...open, ...terminal, 'resolved'])).toEqual(new Set(CASE_STATUSES));
    expect(isTerminalStatus('resolved')).toBe(false);
    expect(isTerminalStatus('closed')).toBe(true);
  });

  it('lists reason codes', () => {
    expect(RESOLVE_REASONS).toEqual(['answered', 'fixed', 'partially_fixed', 'not_accepted_with_explanation']);
    expect(REJECT_REASONS).toEqual([
      'duplicate', 'not_business_related', 'outside_jurisdiction', 'spam', 'insufficient_information',
    ]);
    expect(new Set(TERMINAL_REASONS)).toEqual(
      new Set([...RESOLVE_REASONS, ...REJECT_REASONS, 'withdrawn', 'no_response_from_business']),
    );
    expect(new Set(TERMINAL_REASONS).size).toBe(TERMINAL_REASONS.length);
    expect(DISPUTE_WINDOW_DAYS).toBe(7);
    expect(AWAITING_BUSINESS_TIMEOUT_WORKING_DAYS).toBe(15);
  });

  it('has a Vietnamese label for every status, action and reason', () => {
    expect(STATUS_LABEL_VI).toEqual({
      received: 'Đã tiếp nhận, đang chờ phân công',
      assigned: 'Đã chuyển đến cơ quan xử lý',
      in_progress: 'Cơ quan đang xử lý',
      awaiting_business: 'Đang chờ doanh nghiệp bổ sung thông tin',
      resolved: 'Đã có câu trả lời',
      closed: 'Đã kết thúc',
      rejected: 'Không tiếp nhận xử lý',
      withdrawn: 'Doanh nghiệp đã rút',
    });
    expect(Object.keys(ACTION_LABEL_VI).sort()).toEqual([...ACTIONS].sort());
    expect(Object.keys(REASON_LABEL_VI).sort()).toEqual([...TERMINAL_REASONS].sort());
    for (const label of [...Object.values(ACTION_LABEL_VI), ...Object.values(REASON_LABEL_VI)]) {
      expect(label.trim().length).toBeGreaterThan(0);
      expect(label.normalize('NFC')).toBe(label);
    }
    expect(new Set(Object.values(ACTION_LABEL_VI)).size).toBe(ACTIONS.length);
  });
});

describe('transition table: every role × action × status', () => {
  it('covers every role and action', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) expect(Object.keys(TABLE[role]).sort()).toEqual([...ACTIONS].sort());
  });

  for (const role of ROLES) {
    for (const action of ACTIONS) {
      it(`${role} ${action}`, () => {
        const actual = CASE_STATUSES.map((status) => cellOf(transition(action, happyCtx(role, status, action)), action, status));
        expect(actual).toEqual(TABLE[role][action]);
        CASE_STATUSES.forEach((status, i) => {
          const r = transition(action, happyCtx(role, status, action));
          if (r.ok) {
            expect(r.to).toBe(TABLE[role][action][i] === '=' ? status : CODE_TO_STATUS[TABLE[role][action][i] as 'RCV']);
            expect(r.reason).toBe(expectedReason(action, status));
          }
        });
      });
    }
  }

  it('allowedActions matches the table (dispute window open)', () => {
    for (const role of ROLES) {
      CASE_STATUSES.forEach((status, i) => {
        const expected = ACTIONS.filter((a) => {
          const cell = TABLE[role][a][i];
          if (role === 'system' && a === 'close' && status === 'resolved') return false;
          return cell !== '-' && cell !== 'x';
        });
        const ctx = { role, status, sameAgency: true, now: WITHIN_WINDOW, resolvedAt: RESOLVED_AT, alreadyRated: false };
        expect(allowedActions(ctx), `${role}@${status}`).toEqual(expected);
      });
    }
  });

  it('allowedActions matches the table (dispute window expired)', () => {
    for (const role of ROLES) {
      CASE_STATUSES.forEach((status, i) => {
        const expected = ACTIONS.filter((a) => {
          const cell = TABLE[role][a][i];
          if (role === 'public' && a === 'dispute' && status === 'resolved') return false;
          return cell !== '-' && cell !== 'x';
        });
        const ctx = { role, status, sameAgency: true, now: AFTER_WINDOW, resolvedAt: RESOLVED_AT };
        expect(allowedActions(ctx), `${role}@${status}`).toEqual(expected);
      });
    }
  });

  it('allowedActions, remembered per context, is what checkPermission allows action by action, whatever the context and the order of asking', () => {
    const instant = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(new Date(Number.NaN)), fc.integer({ min: 0, max: 40 * 86_400_000 }).map((ms) => new Date(RESOLVED_AT.getTime() + ms - 86_400_000)));
    fc.assert(
      fc.property(
        fc.record({
          role: fc.constantFrom(...ROLES, 'nobody'),
          status: fc.constantFrom(...CASE_STATUSES, 'lost'),
          sameAgency: fc.constantFrom(true, false, undefined),
          onFinding: fc.constantFrom(true, false, undefined),
          alreadyRated: fc.constantFrom(true, false, undefined),
          now: instant,
          resolvedAt: fc.oneof(fc.constant(null), fc.constant(RESOLVED_AT)),
        }),
        (ctx) => {
          const c = ctx as Parameters<typeof allowedActions>[0];
          const direct = ACTIONS.filter((a) => !('ok' in checkPermission(a, c)));
          expect(allowedActions(c)).toEqual(direct);
          // a caller changing its copy changes nothing for the next one
          allowedActions(c).push('accept');
          expect(allowedActions(c)).toEqual(direct);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('gives the documented message for an illegal transition', () => {
    const r = transition('accept', { role: 'agency_staff', status: 'received', sameAgency: true });
    expect(r).toEqual({
      ok: false,
      code: 'illegal_transition',
      message: "Không thể thực hiện 'accept' khi hồ sơ ở trạng thái 'received' (illegal transition)",
    });
  });
});

describe('agency ownership', () => {
  for (const role of ['agency_staff', 'agency_lead'] as const) {
    for (const sameAgency of [false, undefined]) {
      it(`${role} with sameAgency=${String(sameAgency)} is forbidden everything`, () => {
        for (const action of ACTIONS) {
          for (const status of CASE_STATUSES) {
            const r = transition(action, { ...happyCtx(role, status, action), sameAgency });
            expectFail(r, 'forbidden');
          }
        }
        expect(allowedActions({ role, status: 'in_progress', sameAgency })).toEqual([]);
      });
    }
  }

  it('agency staff may note a resolved or closed case of its agency', () => {
    expectOk(transition('note', { role: 'agency_staff', status: 'resolved', sameAgency: true }), 'resolved');
    expectOk(transition('note', { role: 'agency_staff', status: 'closed', sameAgency: true }), 'closed');
    expectFail(transition('note', { role: 'agency_staff', status: 'closed', sameAgency: false }), 'forbidden');
  });

  it('sameAgency does not matter for the coordinator', () => {
    expectOk(transition('assign', { role: 'coordinator', status: 'in_progress', sameAgency: false }), 'assigned');
  });
});

describe('inspector', () => {
  it('refuses everything without a finding', () => {
    for (const action of ACTIONS) {
      for (const status of CASE_STATUSES) {
        expectFail(transition(action, { ...happyCtx('inspector', status, action), onFinding: false }), 'forbidden');
        expectFail(transition(action, { ...happyCtx('inspector', status, action), onFinding: undefined }), 'forbidden');
      }
    }
    expect(allowedActions({ role: 'inspector', status: 'closed' })).toEqual([]);
  });

  it('may reopen a closed or resolved case on an audit finding, nothing else', () => {
    for (const action of ACTIONS) {
      CASE_STATUSES.forEach((status) => {
        const r = transition(action, { ...happyCtx('inspector', status, action), onFinding: true });
        if (action !== 'reopen') expectFail(r, 'forbidden');
        else if (status === 'closed' || status === 'resolved') expectOk(r, 'in_progress');
        else expectFail(r, 'illegal_transition');
      });
    }
    expect(allowedActions({ role: 'inspector', status: 'closed', onFinding: true })).toEqual(['reopen']);
    expect(allowedActions({ role: 'inspector', status: 'rejected', onFinding: true })).toEqual([]);
  });
});

describe('admin', () => {
  it('is refused every action on cases', () => {
    for (const status of CASE_STATUSES) expect(allowedActions({ role: 'admin', status })).toEqual([]);
  });
});

describe('resolve', () => {
  const base: TransitionContext = { role: 'agency_staff', status: 'in_progress', sameAgency: true, hasPublicText: true };

  it('accepts every resolve reason and returns it', () => {
    for (const reason of RESOLVE_REASONS) expectOk(transition('resolve', { ...base, reason }), 'resolved', reason);
  });

  it('requires a known resolve reason', () => {
    expectFail(transition('resolve', base), 'invalid_reason');
    expectFail(transition('resolve', { ...base, reason: '' }), 'invalid_reason');
    expectFail(transition('resolve', { ...base, reason: 'spam' }), 'invalid_reason');
    expectFail(transition('resolve', { ...base, reason: 'ANSWERED' }), 'invalid_reason');
    expectFail(transition('resolve', { ...base, reason: 'no_response_from_business' }), 'invalid_reason');
  });

  it('requires the public answer text', () => {
    expectFail(transition('resolve', { ...base, reason: 'answered', hasPublicText: false }), 'missing_field');
    expectFail(transition('resolve', { ...base, reason: 'answered', hasPublicText: undefined }), 'missing_field');
  });

  it('is also available to the lead and the coordinator', () => {
    expectOk(transition('resolve', { ...base, role: 'agency_lead', reason: 'fixed' }), 'resolved', 'fixed');
    expectOk(transition('resolve', { ...base, role: 'coordinator', sameAgency: false, reason: 'fixed' }), 'resolved', 'fixed');
  });
});

describe('reject and merge', () => {
  const base: TransitionContext = { role: 'coordinator', status: 'received' };

  it('accepts every reject reason', () => {
    for (const reason of REJECT_REASONS) {
      const r = transition('reject', { ...base, reason, duplicateOf: reason === 'duplicate' ? 7 : null });
      expectOk(r, 'rejected', reason);
    }
  });

  it('requires a known reject reason', () => {
    expectFail(transition('reject', base), 'invalid_reason');
    expectFail(transition('reject', { ...base, reason: '' }), 'invalid_reason');
    expectFail(transition('reject', { ...base, reason: 'answered' }), 'invalid_reason');
    expectFail(transition('reject', { ...base, reason: 'withdrawn' }), 'invalid_reason');
    expectFail(transition('reject', { ...base, reason: 'khác' }), 'invalid_reason');
  });

  it('requires duplicateOf for a duplicate', () => {
    for (const duplicateOf of [undefined, null, 0, -3, 1.5, Number.NaN]) {
      expectFail(transition('reject', { ...base, reason: 'duplicate', duplicateOf }), 'missing_field');
      expectFail(transition('merge', { ...base, duplicateOf }), 'missing_field');
    }
    expectOk(transition('reject', { ...base, reason: 'duplicate', duplicateOf: 12 }), 'rejected', 'duplicate');
  });

  it('merge is a reject with reason duplicate', () => {
    expectOk(transition('merge', { ...base, duplicateOf: 12 }), 'rejected', 'duplicate');
    expectOk(transition('merge', { ...base, reason: 'duplicate', duplicateOf: 12 }), 'rejected', 'duplicate');
    expectFail(transition('merge', { ...base, reason: 'spam', duplicateOf: 12 }), 'invalid_reason');
  });

  it('ignores duplicateOf for other reasons', () => {
    expectOk(transition('reject', { ...base, reason: 'spam', duplicateOf: 12 }), 'rejected', 'spam');
  });
});

describe('dispute window', () => {
  const base: TransitionContext = { role: 'public', status: 'resolved', resolvedAt: RESOLVED_AT };
  const at = (ms: number) => new Date(RESOLVED_AT.getTime() + ms);

  it('is open for exactly 7 days after resolvedAt', () => {
    expectOk(transition('dispute', { ...base, now: RESOLVED_AT }), 'in_progress');
    expectOk(transition('dispute', { ...base, now: at(3 * DAY) }), 'in_progress');
    expectOk(transition('dispute', { ...base, now: at(7 * DAY) }), 'in_progress');
    expectFail(transition('dispute', { ...base, now: at(7 * DAY + 1) }), 'window_closed');
    expectFail(transition('dispute', { ...base, now: at(30 * DAY) }), 'window_closed');
    expect(disputeDeadline(RESOLVED_AT)).toEqual(at(7 * DAY));
  });

  it('needs now and resolvedAt', () => {
    expectFail(transition('dispute', { ...base, now: undefined }), 'missing_field');
    expectFail(transition('dispute', { ...base, now: WITHIN_WINDOW, resolvedAt: null }), 'missing_field');
    expectFail(transition('dispute', { ...base, now: new Date(Number.NaN) }), 'missing_field');
  });

  it('checks the status before the window', () => {
    expectFail(transition('dispute', { ...base, status: 'closed', now: at(30 * DAY) }), 'illegal_transition');
  });

  it('allowedActions offers dispute only inside the window', () => {
    expect(allowedActions({ ...base, now: at(7 * DAY) })).toContain('dispute');
    expect(allowedActions({ ...base, now: at(7 * DAY + 1) })).not.toContain('dispute');
    expect(allowedActions({ ...base })).not.toContain('dispute');
  });

  it('system close of a resolved case waits for the window to pass', () => {
    const sys: TransitionContext = { role: 'system', status: 'resolved', resolvedAt: RESOLVED_AT };
    expectFail(transition('close', { ...sys, now: at(7 * DAY) }), 'illegal_transition');
    expectOk(transition('close', { ...sys, now: at(7 * DAY + 1) }), 'closed');
    expectFail(transition('close', { ...sys, now: undefined }), 'missing_field');
    expectFail(transition('close', { ...sys, resolvedAt: null, now: AFTER_WINDOW }), 'missing_field');
  });

  it('dispute and system close are never both allowed', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2 * DAY, max: 20 * DAY }), (offset) => {
        const now = at(offset);
        const dispute = transition('dispute', { ...base, now }).ok;
        const close = transition('close', { role: 'system', status: 'resolved', resolvedAt: RESOLVED_AT, now }).ok;
        expect(dispute !== close).toBe(true);
      }),
    );
  });

  it('the coordinator may close a resolved case at any time', () => {
    expectOk(transition('close', { role: 'coordinator', status: 'resolved' }), 'closed');
    expectOk(transition('close', { role: 'coordinator', status: 'resolved', now: WITHIN_WINDOW, resolvedAt: RESOLVED_AT }), 'closed');
  });
});

describe('rating', () => {
  it('is allowed once on a resolved or closed case', () => {
    for (const status of ['resolved', 'closed'] as const) {
      expectOk(transition('rate', { role: 'public', status }), status);
      expectOk(transition('rate', { role: 'public', status, alreadyRated: false }), status);
      expectFail(transition('rate', { role: 'public', status, alreadyRated: true }), 'illegal_transition');
      expect(allowedActions({ role: 'public', status, alreadyRated: true })).not.toContain('rate');
    }
  });
});

describe('check precedence', () => {
  it('forbidden before illegal_transition', () => {
    expectFail(transition('assign', { role: 'public', status: 'closed' }), 'forbidden');
    expectFail(transition('accept', { role: 'agency_staff', status: 'closed', sameAgency: false }), 'forbidden');
  });

  it('illegal_transition before payload checks', () => {
    expectFail(transition('reject', { role: 'coordinator', status: 'closed' }), 'illegal_transition');
    expectFail(transition('resolve', { role: 'agency_staff', status: 'assigned', sameAgency: true }), 'illegal_transition');
    expectFail(transition('merge', { role: 'coordinator', status: 'awaiting_business' }), 'illegal_transition');
  });

  it('rejects unknown roles, actions and statuses at runtime', () => {
    expectFail(transition('assign', { role: 'root' as Role, status: 'received' }), 'forbidden');
    expectFail(transition('destroy' as Action, { role: 'coordinator', status: 'received' }), 'forbidden');
    expectFail(transition('note', { role: 'coordinator', status: 'archived' as CaseStatus }), 'illegal_transition');
  });
});

describe('properties', () => {
  const ctxArb = fc.record({
    role: fc.constantFrom(...ROLES),
    status: fc.constantFrom(...CASE_STATUSES),
    sameAgency: fc.option(fc.boolean(), { nil: undefined }),
    now: fc.option(fc.integer({ min: -DAY, max: 10 * DAY }).map((o) => new Date(RESOLVED_AT.getTime() + o)), { nil: undefined }),
    resolvedAt: fc.option(fc.constant(RESOLVED_AT), { nil: null }),
    alreadyRated: fc.option(fc.boolean(), { nil: undefined }),
    onFinding: fc.option(fc.boolean(), { nil: undefined }),
    reason: fc.option(fc.constantFrom(...TERMINAL_REASONS, 'other', ''), { nil: undefined }),
    duplicateOf: fc.option(fc.integer({ min: -1, max: 100 }), { nil: null }),
    hasPublicText: fc.option(fc.boolean(), { nil: undefined }),
  });

  it('transition agrees with allowedActions', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), ctxArb, (action, ctx) => {
        const r = transition(action, ctx);
        const allowed = allowedActions(ctx).includes(action);
        if (r.ok) expect(allowed).toBe(true);
        else if (r.code === 'invalid_reason' || r.code === 'missing_field') {
          const guardedByClock = action === 'dispute' || action === 'close';
          expect(allowed).toBe(!guardedByClock);
        } else expect(allowed).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('results are well formed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), ctxArb, (action, ctx) => {
        const r = transition(action, ctx);
        if (r.ok) {
          expect(CASE_STATUSES).toContain(r.to);
          if (r.reason !== undefined) expect(TERMINAL_REASONS).toContain(r.reason);
          if (action === 'note' || action === 'extend' || action === 'rate') expect(r.to).toBe(ctx.status);
          if (isTerminalStatus(ctx.status)) expect(['note', 'reopen', 'rate']).toContain(action);
          if (action === 'reject' || action === 'merge' || action === 'withdraw') expect(r.reason).toBeDefined();
          if (r.reason !== undefined) expect(['resolve', 'reject', 'merge', 'withdraw', 'close']).toContain(action);
          if (action === 'resolve') expect(RESOLVE_REASONS).toContain(r.reason);
        } else {
          expect(r.message).toMatch(/\(.+\)$/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('admin and inspector never change a case (except inspector reopen on a finding)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), ctxArb, (action, ctx) => {
        const admin = transition(action, { ...ctx, role: 'admin' });
        expect(admin.ok).toBe(false);
        const insp = transition(action, { ...ctx, role: 'inspector' });
        if (insp.ok) {
          expect(action).toBe('reopen');
          expect(ctx.onFinding).toBe(true);
        }
      }),
    );
  });
});

describe('diagram paths', () => {
  type Step = [Action, Partial<TransitionContext> & { role: Role }, CaseStatus, string?];
  const ACTOR = {
    coordinator: { role: 'coordinator' } as const,
    staff: { role: 'agency_staff', sameAgency: true } as const,
    lead: { role: 'agency_lead', sameAgency: true } as const,
    business: { role: 'public' } as const,
    system: { role: 'system' } as const,
  };

  function walk(start: CaseStatus, steps: Step[]): CaseStatus {
    let status = start;
    for (const [action, ctx, to, reason] of steps) {
      const r = transition(action, { ...ctx, status });
      expect(r, `${action} from ${status}`).toEqual(reason === undefined ? { ok: true, to } : { ok: true, to, reason });
      status = to;
    }
    return status;
  }

  it('happy path: received → assigned → in_progress → resolved → closed after 7 days', () => {
    walk('received', [
      ['assign', ACTOR.coordinator, 'assigned'],
      ['accept', ACTOR.staff, 'in_progress'],
      ['resolve', { ...ACTOR.staff, reason: 'answered', hasPublicText: true }, 'resolved', 'answered'],
      ['rate', ACTOR.business, 'resolved'],
      ['close', { ...ACTOR.system, resolvedAt: RESOLVED_AT, now: AFTER_WINDOW }, 'closed'],
      ['note', ACTOR.coordinator, 'closed'],
    ]);
  });

  it('request_info / reply loop with an extension', () => {
    walk('in_progress', [
      ['request_info', ACTOR.staff, 'awaiting_business'],
      ['extend', ACTOR.lead, 'awaiting_business'],
      ['reply', ACTOR.business, 'in_progress'],
      ['request_info', ACTOR.lead, 'awaiting_business'],
      ['reply', ACTOR.business, 'in_progress'],
      ['extend', ACTOR.coordinator, 'in_progress'],
      ['resolve', { ...ACTOR.lead, reason: 'fixed', hasPublicText: true }, 'resolved', 'fixed'],
    ]);
  });

  it('no reply from the business: system closes with no_response_from_business', () => {
    walk('in_progress', [
      ['request_info', ACTOR.staff, 'awaiting_business'],
      ['close', ACTOR.system, 'closed', 'no_response_from_business'],
    ]);
  });

  it('dispute reopens within the window, then resolves again', () => {
    walk('resolved', [
      ['dispute', { ...ACTOR.business, resolvedAt: RESOLVED_AT, now: WITHIN_WINDOW }, 'in_progress'],
      ['resolve', { ...ACTOR.staff, reason: 'partially_fixed', hasPublicText: true }, 'resolved', 'partially_fixed'],
    ]);
  });

  it('return from assigned and from in_progress goes back to received', () => {
    walk('received', [
      ['assign', ACTOR.coordinator, 'assigned'],
      ['return', ACTOR.staff, 'received'],
      ['assign', ACTOR.coordinator, 'assigned'],
      ['accept', ACTOR.lead, 'in_progress'],
      ['return', ACTOR.lead, 'received'],
    ]);
  });

  it('coordinator reassigns an in_progress case to a new agency', () => {
    walk('in_progress', [
      ['assign', ACTOR.coordinator, 'assigned'],
      ['assign', ACTOR.coordinator, 'assigned'],
      ['accept', ACTOR.staff, 'in_progress'],
    ]);
  });

  it('reject with a reason, or merge as duplicate', () => {
    walk('received', [['reject', { ...ACTOR.coordinator, reason: 'outside_jurisdiction' }, 'rejected', 'outside_jurisdiction']]);
    walk('assigned', [['reject', { ...ACTOR.coordinator, reason: 'duplicate', duplicateOf: 5 }, 'rejected', 'duplicate']]);
    walk('in_progress', [['merge', { ...ACTOR.coordinator, duplicateOf: 5 }, 'rejected', 'duplicate']]);
  });

  it('the business may withdraw from every open state only', () => {
    for (const status of OPEN_STATUSES) walk(status, [['withdraw', ACTOR.business, 'withdrawn', 'withdrawn']]);
    for (const status of CASE_STATUSES.filter((s) => !(OPEN_STATUSES as readonly string[]).includes(s))) {
      expectFail(transition('withdraw', { role: 'public', status }), 'illegal_transition');
    }
  });

  it('coordinator reopens a resolved or closed case, and may close a resolved one', () => {
    walk('closed', [
      ['reopen', ACTOR.coordinator, 'in_progress'],
      ['resolve', { ...ACTOR.coordinator, reason: 'answered', hasPublicText: true }, 'resolved', 'answered'],
      ['close', ACTOR.coordinator, 'closed'],
    ]);
    walk('resolved', [['reopen', ACTOR.coordinator, 'in_progress']]);
  });

  it('inspector reopen on a finding', () => {
    walk('closed', [['reopen', { role: 'inspector', onFinding: true }, 'in_progress']]);
  });

  it('terminal states only allow notes (and reopen / rate of a closed case)', () => {
    for (const status of TERMINAL_STATUSES) {
      for (const role of ROLES) {
        const actions = allowedActions({ role, status, sameAgency: true, onFinding: true });
        for (const a of actions) expect(['note', 'reopen', 'rate']).toContain(a);
        if (status !== 'closed') for (const a of actions) expect(a).toBe('note');
      }
    }
  });

  it('every status is reachable from received', () => {
    const seen = new Set<CaseStatus>(['received']);
    const queue: CaseStatus[] = ['received'];
    while (queue.length > 0) {
      const status = queue.shift()!;
      for (const role of ROLES) {
        for (const action of ACTIONS) {
          const r = transition(action, happyCtx(role, status, action));
          if (r.ok && !seen.has(r.to)) {
            seen.add(r.to);
            queue.push(r.to);
          }
        }
      }
    }
    expect(seen).toEqual(new Set(CASE_STATUSES));
  });
});

describe('event labels', () => {
  it('names every action and the other timeline events in Vietnamese', async () => {
    const { eventLabelVi, ACTIONS } = await import('../../src/domain/lifecycle.js');
    for (const a of ACTIONS) expect(eventLabelVi(a)).not.toBe('Cập nhật');
    expect(eventLabelVi('escalate')).toBe('Đôn đốc, cảnh báo thời hạn');
    expect(eventLabelVi('receive')).toBe('Tiếp nhận');
    expect(eventLabelVi('deadline_recomputed')).toMatch(/thời hạn/);
    expect(eventLabelVi('something_else')).toBe('Cập nhật');
  });
});
