import { and, asc, desc, eq, gte, inArray, isNotNull, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { agencies, apiClients, caseEvents, cases, categories, localities } from '../../db/schema.js';
import { DAY_MS, toLocalIso } from '../../domain/calendar.js';
import { ACCESS_KEY_REISSUE, disclose, discloseText, NOT_LISTED_TO_OTHER_APPS } from '../../domain/disclosure.js';
import { fmtDateTime } from '../notifications/templates.js';
import { isOpenStatus, OPEN_STATUSES, type CaseStatus } from '../../domain/lifecycle.js';
import { CASE_KINDS, describeDuration, type CaseKind, type SlaPolicy } from '../../domain/sla.js';
import { isValidEmail, normalizeLine, normalizePhone, normalizeText, parseTrackingCode, taxCodeError } from '../../domain/validators.js';
import type { Clock } from '../../lib/clock.js';
import { randomSecret, sha256Hex } from '../../lib/crypto.js';
import { BadRequest, NotFound, type FieldError } from '../../lib/errors.js';
import type { ClockService } from '../clock/service.js';
import type { IntakeService } from '../intake/service.js';
import { isProvisional } from '../cases/deadlines.js';
import type { ChainSealer } from '../timeline/repository.js';

/** The GeoReport v2 specification this endpoint implements. */
export const GEOREPORT_SPEC = 'http://wiki.open311.org/GeoReport_v2';
/** When the endpoint's behaviour last changed (discovery `changeset`). */
export const OPEN311_CHANGESET = '2026-03-01T00:00:00+07:00';
/** At most this many requests in one GET requests answer (the newest first). */
export const MAX_REQUESTS_PAGE = 1000;
/** start_date … end_date may span at most this many days, and the default window is this long. */
export const MAX_RANGE_DAYS = 90;
/** service_request_id may list at most this many codes (the specification's 1000 requests). */
export const MAX_REQUEST_IDS = 1000;
export const MAX_DESCRIPTION = 10_000;
export const TITLE_MAX = 100;

/** open = still being handled; closed = answered (resolved), closed, rejected or withdrawn. */
export const OPEN311_OPEN_STATUSES: readonly string[] = OPEN_STATUSES;
export const OPEN311_CLOSED_STATUSES: readonly string[] = ['resolved', 'closed', 'rejected', 'withdrawn'];
export const open311Status = (status: string): 'open' | 'closed' => (OPEN311_OPEN_STATUSES.includes(status) ? 'open' : 'closed');

/** Key issued to a client application; only its hash is stored. */
const API_KEY_PREFIX = 'o311_';
const LAST_USED_RESOLUTION_MS = 60_000;

const KIND_GROUP_VI: Record<CaseKind, string> = {
  phan_anh: 'Phản ánh, kiến nghị',
  kien_nghi: 'Phản ánh, kiến nghị',
  to_cao: 'Tố cáo',
  khieu_nai: 'Khiếu nại',
};

/** Category attribute as admin stores it (src/features/reference/schemas.ts categoryInput). */
export interface CategoryAttribute {
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required?: boolean;
  description: string;
  order?: number;
  values?: Array<{ key: string; name: string }>;
}

export interface ApiClient {
  id: number;
  name: string;
}

/** One service request as GeoReport v2 shows it (field order as in the specification). */
export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  extended_attributes?: {
    detailed_status: string;
    kind: string;
    channel: string;
    outcome: string | null;
    resolved_datetime: string | null;
    closed_datetime: string | null;
    extensions_used: number;
    /** expected_datetime is the provisional latest deadline (khiếu nại, tố cáo not accepted yet) */
    expected_datetime_provisional: boolean;
  };
  notes?: Array<{ type: string; summary: string; datetime: string }>;
}

/** A repeatable query argument: `?k=a,b`, `?k=a&k=b` or both. */
export type Repeatable = string | string[];

export interface ListRequestsQuery {
  service_request_id?: Repeatable;
  service_code?: Repeatable;
  start_date?: string;
  end_date?: string;
  status?: Repeatable;
  extensions?: boolean;
}

// ------------------------------------------------------------------ formatting

