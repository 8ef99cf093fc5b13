/**
 * The agency workflow: every action on a case is one transaction that checks the caller's right
 * and the case's version, applies the lifecycle (src/domain/lifecycle.ts), moves the legal clock
 * (pauses, extensions), writes the timeline event and the outgoing mail. What each action changes
 * is the table in effects.ts; a repeated updateId is answered by idempotency.ts.
 */
import type { Db, Tx } from '../../db/client.js';
import type { cases } from '../../db/schema.js';
import type { WorkingCalendar } from '../../domain/calendar.js';
import { isAction, isOpenStatus, transition, type Action, type CaseStatus, type Role } from '../../domain/lifecycle.js';
import type { Clock } from '../../lib/clock.js';
import { BadRequest, Conflict, fieldError, Forbidden, isUniqueViolation, NotFound } from '../../lib/errors.js';
import { isAgencyRole } from '../../domain/roles.js';
import type { ClockService } from '../clock/service.js';
import { enqueueMessages } from '../notifications/outbox.js';
import { appendEvents, type NewEvent } from '../timeline/repository.js';
import { actorFields, createEffects, text, type ActionInput, type CaseActor, type Ctx } from './effects.js';
import { findReplay, storeAnswer, updateKey, type Answer } from './idempotency.js';
import * as repo from './repository.js';

export interface ActResult extends Answer {
  /** answered from an earlier request with the same updateId */
  replayed?: boolean;
}

/** The case changed since the caller read it. */
export class StaleVersion extends Conflict {
  constructor(public readonly currentVersion: number, sent: number) {
    super(`The case is at version ${currentVersion}, not ${sent}: read it again and retry`, { currentVersion, code: 'stale_version' });
  }
}

export interface WorkflowDeps {
  db: Db;
  clock: Clock;
  clockService: ClockService;
  baseUrl: string;
  mailDomain: string;
}

/** `act` and `actInTx`: one action on one case (see the file comment). */
export function createWorkflowService(deps: WorkflowDeps) {
  const { db, clock, clockService } = deps;
  const EFFECTS = createEffects({ clockService, baseUrl: deps.baseUrl });

  async function act(caseId: number, action: Action, who: CaseActor, input: ActionInput = {}): Promise<ActResult> {
    if (!isAction(action)) throw new BadRequest(`Unknown action ${String(action)}`, [{ path: 'action', message: 'unknown action' }]);
    const calendar = await clockService.calendar();
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction((tx) => run(tx, caseId, action, who, input, calendar));
      } catch (err) {
        // two requests with the same updateId on different cases at once: the loser re-reads the answer
        if (attempt === 0 && input.updateId && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  /** The same inside a caller's transaction (escalation closes, audit reopens). */
  async function actInTx(tx: Tx, caseId: number, action: Action, who: CaseActor, input: ActionInput = {}): Promise<ActResult> {
    if (!isAction(action)) throw new BadRequest(`Unknown action ${String(action)}`, [{ path: 'action', message: 'unknown action' }]);
    const calendar = await clockService.loadCalendar(tx);
    return run(tx, caseId, action, who, input, calendar);
  }

  async function run(tx: Tx, caseId: number, action: Action, who: CaseActor, input: ActionInput, calendar: WorkingCalendar): Promise<ActResult> {
    const now = clock.now();
    const role: Role = who.kind === 'staff' ? who.actor.role : who.kind;

    const lockIds = [caseId];
    const dup = input.duplicateOf;
    const mergeLike = action === 'merge' || (action === 'reject' && input.reason === 'duplicate');
    if (mergeLike && typeof dup === 'number' && Number.isSafeInteger(dup) && dup > 0 && dup !== caseId) lockIds.push(dup);
    const locked = await repo.lockCases(tx, lockIds);
    const c = locked.get(caseId);
    if (!c) throw new NotFound(`Case ${caseId} does not exist`);

    // a repeated updateId is answered as the first time, even if the case moved on since
    const idem = updateKey(who, caseId, action, input);
    if (idem) {
      const replay = await findReplay(tx, idem, c);
      if (replay) return replay;
    }

    // agency roles: another agency's case does not exist for them
    const agencyActor = who.kind === 'staff' && isAgencyRole(who.actor.role) ? who.actor : null;
    if (agencyActor && (agencyActor.agencyId == null || c.agencyId !== agencyActor.agencyId)) {
      throw new NotFound(`Case ${caseId} does not exist`);
    }
    if (input.version !== undefined && input.version !== c.version) throw new StaleVersion(c.version, input.version);

    const status = c.status as CaseStatus;
    const t = transition(action, {
      role,
      status,
      sameAgency: agencyActor ? true : undefined,
      now,
      resolvedAt: c.resolvedAt,
      alreadyRated: c.rating != null,
      onFinding: input.onFinding === true,
      reason: input.reason,
      duplicateOf: input.duplicateOf ?? null,
      hasPublicText: text(input.publicText) != null,
    });
    if (!t.ok) {
      switch (t.code) {
        case 'forbidden':
          throw new Forbidden(t.message);
        case 'illegal_transition':
          throw new Conflict(t.message, { currentStatus: c.status, code: 'illegal_transition' });
        case 'window_closed':
          throw new Conflict(t.message, { currentStatus: c.status, code: 'window_closed' });
        case 'invalid_reason':
          throw fieldError('reason', t.message);
        default:
          throw fieldError(action === 'resolve' ? 'publicText' : action === 'reject' || action === 'merge' ? 'duplicateOf' : 'input', t.message);
      }
    }

    const ctx: Ctx = { tx, c, who, input, now, calendar, to: t.to, reason: t.reason, locked };
    const effect = await EFFECTS[action](ctx);

    // the escalation ladder starts again once a case is out of the agency's hands or its deadline moves later
    const patch: Partial<typeof cases.$inferInsert> = { status: t.to, ...effect.patch };
    const newDue = effect.patch.resolveDueAt as Date | undefined;
    if (c.escalationLevel > 0 && (!isOpenStatus(t.to) || (newDue && newDue > c.resolveDueAt))) patch.escalationLevel = 0;
    const updated = await repo.updateCase(tx, c.id, c.version, patch, now);
    if (!updated) throw new StaleVersion(c.version, input.version ?? c.version);
    for (const id of effect.touch ?? []) await repo.touchCase(tx, id, now);
    await enqueueMessages(tx, deps.mailDomain, effect.messages ?? [], now);

    const event: NewEvent = {
      caseId: c.id,
      at: now,
      ...actorFields(who),
      action,
      fromStatus: c.status,
      toStatus: t.to,
      publicText: effect.publicText ?? null,
      internalText: effect.internalText ?? null,
      data: effect.data ?? null,
    };
    const written = await appendEvents(tx, [event, ...(effect.otherEvents ?? [])]);
    const events = written.filter((e) => e.caseId === c.id);
    if (idem) await storeAnswer(tx, idem, { case: updated, events }, now);
    return { case: updated, events };
  }

  return { act, actInTx };
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;