import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/client.js';
import { enqueueMessages } from '../../src/features/notifications/outbox.js';
import { backoffMs } from '../../src/features/notifications/service.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { startSmtp, type TestSmtp } from './smtp.js';

let smtp: TestSmtp;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ config: { SMTP_URL: smtp.url, MAIL_FROM: 'Tổ phản ứng nhanh <pakn@pakn.test>', PAKN_OUTBOX_MAX_ATTEMPTS: '3' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const LEAD = 'lanhdao@soxaydung.bacninh.example';
const CONTACT = 'vanthu@soxaydung.bacninh.example';
const COORD = 'to3nhat@bacninh.example';

interface Row {
  id: number;
  status: string;
  attempts: number;
  delivered_to: string[];
  refused_to: string[];
  last_error: string | null;
  next_attempt_at: Date;
  sent_at: Date | null;
  message_id: string;
}

/** One staff notice to three recipients (two To, one Cc), written as the services write them. */
async function enqueueNotice(subject: string): Promise<Row> {
  await t.database.db.transaction((tx) =>
    enqueueMessages(tx, 'pakn.test', [{ template: 'overdue', to: [LEAD, CONTACT], cc: [COORD], subject, text: 'Hồ sơ BN-2603-00017 đã quá hạn trả lời.' }], t.clock.now()),
  );
  return row(subject);
}

async function row(subject: string): Promise<Row> {
  const [r] = await rows<Row>(t.database.db, sql`select * from outbox where subject = ${subject}`);
  return { ...r, id: Number(r.id), next_attempt_at: new Date(r.next_attempt_at) };
}

const run = () => t.app.services.notifications.runOutbox(t.clock.now());
/** what each address received of one message, from the SMTP server's envelopes */
const receivedBy = (messageId: string) => smtp.received.filter((m) => m.messageId === messageId).flatMap((m) => m.envelopeTo).sort();

describe(`each recipient's fate is tracked, against a real SMTP server, on ${dbLabel}`, () => {
  it('451 for one of three recipients: the two others get it once, the third is retried alone until it accepts', async () => {
    smtp.received.length = 0;
    smtp.refuseRcpt = new Map([[CONTACT, 451]]);
    const m = await enqueueNotice('Quá hạn: hồ sơ 451');
    const r1 = await run();
    expect(r1).toMatchObject({ claimed: 1, sent: 0, failed: 1, dead: 0 });
    let x = await row('Quá hạn: hồ sơ 451');
    expect(x.status).toBe('pending');
    expect(x.delivered_to.sort()).toEqual([COORD, LEAD].sort());
    expect(x.refused_to).toEqual([]);
    // the error names the address that failed, and only it
    expect(x.last_error).toMatch(new RegExp(`^451 ${CONTACT.replace(/\./g, '\\.')}: `));
    expect(x.last_error).not.toContain(LEAD);
    expect(x.next_attempt_at.getTime()).toBe(t.clock.now().getTime() + backoffMs(1));
    expect(receivedBy(m.message_id)).toEqual([COORD, LEAD].sort());

    // still busy at the second attempt: only the refused one is asked again
    t.clock.advance(backoffMs(1));
    expect(await run()).toMatchObject({ claimed: 1, failed: 1 });
    expect(receivedBy(m.message_id)).toEqual([COORD, LEAD].sort());

    // accepted at the third: delivered to it alone, the message is sent; every address got it exactly once
    smtp.refuseRcpt.clear();
    t.clock.advance(backoffMs(2));
    expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
    x = await row('Quá hạn: hồ sơ 451');
    expect(x.status).toBe('sent');
    expect(x.last_error).toBeNull();
    expect(x.delivered_to.sort()).toEqual([COORD, CONTACT, LEAD].sort());
    expect(receivedBy(m.message_id)).toEqual([COORD, CONTACT, LEAD].sort());
    // every copy carries the full To and Cc headers and the same Message-ID
    const copies = smtp.received.filter((r) => r.messageId === m.message_id);
    expect(copies).toHaveLength(2);
    for (const c of copies) {
      expect(c.to).toContain(LEAD);
      expect(c.to).toContain(CONTACT);
      expect(c.cc).toContain(COORD);
    }
    t.clock.advance(6 * 3_600_000);
    expect(await run()).toMatchObject({ claimed: 0 });
  });

  it('a 451 recipient that never accepts is dead after the last attempt, named in the error; the others got it once', async () => {
    smtp.received.length = 0;
    smtp.refuseRcpt = new Map([[LEAD, 451]]);
    const m = await enqueueNotice('Quá hạn: hồ sơ 451 mãi');
    for (let i = 0; i < 3; i++) {
      await run();
      t.clock.advance(6 * 3_600_000);
    }
    const x = await row('Quá hạn: hồ sơ 451 mãi');
    expect(x).toMatchObject({ status: 'dead', attempts: 3 });
    expect(x.refused_to).toEqual([LEAD]);
    expect(x.last_error).toContain(LEAD);
    expect(receivedBy(m.message_id)).toEqual([COORD, CONTACT].sort());
    smtp.refuseRcpt.clear();
  });

  it('550 for one of three recipients: delivered to the two others, dead for the refused one; an admin retry sends to it alone', async () => {
    smtp.received.length = 0;
    smtp.refuseRcpt = new Map([[COORD, 550]]);
    const m = await enqueueNotice('Quá hạn: hồ sơ 550');
    expect(await run()).toMatchObject({ claimed: 1, sent: 0, failed: 0, dead: 1 });
    let x = await row('Quá hạn: hồ sơ 550');
    expect(x.status).toBe('dead');
    expect(x.sent_at).not.toBeNull();
    expect(x.delivered_to.sort()).toEqual([CONTACT, LEAD].sort());
    expect(x.refused_to).toEqual([COORD]);
    expect(x.last_error).toMatch(/^550 to3nhat@bacninh\.example: /);
    expect(receivedBy(m.message_id)).toEqual([CONTACT, LEAD].sort());
    // not retried by the worker
    t.clock.advance(6 * 3_600_000);
    expect(await run()).toMatchObject({ claimed: 0 });

    // the address is fixed; admin retries the dead message: only the refused recipient gets it
    smtp.refuseRcpt.clear();
    const retry = await t.request().post(`/api/v1/admin/outbox/${x.id}/retry`).set(bearer(t.tokens.admin));
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'pending', refusedTo: [], deliveredTo: expect.arrayContaining([CONTACT, LEAD]) });
    expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
    x = await row('Quá hạn: hồ sơ 550');
    expect(x.status).toBe('sent');
    expect(receivedBy(m.message_id)).toEqual([COORD, CONTACT, LEAD].sort());
  });

  it('every recipient refused: 451 for all is retried, 550 for all is dead at once; nothing is received', async () => {
    smtp.received.length = 0;
    smtp.refuseRcpt = new Map([
      [LEAD, 451],
      [CONTACT, 550],
      [COORD, 550],
    ]);
    const m = await enqueueNotice('Quá hạn: tất cả bị từ chối');
    expect(await run()).toMatchObject({ claimed: 1, failed: 1 });
    let x = await row('Quá hạn: tất cả bị từ chối');
    expect(x).toMatchObject({ status: 'pending', delivered_to: [] });
    expect(x.refused_to.sort()).toEqual([COORD, CONTACT].sort());
    expect(x.last_error).toContain(`451 ${LEAD}`);
    expect(x.last_error).toContain(`550 ${CONTACT}`);
    // the next attempt asks only the deferred recipient; a 5xx for it makes the message dead
    smtp.refuseRcpt.set(LEAD, 550);
    t.clock.advance(backoffMs(1));
    expect(await run()).toMatchObject({ claimed: 1, dead: 1 });
    x = await row('Quá hạn: tất cả bị từ chối');
    expect(x.status).toBe('dead');
    expect(x.sent_at).toBeNull();
    expect(x.refused_to.sort()).toEqual([COORD, CONTACT, LEAD].sort());
    expect(receivedBy(m.message_id)).toEqual([]);
    smtp.refuseRcpt.clear();
  });
});
