import { normalizeLine } from '../../domain/validators.js';
import { z } from 'zod';

/** GeoReport v2 error list: `[{code, description}]` (XML: `<errors><error>…`). */
export const open311Errors = z
  .array(z.object({ code: z.number().int(), description: z.string() }))
  .meta({ id: 'Open311Errors', description: 'GeoReport v2 errors; the same list as <errors><error><code/><description/></error></errors> in XML' });

export const formatParam = z.object({ format: z.string().describe('json or xml') });

export const discoverySchema = z
  .object({
    changeset: z.string(),
    contact: z.string(),
    key_service: z.string(),
    endpoints: z.array(
      z.object({
        specification: z.string(),
        url: z.string(),
        changeset: z.string(),
        type: z.string(),
        formats: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'Open311Discovery' });

export const serviceSchema = z
  .object({
    service_code: z.string(),
    service_name: z.string(),
    description: z.string(),
    metadata: z.boolean(),
    type: z.enum(['realtime', 'batch', 'blackbox']),
    keywords: z.string(),
    group: z.string(),
  })
  .meta({ id: 'Open311Service' });

export const serviceDefinitionSchema = z
  .object({
    service_code: z.string(),
    attributes: z.array(
      z.object({
        variable: z.boolean(),
        code: z.string(),
        datatype: z.string(),
        required: z.boolean(),
        datatype_description: z.string().nullable(),
        order: z.number().int(),
        description: z.string(),
        values: z.array(z.object({ key: z.string(), name: z.string() })),
      }),
    ),
  })
  .meta({ id: 'Open311ServiceDefinition' });

const datetime = z.string().describe('ISO 8601 with the +07:00 offset');

export const requestSchema = z
  .object({
    service_request_id: z.string().describe('the tracking code PAKN.YYYYMMDD.NNNN'),
    status: z.enum(['open', 'closed']),
    status_notes: z.string().nullable().describe('given only to the client app that filed the request'),
    service_name: z.string().nullable(),
    service_code: z.string().nullable(),
    description: z.string().nullable().describe('given only to the client app that filed the request'),
    agency_responsible: z.string().nullable(),
    service_notice: z.string().nullable(),
    requested_datetime: datetime,
    updated_datetime: datetime,
    expected_datetime: datetime.describe(
      'the current resolution deadline; for a khiếu nại or tố cáo not accepted yet, the provisional latest one (service_notice says so; extended_attributes.expected_datetime_provisional)',
    ),
    address: z.string().nullable(),
    address_id: z.string().nullable().describe('locality code'),
    zipcode: z.string().nullable(),
    lat: z.number().nullable(),
    long: z.number().nullable(),
    media_url: z.string().nullable().describe('the media_url given when filing, as given (never fetched); only to the client app that filed the request'),
    extended_attributes: z
      .object({
        detailed_status: z.string(),
        kind: z.string(),
        channel: z.string(),
        outcome: z.string().nullable(),
        resolved_datetime: z.string().nullable(),
        closed_datetime: z.string().nullable(),
        extensions_used: z.number().int(),
        expected_datetime_provisional: z
          .boolean()
          .describe('true: expected_datetime is provisional (the resolution period of khiếu nại and tố cáo counts from acceptance, not done yet)'),
      })
      .optional()
      .describe('with extensions=true'),
    notes: z
      .array(z.object({ type: z.string(), summary: z.string(), datetime }))
      .optional()
      .describe('with extensions=true: the public timeline (empty for requests filed by another app)'),
  })
  .meta({ id: 'Open311Request' });

export const requestList = z.array(requestSchema);

export const postResponse = z
  .array(z.object({ service_request_id: z.string(), service_notice: z.string(), account_id: z.string().nullable() }))
  .meta({ id: 'Open311RequestCreated' });

const field = (d: string) => z.string().optional().describe(d);
const num = (d: string) => z.union([z.string(), z.number()]).optional().describe(d);

/** POST requests body: form-encoded as the specification says (JSON is accepted too). */
export const postBody = z
  .looseObject({
    api_key: field('key issued to the client app (also accepted in the query string)'),
    jurisdiction_id: field('accepted and ignored: one jurisdiction'),
    service_code: field('required: a service_code from services.json'),
    description: field('required: the case content; its first line (≤ 100 characters) becomes the title'),
    lat: num('latitude (WGS84); with long'),
    long: num('longitude (WGS84); with lat'),
    address_string: field('address of the issue'),
    address_id: field('locality code (see /api/v1/public/localities)'),
    email: field('submitter e-mail: the receipt with the access key is sent there'),
    device_id: field('accepted, not stored'),
    account_id: field('echoed in the answer, not stored'),
    first_name: field('given name of the contact person'),
    last_name: field('family name of the contact person'),
    phone: field('Vietnamese phone number'),
    media_url: field('http(s) link to a photo (at most 2000 characters; never fetched): returned in media_url and appended to the content'),
    business_name: field('pakn extension: business name'),
    tax_code: field('pakn extension: tax code (mã số thuế), check digit verified'),
    kind: field('pakn extension: phan_anh (default), kien_nghi, to_cao, khieu_nai'),
    locality: field('pakn extension: locality code (same as address_id)'),
    consent_publish_name: field('pakn extension: true if the business name may appear in publications'),
  })
  .describe('Also attribute[code]=value (attribute[code][]=value for multivaluelist) for the service attributes');

/** A key the specification lets a client repeat: `?k=a,b`, `?k=a&k=b`, or both; their union. */
const repeatable = (d: string) => z.union([z.string(), z.array(z.string())]).optional().describe(d);

export const listQuery = z.object({
  service_request_id: repeatable('tracking codes, comma-separated and/or repeated (at most 1000); overrides every other argument'),
  service_code: repeatable('service codes, comma-separated and/or repeated'),
  start_date: field('earliest requested_datetime (W3C datetime)'),
  end_date: field('latest requested_datetime; at most 90 days after start_date'),
  status: repeatable('open, closed, or both (comma-separated and/or repeated)'),
  extensions: field('true: adds extended_attributes and notes (the public timeline)'),
  jurisdiction_id: field('accepted and ignored'),
  api_key: field('required: the key issued to your app; it reads its own requests in full, of the others status, agency and deadline'),
});

export const oneQuery = listQuery.pick({ extensions: true, jurisdiction_id: true, api_key: true });

export const fileParam = z.object({ file: z.string().describe('service_code or service_request_id followed by .json or .xml') });

// ---- admin: client apps

export const apiClientSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string(),
    active: z.boolean(),
    createdAt: z.date(),
    lastUsedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiClient' });

export const apiClientInput = z.object({ name: z.string().overwrite(normalizeLine).min(1).max(200) });

export const apiClientCreated = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string(),
    active: z.boolean(),
    createdAt: z.date(),
    apiKey: z.string().describe('the api_key: shown once, only its hash is stored'),
  })
  .meta({ id: 'ApiClientCreated' });
