import type { FastifyInstance } from 'fastify';
import type { ActionInput } from '../cases/effects.js';

export type BusinessAction = 'reply' | 'rate' | 'dispute' | 'withdraw';

/**
 * A business's action on its own case, after its access key was checked: the case workflow
 * applies it (state machine, clock, timeline) in one transaction. The business's own words are
 * kept for staff (internal text); the public timeline says what happened in plain words.
 */
export async function publicAct(app: FastifyInstance, caseId: number, action: BusinessAction, input: ActionInput): Promise<void> {
  await app.services.workflow.act(caseId, action, { kind: 'public' }, input);
}
