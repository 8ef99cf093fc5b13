import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/client.js';
import { insertRows } from '../../db/fast.js';
import { outbox } from '../../db/schema.js';

export interface OutgoingMessage {
  template: string;
  caseId?: number | null;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string | null;
  /** do not send before (office hours for staff mail) */
  notBefore?: Date;
}

/**
 * Writes messages to the outbox in the caller's transaction; a worker delivers them after
 * commit. Each gets a stable Message-ID, so a retried delivery is recognisable.
 */
export async function enqueueMessages(ex: Executor, mailDomain: string, messages: OutgoingMessage[], now: Date): Promise<void> {
  const rows = outboxRows(mailDomain, messages, now);
  if (rows.length > 0) await insertRows(ex, outbox, rows);
}

/** An outbox row of a message, as written. */
export type OutboxRow = ReturnType<typeof outboxRows>[number];

/** The outbox rows of messages (recipients deduplicated; messages without one dropped). */
export function outboxRows(mailDomain: string, messages: OutgoingMessage[], now: Date) {
  return messages
    .map((m) => ({ ...m, to: [...new Set(m.to.filter(Boolean))], cc: [...new Set((m.cc ?? []).filter(Boolean))] }))
    .filter((m) => m.to.length > 0)
    .map((m) => ({
      messageId: `<${randomUUID()}@${mailDomain}>`,
      template: m.template,
      caseId: m.caseId ?? null,
      toAddrs: m.to,
      ccAddrs: m.cc,
      subject: m.subject,
      textBody: m.text,
      htmlBody: m.html ?? null,
      status: 'pending',
      nextAttemptAt: m.notBefore && m.notBefore > now ? m.notBefore : now,
      createdAt: now,
    }));
}
