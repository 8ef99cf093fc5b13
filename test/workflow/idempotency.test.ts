import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../src/lib/errors.js';
import type { CaseRow } from '../../src/features/cases/deadlines.js';
import type { CaseActor } from '../../src/features/cases/effects.js';
import { idempotencyScope, replayedAnswer, requestHash, storedBody, updateKey } from '../../src/features/cases/idempotency.js';
import type { EventRow } from '../../src/features/timeline/repository.js';
import type { CheckedFile } from '../../src/features/intake/attachments.js';

const staff: CaseActor = { kind: 'staff', actor: { userId: 7, role: 'coordinator', name: 'Điều phối', agencyId: null, tokenId: 1 } };
const file = (sha256: string): CheckedFile => ({ filename: 'a.pdf', mime: 'application/pdf', size: 3, sha256, data: Buffer.from('abc') });

describe('updateId scope and request hash', () => {
  it('keeps a staff user, a case’s public caller and a system job apart', () => {
    expect(idempotencyScope(staff, 5)).toBe('case-update:user:7');
    expect(idempotencyScope({ kind: 'public' }, 5)).toBe('case-update:public:5');
    expect(idempotencyScope({ kind: 'system', label: 'escalation' }, 5)).toBe('case-update:system:escalation');
  });

  it('hashes the request without its updateId and whatever the order of its fields', () => {
    const a = requestHash(5, 'resolve', { updateId: 'u1', reason: 'answered', publicText: 'x' });
    expect(requestHash(5, 'resolve', { publicText: 'x', reason: 'answered', updateId: 'u2' })).toBe(a);
    expect(requestHash(5, 'resolve', { publicText: 'y', reason: 'answered' })).not.toBe(a);
    expect(requestHash(6, 'resolve', { publicText: 'x', reason: 'answered' })).not.toBe(a);
    expect(requestHash(5, 'note', { publicText: 'x', reason: 'answered' })).not.toBe(a);
  });

  it('names files by the hash of their content', () => {
    const one = requestHash(5, 'reply', { publicText: 'x', files: [file('h1')] });
    expect(requestHash(5, 'reply', { publicText: 'x', files: [{ ...file('h1'), filename: 'b.pdf' }] })).toBe(one);
    expect(requestHash(5, 'reply', { publicText: 'x', files: [file('h2')] })).not.toBe(one);
  });

  it('checks the updateId: none, trimmed, 1–200 characters', () => {
    expect(updateKey(staff, 5, 'note', { publicText: 'x' })).toBeNull();
    expect(updateKey(staff, 5, 'note', { updateId: '  k1 ', publicText: 'x' })).toEqual({
      scope: 'case-update:user:7',
      key: 'k1',
      requestHash: requestHash(5, 'note', { publicText: 'x' }),
    });
    for (const bad of ['', '   ', 'x'.repeat(201)]) {
      const err = (() => {
        try {
          updateKey(staff, 5, 'note', { updateId: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(BadRequest);
      expect((err as BadRequest).errors).toEqual([{ path: 'updateId', message: 'must be 1–200 characters' }]);
    }
    expect(updateKey(staff, 5, 'note', { updateId: 'x'.repeat(200) })?.key).toHaveLength(200);
  });
});

describe('stored answers', () => {
  const at = new Date('2026-03-02T03:00:00Z');
  const row = {
    id: 5,
    status: 'resolved',
    version: 3,
    businessName: 'Công ty A',
    taxCode: '0101',
    contactName: 'Chị Lan',
    phone: '0912000000',
    email: 'lan@example.vn',
    address: 'Số 1',
    lat: 21.0,
    long: 105.8,
    accessKeyHash: 'secret',
    receivedAt: at,
    resolvedAt: at,
    firstAcceptedAt: at,
    pausedAt: null,
  } as unknown as CaseRow;
  const events = [{ id: 1, caseId: 5, at, action: 'resolve', data: null } as unknown as EventRow];

  it('keeps no reporter detail and no access key', () => {
    const body = storedBody({ case: row, events });
    const stored = JSON.stringify(body);
    for (const s of ['Công ty A', '0101', 'Chị Lan', '0912000000', 'lan@example.vn', 'Số 1', 'secret']) expect(stored).not.toContain(s);
    expect(body.case).toMatchObject({ id: 5, status: 'resolved', resolvedAt: at.toISOString() });
  });

  it('gives the answer again with dates revived and the reporter’s details as the case has them now', () => {
    const now = { ...row, phone: '0988000000', accessKeyHash: 'newer' } as CaseRow;
    const again = replayedAnswer(storedBody({ case: row, events }), now);
    expect(again.replayed).toBe(true);
    expect(again.case.receivedAt).toEqual(at);
    expect(again.case.firstAcceptedAt).toEqual(at);
    expect(again.case.pausedAt).toBeNull();
    expect(again.case.phone).toBe('0988000000');
    expect(again.case.accessKeyHash).toBe('newer');
    expect(again.case.businessName).toBe('Công ty A');
    expect(again.events[0].at).toEqual(at);
    expect(again.events[0]).toMatchObject({ id: 1, caseId: 5, action: 'resolve' });
  });
});
