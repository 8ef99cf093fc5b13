/**
 * Reading cases as staff: the work queue, one case, its timeline and the agency feed, each with
 * the disclosure rule applied here (src/domain/disclosure.ts) and an access record written when a
 * coordinator or inspector is shown a confidential reporter. Routes see only this service.
 */
import type { Db } from '../../db/client.js';
import { disclose, eventShown, type Audience } from '../../domain/disclosure.js';
import { isAgencyRole, type Actor } from '../../domain/roles.js';
import type { Clock } from '../../lib/clock.js';
import { NotFound } from '../../lib/errors.js';
import { listAccessRecords, recordAccess, type AccessFilter } from './access-records.js';
import type { CaseRow } from './deadlines.js';
import * as repo from './repository.js';
import { identityOf, toEventView, toFeedItem, toStaffListItem, toStaffView, type FeedItem } from './views.js';

export interface CaseServiceDeps {
  db: Db;
  clock: Clock;
}

export type QueueQuery = Omit<repo.QueueFilter, 'onlyAgencyId' | 'now'>;

export function createCaseService({ db, clock }: CaseServiceDeps) {
  const staff = (actor: Actor): Audience => ({ kind: 'staff', role: actor.role });

  /** The case, if the actor may see it: agency roles only their own agency's cases (else 404). */
  async function visibleCase(id: number, actor: Actor): Promise<repo.CaseWithNames> {
    const c = await repo.getCaseWithNames(db, id);
    if (!c || (isAgencyRole(actor.role) && (actor.agencyId == null || c.agencyId !== actor.agencyId))) {
      throw new NotFound(`Case ${id} does not exist`);
    }
    return c;
  }

  function viewFor(c: repo.ViewedCaseRow, names: repo.CaseNames, actor: Actor, audience: Audience, now: Date) {
    const d = disclose(c, audience);
    return { d, view: toStaffView(c, d, actor, { now, ...names }) };
  }

  /** A page of the work queue (`limit` compact items, and whether more follow); agency roles get their own agency's cases only. */
  async function queue(actor: Actor, q: QueueQuery, route: string) {
    const now = clock.now();
    const rows = await repo.listQueue(db, { ...q, limit: q.limit + 1, now, onlyAgencyId: isAgencyRole(actor.role) ? (actor.agencyId ?? -1) : undefined });
    const page = rows.slice(0, q.limit);
    const audience = staff(actor);
    const items = page.map((c) => {
      const d = disclose(c, audience);
      return { d, item: toStaffListItem(c, d, actor, { now, ...c }) };
    });
    // one statement for the page: the confidential reporters it showed
    await recordAccess(db, actor, items.filter((v) => v.d.recordAccess).map((v) => v.item.id), route, now);
    return { page, more: rows.length > q.limit, items: items.map((v) => v.item) };
  }

  /** One case for staff. */
  async function get(actor: Actor, id: number, route: string) {
    const now = clock.now();
    const c = await visibleCase(id, actor);
    const { d, view } = viewFor(c, c, actor, staff(actor), now);
    if (d.recordAccess) await recordAccess(db, actor, [c.id], route, now);
    return view;
  }

  /** The case as the caller sees it after an action on it. */
  async function afterAction(actor: Actor, c: CaseRow, route: string) {
    const now = clock.now();
    const names = await repo.namesOf(db, c);
    const { d, view } = viewFor(c, names, actor, staff(actor), now);
    if (d.recordAccess) await recordAccess(db, actor, [c.id], route, now);
    return view;
  }

  /** The case's timeline, every event as the caller may see it. */
  async function timeline(actor: Actor, id: number, route: string) {
    const c = await visibleCase(id, actor);
    const d = disclose(c, staff(actor));
    const events = await repo.caseTimeline(db, c.id);
    if (d.recordAccess) await recordAccess(db, actor, [c.id], route, clock.now());
    const who = identityOf(c);
    return { caseId: c.id, trackingCode: c.trackingCode, items: events.filter((e) => eventShown(e.action, d)).map((e) => toEventView(e, d, who)) };
  }

  /**
   * The agency feed: the agency's own system reads it, so it discloses as to the agency whoever
   * pulls it (a confidential reporter never appears in it, and no access record is needed).
   */
  async function feed(actor: Actor, agencyId: number, opts: { since?: Date; after?: { updatedAt: Date; id: number }; limit: number }) {
    if (isAgencyRole(actor.role) && actor.agencyId !== agencyId) throw new NotFound(`Agency ${agencyId} has no feed for you`);
    if (agencyId > 2_147_483_647 || !(await repo.getAgency(db, agencyId))) throw new NotFound(`Agency ${agencyId} does not exist`);
    const now = clock.now();
    const rows = await repo.agencyFeed(db, agencyId, opts);
    return {
      now,
      rows,
      items: rows.map(({ row, left }) => ({ row, left, view: left ? null : viewFor(row, row, actor, { kind: 'feed' }, now).view })),
    };
  }

  /**
   * One case as an item of `agencyId`'s feed, now (what a webhook message carries): the agency's
   * own system is the audience, as for the feed; a case no longer with the agency is
   * `left_agency` without its content. Undefined when the case does not exist.
   */
  async function feedItem(agencyId: number, caseId: number): Promise<FeedItem | undefined> {
    const row = await repo.getCaseWithNames(db, caseId);
    if (!row) return undefined;
    const left = row.agencyId !== agencyId;
    const system: Actor = { userId: 0, name: 'agency system', role: 'agency_staff', agencyId, tokenId: 0 };
    return toFeedItem(row, left, left ? null : viewFor(row, row, system, { kind: 'feed' }, clock.now()).view);
  }

  /** Access records, newest first (inspectors). */
  async function accessRecords(f: AccessFilter) {
    return listAccessRecords(db, f);
  }

  return { queue, get, afterAction, timeline, feed, feedItem, accessRecords };
}

export type CaseService = ReturnType<typeof createCaseService>;
