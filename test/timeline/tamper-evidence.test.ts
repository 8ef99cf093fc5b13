import { createPublicKey, verify as edVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { scheduledJobs } from '../../src/scheduler.js';
import { checkpointMessage, createCheckpointer, generateSigningKeyPem, signCheckpoint, loadSigningKey } from '../../src/features/timeline/checkpoints.js';
import { createChainSealer, eventDigest, type EventRow } from '../../src/features/timeline/repository.js';
import { runVerify } from '../../src/features/timeline/verify-cli.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, local, ok, publicAction, reference, type Entered } from '../workflow/helpers.js';

/**
 * Someone with write access to the database cuts off the newest history, rewrites case rows,
 * reorders events or forges checkpoints: GET /api/v1/audit/verify (and the offline check) name
 * each with the right seq, or case and field.
 */
const KEY = generateSigningKeyPem();
const config = { PAKN_SIGNING_KEY: KEY, PAKN_INSPECTORATE_EMAILS: 'thanhtra@bacninh.example' };
let t: TestApp;
let app: FastifyInstance;
let full: Entered;
let closed: Entered;
const req = () => supertest(app.server);
const dir = mkdtempSync(join(tmpdir(), 'pakn-tamper-'));

const q = async <T = Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  ((await t.database.db.execute(query)) as unknown as { rows: T[] }).rows;

async function verify(cases = false) {
  const r = await req()
    .get(`/api/v1/audit/verify${cases ? '?cases=true' : ''}`)
    .set(bearer(t.tokens.inspector));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as {
    ok: boolean;
    lastSeq: number;
    head: { seq: number; hash: string };
    checkpoint: { n: number; seq: number } | null;
    problems: Array<{ kind: string; seq?: number; caseId?: number; field?: string; checkpoint?: number; detail: string }>;
    cases?: { checked: number; notReplayable: number };
  };
}

const head = async () => Number((await q<{ s: string }>(sql`select max(seq) as s from case_events`))[0].s);
const checkpoint = (force = true) => app.services.checkpoints.checkpoint({ force });

/** Takes rows out and gives a function that puts them back exactly (same ids). */
async function takeEvents(where: ReturnType<typeof sql>) {
  const rows = await q(sql`select * from case_events where ${where}`);
  await t.database.db.execute(sql`delete from case_events where ${where}`);
  return async () => {
    await t.database.db.execute(
      sql`insert into case_events overriding system value select * from json_populate_recordset(null::case_events, ${JSON.stringify(rows)}::json)`,
    );
  };
}
async function takeCheckpoints(where: ReturnType<typeof sql>) {
  const rows = await q(sql`select * from chain_checkpoints where ${where}`);
  await t.database.db.execute(sql`delete from chain_checkpoints where ${where}`);
  return async () => {
    await t.database.db.execute(sql`insert into chain_checkpoints select * from json_populate_recordset(null::chain_checkpoints, ${JSON.stringify(rows)}::json)`);
  };
}

beforeAll(async () => {
  t = await createTestApp({ config });
  app = t.app;
  const ref = await reference(t);
  // a case through every replayed field: agency, accept, pause and reply, extension, answer, rating
  full = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00') });
  let v = await ok(t, 'agency_staff', full.id, 'accept', { version: full.version });
  v = await ok(t, 'agency_staff', full.id, 'request-info', { version: v.version, publicText: 'Đề nghị bổ sung bản vẽ mặt bằng.' });
  t.clock.advance(86_400_000);
  expect((await publicAction(t, full, 'reply', { text: 'Đã gửi bản vẽ mặt bằng.' })).status).toBe(200);
  v = await ok(t, 'agency_lead', full.id, 'extend', { version: v.version + 1, amount: 2, unit: 'working_days', reason: 'Cần lấy ý kiến Sở Tài chính' });
  await ok(t, 'agency_staff', full.id, 'resolve', { version: v.version, reason: 'answered', publicText: 'Sở đã cấp giấy phép xây dựng ngày 05/3/2026.' });
  expect((await publicAction(t, full, 'rating', { rating: 4 })).status).toBe(200);
  // a case closed by the coordinator, and one still open
  closed = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00'), title: 'Chậm hoàn thuế giá trị gia tăng' });
  v = await ok(t, 'agency_staff', closed.id, 'accept', { version: closed.version });
  v = await ok(t, 'agency_staff', closed.id, 'resolve', { version: v.version, reason: 'fixed', publicText: 'Đã hoàn thuế.' });
  await ok(t, 'coordinator', closed.id, 'close', { version: v.version });
  const open = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00'), title: 'Vướng mắc thủ tục phòng cháy' });
  await ok(t, 'agency_staff', open.id, 'note', { version: open.version, internalText: 'Đang liên hệ doanh nghiệp.' });
  expect(await checkpoint()).toMatchObject({ n: 1, seq: await head() });
});
afterAll(async () => {
  await app?.close();
  await t?.database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`tamper evidence on ${dbLabel}`, () => {
  it('an untouched database verifies, cases included; the public head carries a signature anyone can check', async () => {
    const v = await verify(true);
    expect(v).toMatchObject({ ok: true, problems: [], checkpoint: { n: 1, seq: await head() }, cases: { checked: 3, notReplayable: 0 } });
    const r = await req().get('/api/v1/public/chain/head');
    expect(r.status).toBe(200);
    const c = r.body.checkpoint;
    expect(c).toMatchObject({ n: 1, seq: await head(), hash: v.head.hash, keyId: r.body.keyId });
    expect(c.message).toBe(checkpointMessage(c));
    expect(edVerify(null, Buffer.from(c.message), createPublicKey(r.body.publicKey), Buffer.from(c.signature, 'base64'))).toBe(true);
    expect(JSON.stringify(r.body)).not.toMatch(/PRIVATE/);
  });

  it('the head is signed again only when it moved, at most every few seconds unless forced', async () => {
    expect(await checkpoint(false)).toMatchObject({ n: 1 });
    const c = await t.request().get(`/api/v1/cases/${full.id}`).set(bearer(t.tokens.coordinator));
    await ok(t, 'coordinator', full.id, 'note', { version: c.body.version, internalText: 'Lưu hồ sơ.' });
    expect(await checkpoint(false)).toBeNull(); // too soon after checkpoint 1 (same instant)
    t.clock.advance(5_000);
    // the scheduled job (every 5 seconds) signs it
    const job = scheduledJobs(app.services).find((j) => j.name === 'chain-checkpoint')!;
    expect(job.schedule).toBe('*/5 * * * * *');
    expect(await job.run()).toEqual({ n: 2, seq: await head() });
    expect((await verify()).ok).toBe(true);
  });

  it('two instances signing at once keep the numbers without gaps', async () => {
    const c = await t.request().get(`/api/v1/cases/${full.id}`).set(bearer(t.tokens.coordinator));
    await ok(t, 'coordinator', full.id, 'note', { version: c.body.version, internalText: 'Ghi chú của phiên thứ hai.' });
    const other = createCheckpointer({
      db: t.database.db,
      clock: t.clock,
      sealer: createChainSealer(t.database.db, t.database.pool),
      key: loadSigningKey({ configured: KEY, production: false, onPostgres: false }),
    });
    t.clock.advance(5_000);
    const [a, b] = await Promise.all([checkpoint(false), other.checkpoint()]);
    expect(a?.n).toBe(3);
    expect(b?.n).toBe(3);
    expect(await q(sql`select n from chain_checkpoints order by n`)).toHaveLength(3);
    expect((await verify()).ok).toBe(true);
    expect((await req().get('/api/v1/audit/verify?cases=maybe').set(bearer(t.tokens.inspector))).status).toBe(400);
    expect((await req().get('/api/v1/audit/verify').set(bearer(t.tokens.agency_lead))).status).toBe(403);
  });

  it('deleting the newest event is truncation at its seq', async () => {
    const h = await head();
    const restore = await takeEvents(sql`seq = ${h}`);
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({ kind: 'truncated', seq: h });
    await restore();
    expect((await verify()).ok).toBe(true);
  });

  it('deleting the newest three events is truncation from the first of them', async () => {
    const h = await head();
    const restore = await takeEvents(sql`seq > ${h - 3}`);
    const v = await verify();
    expect(v.problems[0]).toMatchObject({ kind: 'truncated', seq: h - 2 });
    expect(v.problems[0].detail).toContain(`seq ${h}`);
    await restore();
    expect((await verify()).ok).toBe(true);
  });

  it('deleting a middle event is a gap at its seq', async () => {
    const restore = await takeEvents(sql`seq = 6`);
    const v = await verify();
    expect(v).toMatchObject({ ok: false, problems: [{ kind: 'missing_event', seq: 6 }] });
    await restore();
    expect((await verify()).ok).toBe(true);
  });

  it('editing an event is a hash mismatch at its seq', async () => {
    const [row] = await q<{ internal_text: string | null }>(sql`select internal_text from case_events where seq = 9`);
    await t.database.db.execute(sql`update case_events set internal_text = 'Đã sửa lại' where seq = 9`);
    expect((await verify()).problems[0]).toMatchObject({ kind: 'hash_mismatch', seq: 9 });
    await t.database.db.execute(sql`update case_events set internal_text = ${row.internal_text} where seq = 9`);
    expect((await verify()).ok).toBe(true);
  });

  it('reordering two events is reported at the first of them', async () => {
    const swap = async () => {
      await t.database.db.execute(sql`update case_events set seq = -1 where seq = 4`);
      await t.database.db.execute(sql`update case_events set seq = 4 where seq = 5`);
      await t.database.db.execute(sql`update case_events set seq = 5 where seq = -1`);
    };
    await swap();
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({ seq: 4 });
    expect(['hash_mismatch', 'prev_hash_mismatch']).toContain(v.problems[0].kind);
    await swap();
    expect((await verify()).ok).toBe(true);
  });

  it('editing each replayed column of a case row is reported with the case and the field', async () => {
    const edits: Array<[string, ReturnType<typeof sql>, string, number]> = [
      ['status', sql`status = 'closed'`, 'status', full.id],
      ['agency_id', sql`agency_id = agency_id + 1`, 'agencyId', full.id],
      ['accept_due_at', sql`accept_due_at = accept_due_at + interval '1 day'`, 'acceptDueAt', full.id],
      ['resolve_due_at', sql`resolve_due_at = resolve_due_at + interval '3 days'`, 'resolveDueAt', full.id],
      ['outcome', sql`outcome = case when outcome = 'late' then 'on_time' else 'late' end`, 'outcome', full.id],
      ['extensions_used', sql`extensions_used = 0`, 'extensionsUsed', full.id],
      ['public_answer', sql`public_answer = 'Câu trả lời khác'`, 'publicAnswer', full.id],
      ['rating', sql`rating = 5`, 'rating', full.id],
      ['status', sql`status = 'resolved'`, 'status', closed.id],
    ];
    for (const [column, set, field, id] of edits) {
      const [before] = await q(sql`select * from cases where id = ${id}`);
      await t.database.db.execute(sql`update cases set ${set} where id = ${id}`);
      const v = await verify(true);
      expect(v.ok, column).toBe(false);
      expect(v.problems, column).toEqual([expect.objectContaining({ kind: 'case_mismatch', caseId: id, field })]);
      // the plain chain check does not look at case rows
      expect((await verify(false)).ok, column).toBe(true);
      await t.database.db.execute(
        sql`update cases c set ${sql.raw(column)} = b.${sql.raw(column)} from json_populate_record(null::cases, ${JSON.stringify(before)}::json) b where c.id = ${id}`,
      );
    }
    expect((await verify(true)).ok).toBe(true);
  });

  it('a deleted case row, or a case row without events, is reported', async () => {
    const [row] = await q(sql`select * from cases where id = ${closed.id}`);
    await t.database.db.execute(sql`delete from cases where id = ${closed.id}`);
    expect((await verify(true)).problems).toEqual([expect.objectContaining({ kind: 'events_without_case', caseId: closed.id })]);
    await t.database.db.execute(sql`insert into cases overriding system value select * from json_populate_record(null::cases, ${JSON.stringify(row)}::json)`);
    expect((await verify(true)).ok).toBe(true);
  });

  it('a forged or altered checkpoint is a bad checkpoint', async () => {
    // the latest one's signature replaced
    const [latest] = await q<{ n: number; signature: string; seq: string }>(sql`select * from chain_checkpoints order by n desc limit 1`);
    await t.database.db.execute(sql`update chain_checkpoints set signature = ${Buffer.alloc(64, 7).toString('base64')} where n = ${latest.n}`);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'bad_checkpoint', seq: Number(latest.seq), checkpoint: Number(latest.n) })]);
    await t.database.db.execute(sql`update chain_checkpoints set signature = ${latest.signature} where n = ${latest.n}`);
    // a new checkpoint signed with another key (to cover a shortened chain)
    const other = loadSigningKey({ configured: generateSigningKeyPem(), production: false, onPostgres: false });
    const h = await head();
    const [ev] = await q<{ hash: string }>(sql`select hash from case_events where seq = ${h - 1}`);
    const forged = signCheckpoint(other, { n: Number(latest.n) + 1, seq: h - 1, hash: ev.hash, at: t.clock.now() });
    await t.database.db.execute(sql`insert into chain_checkpoints (n, seq, hash, at, key_id, signature)
      values (${forged.n}, ${forged.seq}, ${forged.hash}, ${forged.at.toISOString()}, ${forged.keyId}, ${forged.signature})`);
    expect((await verify()).problems[0]).toMatchObject({ kind: 'bad_checkpoint', seq: h - 1, checkpoint: forged.n });
    await t.database.db.execute(sql`delete from chain_checkpoints where n = ${forged.n}`);
    // an older checkpoint pointed elsewhere
    const [first] = await q<{ hash: string; seq: string }>(sql`select * from chain_checkpoints where n = 1`);
    await t.database.db.execute(sql`update chain_checkpoints set hash = ${'f'.repeat(64)} where n = 1`);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'bad_checkpoint', seq: Number(first.seq), checkpoint: 1 })]);
    await t.database.db.execute(sql`update chain_checkpoints set hash = ${first.hash} where n = 1`);
    expect((await verify()).ok).toBe(true);
  });

  it('a removed checkpoint is missing: a gap in the numbers, or the newest one this service signed', async () => {
    const c = await t.request().get(`/api/v1/cases/${full.id}`).set(bearer(t.tokens.coordinator));
    await ok(t, 'coordinator', full.id, 'note', { version: c.body.version, internalText: 'Ghi chú thêm.' });
    t.clock.advance(5_000);
    const third = (await checkpoint(false))!;
    expect(third.n).toBe(4);
    // the middle one
    let restore = await takeCheckpoints(sql`n = 2`);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'missing_checkpoint', checkpoint: 2 })]);
    await restore();
    // the newest one: this process remembers what it signed
    restore = await takeCheckpoints(sql`n = 4`);
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'missing_checkpoint', seq: third.seq, checkpoint: 4 })]);
    // cutting off the events it covered as well: still caught, at the right seq
    const restoreEvents = await takeEvents(sql`seq = ${third.seq}`);
    const v = await verify();
    expect(v.problems[0]).toMatchObject({ kind: 'truncated', seq: third.seq });
    expect(v.problems.map((p) => p.kind)).toContain('missing_checkpoint');
    await restoreEvents();
    await restore();
    expect((await verify()).ok).toBe(true);
  });

  it('a chain rewritten and re-hashed under a signed checkpoint is caught by the checkpoint', async () => {
    const h = await head();
    const rows = (await q<Record<string, unknown>>(sql`select * from case_events where seq >= ${h - 1} order by seq`)).map((r) => ({ ...r }));
    const original = rows.map((r) => ({ id: r.id, public_text: r.public_text, prev_hash: r.prev_hash, hash: r.hash }));
    // edit the second-newest event and recompute every hash after it, as an attacker without the key can
    let prev = (await q<{ hash: string }>(sql`select hash from case_events where seq = ${h - 2}`))[0].hash;
    for (const [i, r] of rows.entries()) {
      const e = {
        id: Number(r.id),
        seq: Number(r.seq),
        caseId: Number(r.case_id),
        at: new Date(r.at as string),
        actorUserId: (r.actor_user_id as number | null) ?? null,
        actorRole: r.actor_role as string,
        actorLabel: (r.actor_label as string | null) ?? null,
        action: r.action as string,
        fromStatus: (r.from_status as string | null) ?? null,
        toStatus: (r.to_status as string | null) ?? null,
        publicText: i === 0 ? 'Nội dung đã bị thay' : ((r.public_text as string | null) ?? null),
        internalText: (r.internal_text as string | null) ?? null,
        data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown> | null,
        prevHash: prev,
      } as Omit<EventRow, 'hash'>;
      const hash = eventDigest(e);
      await t.database.db.execute(sql`update case_events set public_text = ${e.publicText}, prev_hash = ${prev}, hash = ${hash} where id = ${e.id}`);
      prev = hash;
    }
    const v = await verify();
    // the first signed checkpoint at or after the edited event no longer matches
    const [{ s: first }] = await q<{ s: string }>(sql`select min(seq) as s from chain_checkpoints where seq >= ${h - 1}`);
    expect(v.problems[0]).toMatchObject({ kind: 'rewritten', seq: Number(first) });
    for (const o of original) {
      await t.database.db.execute(sql`update case_events set public_text = ${o.public_text as string | null}, prev_hash = ${o.prev_hash as string}, hash = ${o.hash as string} where id = ${o.id as number}`);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('a published report carries the signed chain head, in its JSON and in its method section', async () => {
    t.clock.set('2026-04-01T02:00:00Z');
    await app.services.reports.publish('2026-03');
    const r = await req().get('/api/v1/public/reports/2026-03');
    expect(r.status).toBe(200);
    const ch = r.body.chainHead;
    const [cp] = await q<{ n: string; seq: string; hash: string }>(sql`select * from chain_checkpoints order by n desc limit 1`);
    expect(ch).toMatchObject({ n: Number(cp.n), seq: await head(), hash: cp.hash });
    const pub = (await req().get('/api/v1/public/chain/head')).body.publicKey;
    expect(edVerify(null, Buffer.from(checkpointMessage(ch)), createPublicKey(pub), Buffer.from(ch.signature, 'base64'))).toBe(true);
    const html = (await req().get('/bao-cao/2026-03')).text;
    expect(html).toContain(`sự kiện số <strong>${ch.seq}</strong>`);
    expect(html).toContain(ch.signature);
    writeFileSync(join(dir, 'report.json'), JSON.stringify(r.body));
  });

  it('the daily e-mail to the inspectorate carries the day before\'s last checkpoint, once', async () => {
    t.clock.set('2026-04-02T17:05:00Z'); // 00:05 on 3/4 in Hà Nội
    const job = scheduledJobs(app.services).find((j) => j.name === 'chain-checkpoint-mail')!;
    expect(await job.run()).toMatchObject({ day: '2026-04-02', queued: true });
    expect(await job.run()).toMatchObject({ queued: false });
    const mail = await q<{ to_addrs: string[]; subject: string; text_body: string }>(sql`select * from outbox where template = 'chain_checkpoint'`);
    expect(mail).toHaveLength(1);
    const [cp] = await q<{ seq: string; hash: string }>(sql`select * from chain_checkpoints order by n desc limit 1`);
    expect(mail[0].to_addrs).toEqual(['thanhtra@bacninh.example']);
    expect(mail[0].subject).toContain(`số ${cp.seq}`);
    expect(mail[0].text_body).toContain(cp.hash);
  });

  it('the offline check: intact up to seq N, or the first problem against a saved checkpoint and a report', async () => {
    const headFile = join(dir, 'head.json');
    writeFileSync(headFile, JSON.stringify((await req().get('/api/v1/public/chain/head')).body));
    const lines: string[] = [];
    const args = { checkpoints: [headFile, join(dir, 'report.json')], cases: true, json: false };
    expect(await runVerify(t.database, args, (s) => lines.push(s)), lines.join('\n')).toBe(0);
    expect(lines.pop()).toMatch(new RegExp(`^intact up to seq ${await head()}`));
    // the newest events and checkpoint removed from the copy: the saved checkpoint still knows
    const h = await head();
    const restoreCp = await takeCheckpoints(sql`seq >= ${h - 1}`);
    const restoreEv = await takeEvents(sql`seq >= ${h - 1}`);
    expect(await runVerify(t.database, args, (s) => lines.push(s))).toBe(1);
    expect(lines.pop()).toMatch(new RegExp(`^truncated at seq ${h - 1}`));
    await restoreEv();
    await restoreCp();
    // a saved checkpoint altered by hand does not verify
    const saved = (await req().get('/api/v1/public/chain/head')).body;
    saved.checkpoint.seq -= 1;
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(saved));
    expect(await runVerify(t.database, { checkpoints: [join(dir, 'bad.json')], cases: false, json: false }, (s) => lines.push(s))).toBe(1);
    expect(lines.pop()).toMatch(/^bad_checkpoint/);
  });

  it('an untouched database still verifies after a restart; a different key does not pass for the old checkpoints', async () => {
    expect((await verify(true)).ok).toBe(true);
    await app.close();
    app = await buildApp({ config: testConfig({ PUBLIC_BASE_URL: 'http://pakn.test', ...config }), database: t.database, clock: t.clock });
    expect(await verify(true)).toMatchObject({ ok: true, problems: [] });
    await app.close();
    app = await buildApp({ config: testConfig({ PUBLIC_BASE_URL: 'http://pakn.test', PAKN_SIGNING_KEY: generateSigningKeyPem() }), database: t.database, clock: t.clock });
    expect((await verify()).problems[0]).toMatchObject({ kind: 'bad_checkpoint' });
  });
});
