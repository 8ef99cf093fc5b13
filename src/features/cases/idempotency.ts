/**
 * The updateId of a case action: its scope (a staff user's, a case's public or a system job's
 * own ids), the hash a repeat must match, and the stored first answer, kept without the
 * reporter's details and revived with those of the case when the request comes again.
 */
import type { Tx } from '../../db/client.js';
import type { Action } from '../../domain/lifecycle.js';
import { PERSONAL_FIELDS } from '../../domain/disclosure.js';
import { canonicalJson, sha256Hex } from '../../lib/crypto.js';
import { fieldError, Unprocessable } from '../../lib/errors.js';
import type { EventRow } from '../timeline/repository.js';
import type { CaseRow } from './deadlines.js';
import type { ActionInput, CaseActor } from './effects.js';
import * as repo from './repository.js';

/** One updateId, where it is kept and what the request it came with was. */
export interface UpdateKey {
  scope: string;
  key: string;
  requestHash: string;
}

/** The case and its new events, as an action answers. */
export interface Answer {
  case: CaseRow;
  events: EventRow[];
}

const CASE_DATE_KEYS = [
  'receivedAt',
  'assignedAt',
  'acceptDueAt',
  'acceptedAt',
  'firstAcceptedAt',
  'resolveDueAt',
  'pausedAt',
  'resolvedAt',
  'closedAt',
  'ratedAt',
  'createdAt',
  'updatedAt',
] as const;

/** Columns that identify the reporter (or unlock the case): never copied into stored answers. */
const PERSONAL_COLUMNS = [...PERSONAL_FIELDS, 'accessKeyHash'] as const;
const omit = <T extends object>(o: T, keys: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

function reviveCase(o: Record<string, unknown>): CaseRow {
  const c = { ...o } as Record<string, unknown>;
  for (const k of CASE_DATE_KEYS) if (typeof c[k] === 'string') c[k] = new Date(c[k] as string);
  return c as unknown as CaseRow;
}
function reviveEvent(o: Record<string, unknown>): EventRow {
  return { ...(o as unknown as EventRow), at: new Date(o.at as string) };
}

export function idempotencyScope(who: CaseActor, caseId: number): string {
  if (who.kind === 'staff') return `case-update:user:${who.actor.userId}`;
  if (who.kind === 'public') return `case-update:public:${caseId}`;
  return `case-update:system:${who.label}`;
}

/** The request's hash: the case, the action and the input without its updateId, files by their content's hash. */
export function requestHash(caseId: number, action: Action, input: ActionInput): string {
  const { updateId: _u, files, ...rest } = input;
  return sha256Hex(canonicalJson({ caseId, action, input: { ...rest, ...(files ? { files: files.map((f) => f.sha256) } : {}) } }));
}

/** The updateId the caller sent, checked, with its scope and request hash; null when none was sent. */
export function updateKey(who: CaseActor, caseId: number, action: Action, input: ActionInput): UpdateKey | null {
  if (input.updateId === undefined) return null;
  const key = input.updateId.trim();
  if (!key || key.length > 200) throw fieldError('updateId', 'must be 1–200 characters');
  return { scope: idempotencyScope(who, caseId), key, requestHash: requestHash(caseId, action, input) };
}

/** The answer as stored: JSON, without the reporter's details. */
export function storedBody(answer: Answer): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ case: omit(answer.case, PERSONAL_COLUMNS), events: answer.events }));
}

/** A stored answer given again: dates revived, the reporter's details taken from the case as it is now. */
export function replayedAnswer(body: unknown, c: CaseRow): Answer & { replayed: true } {
  const stored = body as { case: Record<string, unknown>; events: Record<string, unknown>[] };
  const personal = Object.fromEntries(PERSONAL_COLUMNS.map((k) => [k, c[k]]));
  return { case: reviveCase({ ...stored.case, ...personal }), events: stored.events.map(reviveEvent), replayed: true };
}

/**
 * The first answer to this updateId, given again, even if the case moved on since; null when the
 * updateId is new. The same updateId with a different request is refused (422).
 */
export async function findReplay(tx: Tx, k: UpdateKey, c: CaseRow): Promise<(Answer & { replayed: true }) | null> {
  const prior = await repo.findIdempotent(tx, k.scope, k.key);
  if (!prior) return null;
  if (prior.requestHash !== k.requestHash) {
    throw new Unprocessable(`updateId ${k.key} was already used for a different request`, { updateId: k.key });
  }
  return replayedAnswer(prior.body, c);
}

/** Keeps the answer for a repeat of this updateId. */
export async function storeAnswer(tx: Tx, k: UpdateKey, answer: Answer, now: Date): Promise<void> {
  await repo.storeIdempotent(tx, { ...k, statusCode: 200, body: storedBody(answer), createdAt: now });
}
