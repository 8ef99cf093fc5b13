/**
 * Open311 service requests: POST (a GeoReport v2 request filed as a case, through intake) and
 * GET (a client app's view of the requests it may read, each through the disclosure rule).
 */
import { and, eq, gte, inArray, lte, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { cases, type categories } from '../../db/schema.js';
import { DAY_MS } from '../../domain/calendar.js';
import { disclose } from '../../domain/disclosure.js';
import { CASE_KINDS, type CaseKind } from '../../domain/sla.js';
import { isValidEmail, normalizePhone, parseTrackingCode, taxCodeError } from '../../domain/validators.js';
import type { Clock } from '../../lib/clock.js';
import { NotFound, type FieldError } from '../../lib/errors.js';
import type { ClockService } from '../clock/service.js';
import type { IntakeService } from '../intake/service.js';
import type { ChainSealer } from '../timeline/repository.js';
import type { ApiClient } from './api-clients.js';
import { OPEN311_CLOSED_STATUSES, OPEN311_OPEN_STATUSES, serviceNotice, toOpen311Request, type Open311Request } from './map.js';
import { attributeValues, badRequest, BOOL_FALSE, BOOL_TRUE, parseW3cDatetime, splitList, str, text, titleFrom, validateAttributes, type Body, type CategoryAttribute, type Repeatable } from './parse.js';
import type { Open311Repository } from './repository.js';

/** At most this many requests in one GET requests answer (the newest first). */
export const MAX_REQUESTS_PAGE = 1000;
/** start_date … end_date may span at most this many days, and the default window is this long. */
export const MAX_RANGE_DAYS = 90;
/** service_request_id may list at most this many codes (the specification's 1000 requests). */
export const MAX_REQUEST_IDS = 1000;
export const MAX_DESCRIPTION = 10_000;

export interface ListRequestsQuery {
  service_request_id?: Repeatable;
  service_code?: Repeatable;
  start_date?: string;
  end_date?: string;
  status?: Repeatable;
  extensions?: boolean;
}

export interface RequestsDeps {
  repo: Pick<Open311Repository, 'requestRows' | 'categoryIdsByCode' | 'activeCategory' | 'activeLocalityId' | 'caseById'>;
  clock: Clock;
  /** every case comes in through intake */
  intake: Pick<IntakeService, 'createCase'>;
  chain: Pick<ChainSealer, 'sealPending'>;
  /** on PGlite the clock's reference data is read before the case's transaction */
  clockService: Pick<ClockService, 'invalidate' | 'calendar' | 'policies' | 'rules'>;
  dbKind: Database['kind'];
}

export function createRequestsService(deps: RequestsDeps) {
  const { repo, clock } = deps;

  /**
   * Files a case from a GeoReport v2 POST (form fields as the specification names them plus
   * pakn's documented extensions). Every field error is reported at once; nothing is written
   * unless all are right.
   */
  async function createRequest(body: Body, client: ApiClient) {
    const errors: FieldError[] = [];
    const err = (path: string, message: string) => errors.push({ path, message });

    const serviceCode = text(body, 'service_code');
    let category: typeof categories.$inferSelect | undefined;
    if (!serviceCode) err('service_code', 'is required');
    else {
      category = await repo.activeCategory(serviceCode);
      // the specification's "Possible Errors": 404 for a service_code that does not exist
      if (!category) throw new NotFound(`service_code ${serviceCode.slice(0, 64)} was not found (see services.json)`);
    }

    const description = text(body, 'description');
    if (!description) err('description', 'is required');
    else if (description.length > MAX_DESCRIPTION) err('description', `must be at most ${MAX_DESCRIPTION} characters`);

    // location: lat+long, address_string, address_id (= locality code) or the locality extension
    const latS = str(body.lat)?.trim() || undefined;
    const longS = str(body.long)?.trim() || undefined;
    let lat: number | null = null;
    let long: number | null = null;
    if (latS !== undefined || longS !== undefined) {
      if (latS === undefined) err('lat', 'is required with long');
      if (longS === undefined) err('long', 'is required with lat');
      if (latS !== undefined) {
        const v = /^[+-]?\d+(\.\d+)?$/.test(latS) ? Number(latS) : NaN;
        if (!Number.isFinite(v) || v < -90 || v > 90) err('lat', 'must be a decimal latitude between -90 and 90 (WGS84)');
        else lat = v;
      }
      if (longS !== undefined) {
        const v = /^[+-]?\d+(\.\d+)?$/.test(longS) ? Number(longS) : NaN;
        if (!Number.isFinite(v) || v < -180 || v > 180) err('long', 'must be a decimal longitude between -180 and 180 (WGS84)');
        else long = v;
      }
    }
    const address = text(body, 'address_string');
    if (address && address.length > 500) err('address_string', 'must be at most 500 characters');
    const addressId = text(body, 'address_id');
    const localityCode = text(body, 'locality');
    if (addressId && localityCode && addressId !== localityCode) err('locality', 'differs from address_id; give one of them');
    const locCode = addressId ?? localityCode;
    let localityId: number | null = null;
    if (locCode) {
      const id = await repo.activeLocalityId(locCode);
      if (id === undefined) err(addressId ? 'address_id' : 'locality', `${locCode.slice(0, 64)} is not a known locality code (see /api/v1/public/localities)`);
      else localityId = id;
    }
    if (latS === undefined && longS === undefined && !address && !locCode) {
      err('lat', 'a location is required: lat and long, address_string, or address_id');
    }

    // submitter
    const email = text(body, 'email');
    if (email && !isValidEmail(email)) err('email', 'is not a valid e-mail address');
    const phoneRaw = text(body, 'phone');
    let phone: string | null = null;
    if (phoneRaw) {
      phone = normalizePhone(phoneRaw);
      if (!phone) err('phone', 'is not a Vietnamese phone number (e.g. 0912345678, +84 912 345 678, 0222 3822 123)');
    }
    const firstName = text(body, 'first_name');
    const lastName = text(body, 'last_name');
    if (firstName && firstName.length > 100) err('first_name', 'must be at most 100 characters');
    if (lastName && lastName.length > 100) err('last_name', 'must be at most 100 characters');
    const accountId = text(body, 'account_id');
    if (accountId && accountId.length > 200) err('account_id', 'must be at most 200 characters');
    const deviceId = text(body, 'device_id');
    if (deviceId && deviceId.length > 200) err('device_id', 'must be at most 200 characters');
    const businessName = text(body, 'business_name');
    if (businessName && businessName.length > 300) err('business_name', 'must be at most 300 characters');
    const taxCode = text(body, 'tax_code');
    if (taxCode) {
      const e = taxCodeError(taxCode);
      if (e) err('tax_code', e);
    }
    const kindS = text(body, 'kind') ?? 'phan_anh';
    if (!(CASE_KINDS as string[]).includes(kindS)) err('kind', `must be one of ${CASE_KINDS.join(', ')}`);
    const consentS = (text(body, 'consent_publish_name') ?? 'false').toLowerCase();
    if (!BOOL_TRUE.includes(consentS) && !BOOL_FALSE.includes(consentS)) err('consent_publish_name', 'must be true or false');
    const mediaUrl = text(body, 'media_url');
    if (mediaUrl) {
      let ok = mediaUrl.length <= 2000;
      try {
        ok = ok && ['http:', 'https:'].includes(new URL(mediaUrl).protocol);
      } catch {
        ok = false;
      }
      if (!ok) err('media_url', 'must be an http(s) URL of at most 2000 characters');
    }

    const attrLines = category ? validateAttributes((category.attributes ?? []) as CategoryAttribute[], attributeValues(body), errors) : [];
    if (errors.length > 0) throw badRequest(errors);

    let content = description!;
    if (attrLines.length > 0) content += `\n\nThông tin bổ sung:\n${attrLines.map((l) => `- ${l.label}: ${l.value}`).join('\n')}`;
    if (mediaUrl) content += `\n\nẢnh/tệp minh họa: ${mediaUrl}`;
    if (content.length > MAX_DESCRIPTION + 6000) throw badRequest([{ path: 'description', message: 'is too long with its attributes' }]);
    const contactName = [lastName, firstName].filter(Boolean).join(' ') || null;

    const now = clock.now();
    if (deps.dbKind === 'pglite') {
      // PGlite has one connection: the clock's reference data must be read before the case's
      // transaction, not from inside it (a cold or just-expired cache would read through `db`).
      const cs = deps.clockService;
      cs.invalidate();
      await Promise.all([cs.calendar(), cs.policies(), cs.rules()]);
    }
    const created = await deps.intake.createCase(
      {
        kind: kindS as CaseKind,
        categoryId: category!.id,
        localityId,
        title: titleFrom(description!),
        content,
        businessName: businessName ?? null,
        taxCode: taxCode ?? null,
        contactName,
        phone,
        email: email ?? null,
        consentPublishName: BOOL_TRUE.includes(consentS),
        address: address ?? null,
        lat,
        long,
        channel: 'open311',
        receivedAt: now,
        clientId: client.id,
        mediaUrl: mediaUrl ?? null,
      },
      undefined,
      now,
    );
    // answered once the case's first events have their place in the chain
    await deps.chain.sealPending();
    const row = await repo.caseById(created.id);
    return {
      service_request_id: created.trackingCode,
      service_notice: serviceNotice(row),
      account_id: accountId ?? null,
    };
  }

  /** The requests matching `where` that `viewer` may read, each under its disclosure decision (own request or another app's). */
  async function load(where: SQL | undefined, limit: number, viewer: ApiClient, extensions: boolean): Promise<Open311Request[]> {
    const { rows, notes } = await repo.requestRows(where, limit, viewer, extensions);
    return rows.map((row) => toOpen311Request(row, disclose(row.c, { kind: 'open311', own: row.c.clientId === viewer.id }), { extensions, notes: notes.get(row.c.id) }));
  }

  async function listRequests(q: ListRequestsQuery, viewer: ApiClient): Promise<Open311Request[]> {
    const errors: FieldError[] = [];
    const ids = splitList(q.service_request_id);
    if (ids.length > 0) {
      // the specification: service_request_id overrides every other argument
      if (ids.length > MAX_REQUEST_IDS) throw badRequest([{ path: 'service_request_id', message: `at most ${MAX_REQUEST_IDS} codes at once` }]);
      const bad = ids.find((id) => !parseTrackingCode(id));
      if (bad) throw badRequest([{ path: 'service_request_id', message: `${bad.slice(0, 40)} is not a service_request_id (PAKN.YYYYMMDD.NNNN)` }]);
      // one indexed lookup (cases.tracking_code is unique), notes for all of them in one more query
      const codes = [...new Set(ids.map((id) => id.toUpperCase()))];
      return load(inArray(cases.trackingCode, codes), MAX_REQUEST_IDS, viewer, q.extensions ?? false);
    }

    const now = clock.now();
    let start: Date | null = null;
    let end: Date | null = null;
    if (q.start_date !== undefined && q.start_date !== '') {
      start = parseW3cDatetime(q.start_date)?.at ?? null;
      if (!start) errors.push({ path: 'start_date', message: 'must be a W3C datetime with a time zone, e.g. 2026-03-01T00:00:00+07:00' });
    }
    if (q.end_date !== undefined && q.end_date !== '') {
      // a date alone ends with that day
      const e = parseW3cDatetime(q.end_date);
      end = e ? (e.dateOnly ? new Date(e.at.getTime() + DAY_MS - 1) : e.at) : null;
      if (!end) errors.push({ path: 'end_date', message: 'must be a W3C datetime with a time zone, e.g. 2026-03-31T23:59:59+07:00' });
    }
    const statusList = splitList(q.status).map((s) => s.toLowerCase());
    const badStatus = statusList.find((s) => s !== 'open' && s !== 'closed');
    if (badStatus) errors.push({ path: 'status', message: 'must be open, closed, or both comma-separated' });
    if (errors.length > 0) throw badRequest(errors);

    const span = MAX_RANGE_DAYS * DAY_MS;
    if (start && end) {
      if (end < start) throw badRequest([{ path: 'end_date', message: 'must not be before start_date' }]);
      if (end.getTime() - start.getTime() > span) throw badRequest([{ path: 'end_date', message: `start_date … end_date may span at most ${MAX_RANGE_DAYS} days` }]);
    } else if (start) end = new Date(start.getTime() + span);
    else if (end) start = new Date(end.getTime() - span);
    else {
      end = now;
      start = new Date(now.getTime() - span);
    }

    const conds: SQL[] = [gte(cases.receivedAt, start!), lte(cases.receivedAt, end!)];
    const serviceCodes = splitList(q.service_code);
    if (serviceCodes.length > 0) {
      const catIds = await repo.categoryIdsByCode(serviceCodes);
      if (catIds.length === 0) return [];
      conds.push(inArray(cases.categoryId, catIds));
    }
    const wanted = new Set(statusList);
    if (wanted.size === 1) {
      conds.push(inArray(cases.status, [...(wanted.has('open') ? OPEN311_OPEN_STATUSES : OPEN311_CLOSED_STATUSES)]));
    }
    return load(and(...conds), MAX_REQUESTS_PAGE, viewer, q.extensions ?? false);
  }

  async function getRequest(id: string, viewer: ApiClient, extensions: boolean): Promise<Open311Request[]> {
    if (!parseTrackingCode(id)) throw new NotFound(`service_request_id ${id.slice(0, 40)} not found`);
    const r = await load(eq(cases.trackingCode, id.trim().toUpperCase()), 1, viewer, extensions);
    if (r.length === 0) throw new NotFound(`service_request_id ${id.slice(0, 40)} not found`);
    return r;
  }

  return { createRequest, listRequests, getRequest };
}
