import { describe, expect, it } from 'vitest';
import { actorFields, COMMENT_MAX, optionalText, requireText, text, TEXT_MAX } from '../../src/features/cases/effects.js';
import { BadRequest } from '../../src/lib/errors.js';

const errorsOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequest);
    return (e as BadRequest).errors;
  }
  throw new Error('expected a refusal');
};

describe('the texts an action takes', () => {
  it('are NFC-normalised and trimmed; blank is none', () => {
    expect(text('  Hoa\u0300 \n')).toBe('Hoà');
    expect(text('Hoa\u0300')).toBe('Hoà'.normalize('NFC'));
    expect(text('   ')).toBeNull();
    expect(text(undefined)).toBeNull();
    expect(text(null)).toBeNull();
  });

  it('required: present and not too long, counted after trimming', () => {
    expect(requireText('publicText', ' trả lời ')).toBe('trả lời');
    expect(errorsOf(() => requireText('publicText', ' '))).toEqual([{ path: 'publicText', message: 'is required' }]);
    expect(requireText('publicText', ` ${'a'.repeat(TEXT_MAX)} `)).toHaveLength(TEXT_MAX);
    expect(errorsOf(() => requireText('publicText', 'a'.repeat(TEXT_MAX + 1)))).toEqual([{ path: 'publicText', message: `must be at most ${TEXT_MAX} characters` }]);
    expect(errorsOf(() => requireText('reason', 'abc', 2))).toEqual([{ path: 'reason', message: 'must be at most 2 characters' }]);
  });

  it('optional: none is null, too long is refused', () => {
    expect(optionalText('internalText', undefined)).toBeNull();
    expect(optionalText('internalText', '  ')).toBeNull();
    expect(optionalText('comment', 'tốt', COMMENT_MAX)).toBe('tốt');
    expect(errorsOf(() => optionalText('comment', 'a'.repeat(COMMENT_MAX + 1), COMMENT_MAX))).toEqual([
      { path: 'comment', message: `must be at most ${COMMENT_MAX} characters` },
    ]);
  });
});

describe('the author of an event', () => {
  it('is the staff user, the business, or the system job', () => {
    expect(actorFields({ kind: 'staff', actor: { userId: 3, role: 'agency_staff', name: 'Anh Nam', agencyId: 2, tokenId: 1 } })).toEqual({
      actorUserId: 3,
      actorRole: 'agency_staff',
      actorLabel: 'Anh Nam',
    });
    expect(actorFields({ kind: 'public' })).toEqual({ actorUserId: null, actorRole: 'public', actorLabel: null });
    expect(actorFields({ kind: 'system', label: 'escalation' })).toEqual({ actorUserId: null, actorRole: 'system', actorLabel: 'escalation' });
  });
});
