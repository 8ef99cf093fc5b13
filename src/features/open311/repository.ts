/**
 * Open311's queries: the requests a client app may read (the cases joined with their agency,
 * category, locality and last public note, and the notes of its own requests), the services
 * (active categories) and the lookups a POST makes.
 */
import { and, asc, desc, eq, inArray, isNotNull, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { agencies, caseEvents, cases, categories, localities } from '../../db/schema.js';
import { toLocalIso } from '../../domain/calendar.js';
import { ACCESS_KEY_REISSUE, NOT_LISTED_TO_OTHER_APPS } from '../../domain/disclosure.js';
import type { ApiClient } from './api-clients.js';
import type { Open311Note } from './map.js';

/** A case as GET requests reads it, with the names and codes its answer shows. */
export type RequestRow = Awaited<ReturnType<ReturnType<typeof createOpen311Repository>['requestRows']>>['rows'][number];

export function createOpen311Repository(db: Db) {
  const statusNote = sql<string | null>`(select e.public_text from ${caseEvents} e where e.case_id = ${cases.id} and e.public_text is not null and e.action <> ${ACCESS_KEY_REISSUE} order by e.id desc limit 1)`;

  /**
   * What `viewer` may read: every request it filed, and of the others those listed to other apps
   * (not confidential, not tố cáo or khiếu nại: NOT_LISTED_TO_OTHER_APPS).
   */
  const readableBy = (viewer: ApiClient): SQL =>
    or(eq(cases.clientId, viewer.id), and(eq(cases.confidential, false), notInArray(cases.kind, [...NOT_LISTED_TO_OTHER_APPS])))!;

  /**
   * The requests matching `where` that `viewer` may read, newest first, at most `limit`; with
   * `withNotes`, the public timeline of those it filed itself (by case id, in order).
   */
  async function requestRows(where: SQL | undefined, limit: number, viewer: ApiClient, withNotes: boolean) {
    const rows = await db
      .select({
        c: cases,
        agencyName: agencies.name,
        categoryCode: categories.code,
        categoryName: categories.name,
        localityCode: localities.code,
        lastPublicText: statusNote,
      })
      .from(cases)
      .leftJoin(agencies, eq(agencies.id, cases.agencyId))
      .leftJoin(categories, eq(categories.id, cases.categoryId))
      .leftJoin(localities, eq(localities.id, cases.localityId))
      .where(and(where, readableBy(viewer)))
      .orderBy(desc(cases.receivedAt), desc(cases.id))
      .limit(limit);
    const notes = new Map<number, Open311Note[]>();
    // the public timeline is free text: only for the requests the viewer filed itself
    const ownIds = rows.filter((r) => r.c.clientId === viewer.id).map((r) => r.c.id);
    if (withNotes && ownIds.length > 0) {
      const ev = await db
        .select({ caseId: caseEvents.caseId, action: caseEvents.action, publicText: caseEvents.publicText, at: caseEvents.at })
        .from(caseEvents)
        .where(and(inArray(caseEvents.caseId, ownIds), isNotNull(caseEvents.publicText)))
        .orderBy(asc(caseEvents.id));
      for (const e of ev) {
        const list = notes.get(e.caseId) ?? [];
        list.push({ type: e.action, summary: e.publicText!, datetime: toLocalIso(e.at) });
        notes.set(e.caseId, list);
      }
    }
    return { rows, notes };
  }

  /** The ids of the categories with these codes. */
  async function categoryIdsByCode(codes: string[]): Promise<number[]> {
    const cats = await db.select({ id: categories.id }).from(categories).where(inArray(categories.code, codes));
    return cats.map((c) => c.id);
  }

  /** The active services, in id order. */
  async function activeCategories() {
    return db.select().from(categories).where(eq(categories.active, true)).orderBy(asc(categories.id));
  }

  /** The active service with this code, or undefined. */
  async function activeCategory(code: string) {
    const [c] = await db.select().from(categories).where(and(eq(categories.code, code), eq(categories.active, true)));
    return c;
  }

  /** The id of the active locality with this code, or undefined. */
  async function activeLocalityId(code: string): Promise<number | undefined> {
    const [loc] = await db.select({ id: localities.id }).from(localities).where(and(eq(localities.code, code), eq(localities.active, true)));
    return loc?.id;
  }

  /** A case row by id (what a POST answers from). */
  async function caseById(id: number) {
    const [row] = await db.select().from(cases).where(eq(cases.id, id));
    return row;
  }

  return { requestRows, categoryIdsByCode, activeCategories, activeCategory, activeLocalityId, caseById };
}

export type Open311Repository = ReturnType<typeof createOpen311Repository>;