/** "17:00 ngày 05/03/2026" in Asia/Ho_Chi_Minh: the e-mails' format */
const formatDeadlineVi = fmtDateTime;

const dayVi = (t: Date) => formatDeadlineVi(t).slice(-10);

/** The plain-words promise (or outcome) a client app shows the person who filed the request. */
export function serviceNotice(c: {
  status: string;
  resolveDueAt: Date;
  slaPolicy: Record<string, unknown>;
  firstAcceptedAt: Date | null;
  extensionsUsed: number;
  resolvedAt: Date | null;
  closedAt: Date | null;
  updatedAt: Date;
}): string {
  switch (c.status) {
    case 'awaiting_business':
      return 'Cơ quan có thẩm quyền đang chờ doanh nghiệp bổ sung thông tin; thời hạn trả lời tạm dừng cho đến khi nhận được thông tin bổ sung.';
    case 'resolved':
      return `Đã có văn bản trả lời ngày ${dayVi(c.resolvedAt ?? c.updatedAt)}. Doanh nghiệp có thể phản hồi nếu chưa đồng ý trong 7 ngày.`;
    case 'closed':
      return c.resolvedAt ? `Đã trả lời ngày ${dayVi(c.resolvedAt)}; hồ sơ đã đóng.` : `Hồ sơ đã đóng ngày ${dayVi(c.closedAt ?? c.updatedAt)}.`;
    case 'rejected':
      return 'Không thụ lý; lý do được nêu trong ghi chú (status_notes).';
    case 'withdrawn':
      return 'Doanh nghiệp đã rút phản ánh, kiến nghị.';
    default: {
      const policy = c.slaPolicy as unknown as SlaPolicy;
      const within = policy?.resolveWithin ? describeDuration(policy.resolveWithin) : null;
      const extra = c.extensionsUsed > 0 ? ', đã gia hạn' : '';
      if (isProvisional(c)) {
        return `Cơ quan có thẩm quyền sẽ trả lời muộn nhất trước ${formatDeadlineVi(c.resolveDueAt)} (hạn tạm tính: ${within ?? 'thời hạn giải quyết'} kể từ ngày thụ lý; hạn chính thức được tính khi hồ sơ được thụ lý).`;
      }
      return `Cơ quan có thẩm quyền sẽ trả lời trước ${formatDeadlineVi(c.resolveDueAt)}${within ? ` (${within}${extra})` : ''}.`;
    }
  }
}

/** First line of the description, at most TITLE_MAX characters (cut at a word, with an ellipsis). */
export function titleFrom(description: string): string {
  const first = description.split('\n').find((l) => l.trim() !== '')?.trim() ?? description.trim();
  if (first.length <= TITLE_MAX) return first;
  const cut = first.slice(0, TITLE_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

// ------------------------------------------------------------------ input parsing

type Body = Record<string, unknown>;

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? str(v[v.length - 1]) : undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'string' ? v : undefined;
}

/**
 * A text field: undefined when absent or blank, normalised (NFC, no control characters) otherwise;
 * every field but the description is one line (no bidi or invisible characters either).
 */
function text(body: Body, key: string): string | undefined {
  const s = str(body[key]);
  if (s === undefined) return undefined;
  const n = key === 'description' ? normalizeText(s) : normalizeLine(s);
  return n === '' ? undefined : n;
}

const BOOL_TRUE = ['true', '1', 'yes', 'on'];
const BOOL_FALSE = ['false', '0', 'no', 'off', ''];

/** attribute[code]=v, attribute[code][]=v (repeated), or a JSON object {attribute: {code: v}} */
function attributeValues(body: Body): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (code: string, v: unknown) => {
    const list = out.get(code) ?? [];
    for (const x of Array.isArray(v) ? v : [v]) {
      const s = str(x);
      if (s !== undefined && s.trim() !== '') list.push(normalizeText(s));
    }
    out.set(code, list);
  };
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[([^\]]+)\](?:\[\])?$/.exec(k);
    if (m) add(m[1], v);
  }
  const nested = body.attribute;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    for (const [k, v] of Object.entries(nested as Record<string, unknown>)) add(k, v);
  }
  return out;
}

