import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
/** A component schema of the API by name, e.g. `Schema<'StaffCase'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
/** The problem+json body of every error answer (RFC 9457). */
export type Problem = components['schemas']['Problem'];
export type PaknClient = Client<paths>;

export interface PaknClientOptions {
  /** where pakn answers, e.g. `https://pakn.bacninh.gov.vn` (the `servers` URL of the document) */
  baseUrl: string;
  /** a staff API token (Bearer); omit for the public operations */
  token?: string;
  /** another fetch (a proxy agent, a test); default: the global fetch */
  fetch?: ClientOptions['fetch'];
  /** headers sent with every request */
  headers?: Record<string, string>;
}

/**
 * A typed client of the pakn API: `client.GET('/api/v1/cases/{id}', { params: { path: { id } } })`
 * answers `{ data }` on 2xx and `{ error }` (problem+json) otherwise, with `response` for the
 * status and headers (ETag, Retry-After). Types come from openapi/openapi.json.
 */
export function createPaknClient(opts: PaknClientOptions): PaknClient {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return createClient<paths>({ baseUrl: opts.baseUrl.replace(/\/+$/, ''), headers, fetch: opts.fetch });
}
