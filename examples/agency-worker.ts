/**
 * An agency's worker, to copy: reads the agency's feed, accepts newly assigned cases and prints
 * what is due in the next working days, each deadline explained.
 *
 *   PAKN_URL=https://pakn.example.gov.vn PAKN_TOKEN=<agency staff token> npx tsx examples/agency-worker.ts --once
 *
 * --once        one pass, then exit 0 (without it: poll again and again, backing off while idle)
 * --days N      "due soon" = resolve deadline before the end of the Nth working day (default 3)
 *
 * Rules of the API it follows (docs/api-clients.md):
 * - every change carries the case `version` it was read at; 409 (stale version) = somebody changed
 *   the case since: read it again and decide again;
 * - every change carries an `updateId`; a retry with the same one (after a timeout, a 5xx, a 429)
 *   is answered as the first and applied once;
 * - 429: wait the seconds of `Retry-After`, then send the same request again;
 * - the feed is paged with `nextCursor`; the cursor is kept between polls.
 */
import { pathToFileURL } from 'node:url';
import { createPaknClient, type PaknClient, type Problem, type Schema } from '../clients/typescript/index.js';

type StaffCase = Schema<'StaffCase'>;

export interface WorkerIo {
  client: PaknClient;
  /** the current time (a clock in tests) */
  now: () => Date;
  /** waits; a test passes one that only records */
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

export interface WorkerOptions {
  /** one pass, then return */
  once?: boolean;
  /** working days ahead for "due soon" (default 3) */
  days?: number;
  /** first wait between polls, ms (default 15 s); doubles while nothing comes, up to maxPollMs */
  pollMs?: number;
  /** longest wait between polls, ms (default 5 min) */
  maxPollMs?: number;
  /** stops the polling loop (Ctrl-C) */
  signal?: AbortSignal;
  /** the feed cursor to start from (kept from an earlier run) */
  cursor?: string | null;
}

export interface DueCase {
  id: number;
  trackingCode: string;
  title: string;
  resolveDueAt: string;
  explanation: string;
}

export interface PassResult {
  accepted: Array<{ id: number; trackingCode: string; version: number }>;
  due: DueCase[];
  /** feed items seen in this pass */
  changes: number;
}

export interface WorkerResult {
  agencyId: number;
  cursor: string | null;
  passes: PassResult[];
}

/** A call of the typed client: `{ data }` on 2xx, `{ error }` (problem+json) otherwise. */
type Answer<T> = { data?: T; error?: unknown; response: Response };

const MAX_ATTEMPTS = 6;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
  ) {
    super(`HTTP ${status}: ${problem?.title ?? ''}${problem?.detail ? ` — ${problem.detail}` : ''}`);
  }
}

/** Seconds of a Retry-After header (delta-seconds or an HTTP date), as ms; 60 s when absent. */
export function retryAfterMs(header: string | null, now: Date): number {
  if (header && /^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = header ? Date.parse(header) : NaN;
  return Number.isNaN(at) ? 60_000 : Math.max(0, at - now.getTime());
}

/**
 * Sends a request, waiting `Retry-After` on 429 and backing off on 5xx and network errors, then
 * sending the same request again (the same updateId: applied once).
 */
async function send<T>(io: WorkerIo, what: string, call: () => Promise<Answer<T>>): Promise<Answer<T>> {
  let wait = 1000;
  for (let attempt = 1; ; attempt++) {
    let answer: Answer<T> | undefined;
    try {
      answer = await call();
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS) throw err;
      io.log(`${what}: ${(err as Error).message}; retrying in ${wait / 1000} s`);
    }
    if (answer) {
      const status = answer.response.status;
      if (status === 429 && attempt < MAX_ATTEMPTS) {
        const ms = retryAfterMs(answer.response.headers.get('retry-after'), io.now());
        io.log(`${what}: 429 too many requests; waiting ${ms / 1000} s (Retry-After)`);
        await io.sleep(ms);
        continue;
      }
      if (status < 500 || attempt >= MAX_ATTEMPTS) return answer;
      io.log(`${what}: HTTP ${status}; retrying in ${wait / 1000} s`);
    }
    await io.sleep(wait);
    wait = Math.min(wait * 2, 60_000);
  }
}

function ok<T>(answer: Answer<T>): T {
  if (answer.data === undefined) throw new ApiError(answer.response.status, answer.error as Partial<Problem> | undefined);
  return answer.data;
}

/** End (23:59:59.999, Hà Nội time) of the `days`-th working day from `now`, today counting if it is one. Monday–Friday: public holidays are not known here, so around a holiday the window reaches a day further. */
export function horizon(now: Date, days: number): Date {
  const offset = 7 * 3600_000;
  const local = new Date(now.getTime() + offset); // its UTC fields are Hà Nội wall time
  let day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  let counted = 0;
  for (;;) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) counted++;
    if (counted >= days) break;
    day += 86_400_000;
  }
  return new Date(day + 86_400_000 - 1 - offset);
}