/**
 * Parses a W3C datetime: with Z or an offset; a date alone or a time without offset is read in
 * Asia/Ho_Chi_Minh. `dateOnly` tells that no time was given.
 */
export function parseW3cDatetime(s: string): { at: Date; dateOnly: boolean } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi = '00', sec = '00', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(y), month, 0)).getUTCDate()) return null;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)) return null;
  let offset = '+07:00';
  if (zone === 'Z') offset = 'Z';
  else if (zone) {
    offset = zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    if (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(4, 6)) > 59) return null;
  }
  const at = new Date(`${y}-${mo}-${d}T${h ?? '00'}:${mi}:${sec}${frac.slice(0, 4)}${offset}`);
  return Number.isNaN(at.getTime()) ? null : { at, dateOnly: h === undefined };
}

function validateAttributes(defs: CategoryAttribute[], given: Map<string, string[]>, errors: FieldError[]): Array<{ label: string; value: string }> {
  const lines: Array<{ label: string; value: string }> = [];
  const byCode = new Map(defs.map((a) => [a.code, a]));
  for (const [code, vals] of given) {
    if (!byCode.has(code) && vals.length > 0) errors.push({ path: `attribute[${code.slice(0, 64)}]`, message: 'this service has no such attribute' });
  }
  const ordered = [...defs].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  for (const a of ordered) {
    const path = `attribute[${a.code}]`;
    const vals = given.get(a.code) ?? [];
    if (vals.length === 0) {
      if (a.required) errors.push({ path, message: 'is required for this service' });
      continue;
    }
    if (a.datatype !== 'multivaluelist' && vals.length > 1) {
      errors.push({ path, message: 'takes one value' });
      continue;
    }
    const v = vals[0];
    switch (a.datatype) {
      case 'number':
        if (!/^-?\d+(?:[.,]\d+)?$/.test(v)) errors.push({ path, message: 'must be a number' });
        else lines.push({ label: a.description, value: v });
        break;
      case 'datetime': {
        const t = parseW3cDatetime(v);
        if (!t) errors.push({ path, message: 'must be an ISO 8601 date or datetime' });
        else lines.push({ label: a.description, value: t.dateOnly ? dayVi(t.at) : formatDeadlineVi(t.at) });
        break;
      }
      case 'singlevaluelist':
      case 'multivaluelist': {
        const names: string[] = [];
        for (const x of vals) {
          const opt = (a.values ?? []).find((o) => o.key === x);
          if (!opt) {
            errors.push({ path, message: `"${x.slice(0, 50)}" is not one of ${(a.values ?? []).map((o) => o.key).join(', ')}` });
          } else names.push(opt.name);
        }
        if (names.length === vals.length) lines.push({ label: a.description, value: names.join('; ') });
        break;
      }
      default: {
        const max = a.datatype === 'text' ? 4000 : 500;
        if (v.length > max) errors.push({ path, message: `must be at most ${max} characters` });
        else lines.push({ label: a.description, value: v });
      }
    }
  }
  return lines;
}

function badRequest(errors: FieldError[]): BadRequest {
  return new BadRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}

// ------------------------------------------------------------------ the service

export interface Open311Deps {
  db: Db;
  clock: Clock;
  /** every case comes in through intake */
  intake: Pick<IntakeService, 'createCase'>;
  /** on PGlite the clock's reference data is read before the case's transaction */
  clockService: Pick<ClockService, 'invalidate' | 'calendar' | 'policies' | 'rules'>;
  dbKind: 'pg' | 'pglite';
  chain: ChainSealer;
  baseUrl: string;
  contact: string;
}

export function createOpen311Service(deps: Open311Deps) {
  const { db, clock } = deps;

  // ---------------------------------------------------------------- client apps and keys

  async function listClients() {
    return db
      .select({ id: apiClients.id, name: apiClients.name, prefix: apiClients.prefix, active: apiClients.active, createdAt: apiClients.createdAt, lastUsedAt: apiClients.lastUsedAt })
      .from(apiClients)
      .orderBy(asc(apiClients.id));
  }

  /** Issues a client app and its api_key: the key is returned once, only its hash is kept. */
  async function createClient(name: string) {
    const apiKey = randomSecret(API_KEY_PREFIX, 32);
    const prefix = apiKey.slice(0, 10);
    const [row] = await db
      .insert(apiClients)
      .values({ name, keyHash: sha256Hex(apiKey), prefix, active: true, createdAt: clock.now() })
      .returning();
    return { id: row.id, name: row.name, prefix, apiKey, active: row.active, createdAt: row.createdAt };
  }

  /** Deactivates a client app: its key stops working at once; its cases keep their link to it. */
  async function deactivateClient(id: number): Promise<void> {
    const r = await db.update(apiClients).set({ active: false }).where(eq(apiClients.id, id)).returning({ id: apiClients.id });
    if (r.length === 0) throw new NotFound(`API client ${id} does not exist`);
  }

  /** The active client app holding this key, or null. */
  async function authenticateKey(key: string | undefined): Promise<ApiClient | null> {
    if (!key || key.length > 200) return null;
    const [row] = await db
      .select({ id: apiClients.id, name: apiClients.name, lastUsedAt: apiClients.lastUsedAt })
      .from(apiClients)
      .where(and(eq(apiClients.keyHash, sha256Hex(key)), eq(apiClients.active, true)))
      .limit(1);
    if (!row) return null;
    const now = clock.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await db.update(apiClients).set({ lastUsedAt: now }).where(eq(apiClients.id, row.id));
    }
    return { id: row.id, name: row.name };
  }

  // ---------------------------------------------------------------- discovery and services

  function discovery() {
    return {
      changeset: OPEN311_CHANGESET,
      contact: deps.contact,
      key_service: `Khóa api_key do quản trị hệ thống cấp cho từng ứng dụng (${deps.baseUrl}/api/v1/admin/api-clients).`,
      endpoints: [
        {
          specification: GEOREPORT_SPEC,
          url: `${deps.baseUrl}/open311/v2`,
          changeset: OPEN311_CHANGESET,
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    };
  }

  async function listServices() {
    const rows = await db.select().from(categories).where(eq(categories.active, true)).orderBy(asc(categories.id));
    return rows.map((c) => ({
      service_code: c.code,
      service_name: c.name,
      description: c.description ?? '',
      metadata: (c.attributes ?? []).length > 0,
      type: 'realtime' as const,
      keywords: (c.description ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .join(','),
      group: KIND_GROUP_VI.phan_anh,
    }));
  }

  async function serviceDefinition(code: string) {
    const [c] = await db.select().from(categories).where(and(eq(categories.code, code), eq(categories.active, true)));
    if (!c) throw new NotFound(`service_code ${code} not found`);
    const attrs = (c.attributes ?? []) as CategoryAttribute[];
    return {
      service_code: c.code,
      attributes: attrs
        .map((a, i) => ({ a, order: a.order ?? i + 1 }))
        .sort((x, y) => x.order - y.order)
        .map(({ a, order }) => ({
          variable: true,
          code: a.code,
          datatype: a.datatype,
          required: a.required ?? false,
          datatype_description:
            a.datatype === 'datetime'
              ? 'ISO 8601, ví dụ 2026-03-02T09:00:00+07:00'
              : a.datatype === 'number'
                ? 'Số, ví dụ 12 hoặc 12.5'
                : a.datatype === 'multivaluelist'
                  ? 'Một hoặc nhiều khóa (key) trong danh sách'
                  : a.datatype === 'singlevaluelist'
                    ? 'Một khóa (key) trong danh sách'
                    : null,
          order,
          description: a.description,
          values: (a.values ?? []).map((v) => ({ key: v.key, name: v.name })),
        })),
    };
  }

  // ---------------------------------------------------------------- POST requests

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
      [category] = await db.select().from(categories).where(and(eq(categories.code, serviceCode), eq(categories.active, true)));
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
      const [loc] = await db.select({ id: localities.id }).from(localities).where(and(eq(localities.code, locCode), eq(localities.active, true)));
      if (!loc) err(addressId ? 'address_id' : 'locality', `${locCode.slice(0, 64)} is not a known locality code (see /api/v1/public/localities)`);
      else localityId = loc.id;
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
    const [row] = await db.select().from(cases).where(eq(cases.id, created.id));
    return {
      service_request_id: created.trackingCode,
      service_notice: serviceNotice(row),
      account_id: accountId ?? null,
    };
  }

  // ---------------------------------------------------------------- GET requests

  const statusNote = sql<string | null>`(select e.public_text from ${caseEvents} e where e.case_id = ${cases.id} and e.public_text is not null and e.action <> ${ACCESS_KEY_REISSUE} order by e.id desc limit 1)`;

  /**
   * What `viewer` may read: every request it filed, and of the others those listed to other apps
   * (not confidential, not tố cáo or khiếu nại: NOT_LISTED_TO_OTHER_APPS).
   */
  const readableBy = (viewer: ApiClient): SQL =>
    or(eq(cases.clientId, viewer.id), and(eq(cases.confidential, false), notInArray(cases.kind, [...NOT_LISTED_TO_OTHER_APPS])))!;

  async function load(where: SQL | undefined, limit: number, viewer: ApiClient, extensions: boolean): Promise<Open311Request[]> {
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
    const notes = new Map<number, Array<{ type: string; summary: string; datetime: string }>>();
    // the public timeline is free text: only for the requests the viewer filed itself
    const ownIds = rows.filter((r) => r.c.clientId === viewer.id).map((r) => r.c.id);
    if (extensions && ownIds.length > 0) {
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
    return rows.map(({ c, agencyName, categoryCode, categoryName, localityCode, lastPublicText }) => {
      const d = disclose(c, { kind: 'open311', own: c.clientId === viewer.id });
      const who = { businessName: c.businessName, contactName: c.contactName, taxCode: c.taxCode, phone: c.phone, email: c.email, consentPublishName: c.consentPublishName, confidential: c.confidential };
      const showLocation = d.location === 'full';
      const r: Open311Request = {
        service_request_id: c.trackingCode,
        status: open311Status(c.status),
        status_notes: discloseText(d, c.lastPublicNote ?? lastPublicText ?? null, who),
        service_name: categoryName ?? null,
        service_code: categoryCode ?? null,
        description: discloseText(d, c.content, who),
        agency_responsible: agencyName ?? null,
        service_notice: serviceNotice(c),
        requested_datetime: toLocalIso(c.receivedAt),
        updated_datetime: toLocalIso(c.updatedAt),
        expected_datetime: toLocalIso(c.resolveDueAt),
        address: showLocation ? c.address : null,
        address_id: showLocation ? (localityCode ?? null) : null,
        zipcode: null,
        lat: showLocation ? c.lat : null,
        long: showLocation ? c.long : null,
        // the filing app's own submission, as description: only that app sees it (never a masked URL)
        media_url: d.text === 'full' ? c.mediaUrl : null,
      };
      if (extensions) {
        r.extended_attributes = {
          detailed_status: c.status,
          kind: c.kind,
          channel: c.channel,
          outcome: c.outcome,
          resolved_datetime: c.resolvedAt ? toLocalIso(c.resolvedAt) : null,
          closed_datetime: c.closedAt ? toLocalIso(c.closedAt) : null,
          extensions_used: c.extensionsUsed,
          expected_datetime_provisional: isOpenStatus(c.status as CaseStatus) && isProvisional(c),
        };
        r.notes = d.text === 'none' ? [] : (notes.get(c.id) ?? []).map((n) => ({ ...n, summary: discloseText(d, n.summary, who) ?? '' }));
      }
      return r;
    });
  }

  /** Repeated keys and comma lists alike: their union, in order, without duplicates. */
  function splitList(v: Repeatable | undefined): string[] {
    const parts = (Array.isArray(v) ? v : [v ?? '']).flatMap((x) => x.split(','));
    return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
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
      const cats = await db.select({ id: categories.id }).from(categories).where(inArray(categories.code, serviceCodes));
      if (cats.length === 0) return [];
      conds.push(inArray(cases.categoryId, cats.map((c) => c.id)));
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

  return {
    listClients,
    createClient,
    deactivateClient,
    authenticateKey,
    discovery,
    listServices,
    serviceDefinition,
    createRequest,
    listRequests,
    getRequest,
  };
}

export type Open311Service = ReturnType<typeof createOpen311Service>;