/** Accepts one case: sends the version it was read at; on 409 reads it again and decides again. */
async function acceptCase(io: WorkerIo, first: StaffCase): Promise<StaffCase | null> {
  let c = first;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (c.status !== 'assigned' || !c.allowedActions.includes('accept')) return null;
    // one updateId per (case, version read): a retry of this very request is applied once
    const updateId = `agency-worker:${c.id}:accept:v${c.version}`;
    const answer = await send(io, `accept ${c.trackingCode}`, () =>
      io.client.POST('/api/v1/cases/{id}/accept', {
        params: { path: { id: c.id } },
        body: { version: c.version, updateId, internalText: 'Tiếp nhận tự động từ hệ thống một cửa của cơ quan' },
      }),
    );
    if (answer.data) return answer.data as StaffCase;
    const status = answer.response.status;
    if (status !== 409 && status !== 412) throw new ApiError(status, answer.error as Partial<Problem>);
    io.log(`accept ${c.trackingCode}: ${status} (${(answer.error as Partial<Problem>)?.detail ?? 'changed meanwhile'}); reading it again`);
    c = ok(await send(io, `read ${c.trackingCode}`, () => io.client.GET('/api/v1/cases/{id}', { params: { path: { id: first.id } } })));
  }
  throw new Error(`accept ${first.trackingCode}: still changing after ${MAX_ATTEMPTS} attempts`);
}

/** Open cases of the agency whose resolve deadline falls before `before`, earliest first, each with its explanation. */
async function dueSoon(io: WorkerIo, before: Date): Promise<DueCase[]> {
  const due: DueCase[] = [];
  let cursor: string | undefined;
  do {
    const page = ok(
      await send(io, 'work queue', () =>
        io.client.GET('/api/v1/cases', {
          params: { query: { status: 'assigned,in_progress,awaiting_business', dueBefore: before.toISOString(), limit: 100, cursor } },
        }),
      ),
    );
    for (const c of page.items) {
      const sla = ok(await send(io, `deadline of ${c.trackingCode}`, () => io.client.GET('/api/v1/cases/{id}/sla', { params: { path: { id: c.id } } })));
      due.push({ id: c.id, trackingCode: c.trackingCode, title: c.title, resolveDueAt: c.resolveDueAt, explanation: sla.text });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return due;
}

/**
 * The worker: finds the agency of the token (GET /api/v1/me), then passes: read the feed from the
 * kept cursor, accept what was newly assigned, list what is due soon. With `once`, one pass.
 */
export async function runWorker(io: WorkerIo, opts: WorkerOptions = {}): Promise<WorkerResult> {
  const days = opts.days ?? 3;
  const baseWait = opts.pollMs ?? 15_000;
  const maxWait = opts.maxPollMs ?? 300_000;
  const me = ok(await send(io, 'who am I', () => io.client.GET('/api/v1/me')));
  if (me.agencyId == null) throw new Error(`the token belongs to ${me.name} (${me.role}), not to agency staff`);
  const agencyId = me.agencyId;
  io.log(`${me.name} — ${me.agencyName ?? `agency ${agencyId}`}`);

  const result: WorkerResult = { agencyId, cursor: opts.cursor ?? null, passes: [] };
  let wait = baseWait;
  while (!opts.signal?.aborted) {
    const pass: PassResult = { accepted: [], due: [], changes: 0 };
    // the feed: every page from the kept cursor; nextCursor stays valid when nothing new came
    for (;;) {
      const cursor = result.cursor ?? undefined;
      const feed = ok(
        await send(io, 'feed', () => io.client.GET('/api/v1/agencies/{id}/feed', { params: { path: { id: agencyId }, query: { cursor, limit: 50 } } })),
      );
      pass.changes += feed.items.length;
      for (const item of feed.items) {
        if (item.change !== 'current' || !item.case) continue;
        const accepted = await acceptCase(io, item.case);
        if (accepted) {
          pass.accepted.push({ id: accepted.id, trackingCode: accepted.trackingCode, version: accepted.version });
          io.log(`accepted ${accepted.trackingCode} — ${accepted.title} (resolve by ${accepted.resolveDueAt})`);
        }
      }
      result.cursor = feed.nextCursor;
      if (feed.items.length === 0 || !feed.nextCursor) break;
    }

    const before = horizon(io.now(), days);
    pass.due = await dueSoon(io, before);
    io.log(`due in the next ${days} working days (before ${before.toISOString()}): ${pass.due.length}`);
    for (const d of pass.due) io.log(`- ${d.trackingCode} ${d.title}\n  hạn ${d.resolveDueAt}: ${d.explanation}`);
    result.passes.push(pass);

    if (opts.once) break;
    // back off while nothing comes; back to the first wait when something does
    wait = pass.changes > 0 ? baseWait : Math.min(wait * 2, maxWait);
    await io.sleep(wait);
  }
  return result;
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const baseUrl = process.env.PAKN_URL;
  const token = process.env.PAKN_TOKEN;
  if (!baseUrl || !token) {
    console.error('Set PAKN_URL (e.g. https://pakn.example.gov.vn) and PAKN_TOKEN (an agency staff token).');
    return 2;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  await runWorker(
    { client: createPaknClient({ baseUrl, token }), now: () => new Date(), sleep, log: (line) => console.log(line) },
    { once: args.includes('--once'), days: Number(argValue(args, '--days') ?? 3), signal: controller.signal },
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
