import { sql } from 'drizzle-orm';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMessages } from '../../src/features/notifications/outbox.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, secondInstance } from '../escalation/helpers.js';

const TOKEN = 'metrics-token-0123456789abcdef';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_METRICS_TOKEN: TOKEN } });
});
afterAll(async () => t?.close());

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text format 0.0.4: every line is empty, a HELP, a TYPE or a sample;
 * every sample belongs to a family declared by TYPE before it (histogram samples as _bucket,
 * _sum, _count); label values are escaped strings; values are floats; no family is declared twice.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleRe = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*)\\})? (\\S+)(?: (-?\\d+))?$`);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue; // the format ignores empty lines
    if (line.startsWith('# HELP ')) {
      expect(line, line).toMatch(new RegExp(`^# HELP ${NAME} .*$`));
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
      expect(m, line).not.toBeNull();
      expect(types.has(m![1]), `declared twice: ${m![1]}`).toBe(false);
      types.set(m![1], m![2]);
      continue;
    }
    expect(line.startsWith('#'), `unknown comment: ${line}`).toBe(false);
    const m = sampleRe.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labelText, valueText] = m!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(family), `sample before its TYPE: ${line}`).toBe(true);
    if (family !== name) expect(['histogram', 'summary']).toContain(types.get(family));
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : valueText === 'NaN' ? NaN : Number(valueText);
    expect(valueText === 'NaN' || !Number.isNaN(value), `value: ${line}`).toBe(true);
    const labels: Record<string, string> = {};
    for (const l of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

const scrape = async (app = t) => {
  const r = await app.request().get('/metrics').set(bearer(TOKEN));
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(r.text);
};
const value = (s: Sample[], name: string, labels: Record<string, string> = {}) =>
  s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);

describe(`GET /metrics on ${dbLabel}`, () => {
  it('is 404 without PAKN_METRICS_TOKEN, and 401 without the token or with another one', async () => {
    const off = await secondInstance(t.database, t.clock, {});
    try {
      const r = await (await import('supertest')).default(off.app.server).get('/metrics').set(bearer(TOKEN));
      expect(r.status).toBe(404);
    } finally {
      await off.close();
    }
    expect((await t.request().get('/metrics')).status).toBe(401);
    expect((await t.request().get('/metrics').set(bearer(TOKEN + 'x'))).status).toBe(401);
    expect((await t.request().get('/metrics').set(bearer(t.tokens.admin))).status).toBe(401);
  });

  it('writes a sample that is not a number as NaN, as the text format spells it (prom-client writes "Nan")', async () => {
    // the event-loop lag before its first measurement is such a sample; a gauge set to NaN is one always
    const g = new client.Gauge({ name: 'pakn_test_not_a_number', help: 'a sample that is not a number', registers: [t.app.services.metrics.registry] });
    g.set(NaN);
    try {
      const r = await t.request().get('/metrics').set(bearer(TOKEN));
      expect(r.text).toMatch(/^pakn_test_not_a_number NaN$/m);
      expect(r.text).not.toMatch(/ Nan$/m);
    } finally {
      t.app.services.metrics.registry.removeSingleMetric('pakn_test_not_a_number');
    }
  });

  it('has every metric the operator needs, in the strict text format, with the database gauges read at scrape time', async () => {
    const now = t.clock.now();
    // an overdue case of Sở Xây dựng, one within its deadline, a pending and a dead message
    const late = await enterCase(t.app, new Date(now.getTime() - 60 * 86_400_000), { title: 'Hồ sơ quá hạn để đo' });
    await enterCase(t.app, now, { title: 'Hồ sơ trong hạn để đo' });
    await t.database.db.transaction((tx) =>
      enqueueMessages(tx, 'pakn.test', [{ template: 'overdue', to: ['lanhdao@soxaydung.bacninh.example'], subject: 'Quá hạn', text: 'Quá hạn' }], new Date(now.getTime() - 90_000)),
    );
    await t.database.db.execute(sql`update outbox set status = 'dead' where id = (select min(id) from outbox)`);
    // a request with an id in its path is counted by its template
    expect((await t.request().get(`/api/v1/cases/${late.id}`).set(bearer(t.tokens.coordinator))).status).toBe(200);
    expect((await t.request().get('/khong-co-trang-nay')).status).toBe(404);
    // a job run through the runner
    expect((await t.request().post('/api/v1/admin/jobs/escalation/run').set(bearer(t.tokens.admin))).status).toBe(200);

    const { types, samples } = await scrape();
    for (const [name, type] of [
      ['pakn_http_requests_total', 'counter'],
      ['pakn_http_request_duration_seconds', 'histogram'],
      ['pakn_outbox_messages', 'gauge'],
      ['pakn_outbox_oldest_pending_seconds', 'gauge'],
      ['pakn_cases_open', 'gauge'],
      ['pakn_job_runs_total', 'counter'],
      ['pakn_job_duration_seconds', 'histogram'],
      ['pakn_escalations_total', 'counter'],
      ['pakn_chain_unsealed_events', 'gauge'],
      ['pakn_outbox_deliveries_total', 'counter'],
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ]) {
      expect(types.get(name), name).toBe(type);
    }

    expect(value(samples, 'pakn_http_requests_total', { method: 'GET', route: '/api/v1/cases/:id', status: '200' })).toBe(1);
    expect(value(samples, 'pakn_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(samples.some((s) => s.name === 'pakn_http_requests_total' && new RegExp(`/${late.id}(/|$)`).test(s.labels.route ?? ''))).toBe(false);
    // histogram: cumulative buckets ending in +Inf = count
    const buckets = samples.filter((s) => s.name === 'pakn_http_request_duration_seconds_bucket' && s.labels.route === '/api/v1/cases/:id');
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    expect(buckets.at(-1)!.value).toBe(value(samples, 'pakn_http_request_duration_seconds_count', { route: '/api/v1/cases/:id' }));

    // database gauges equal the database
    const [{ pending, dead, sending }] = (
      (await t.database.db.execute(
        sql`select count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status = 'dead')::int as dead, count(*) filter (where status = 'sending')::int as sending from outbox`,
      )) as unknown as { rows: Array<{ pending: number; dead: number; sending: number }> }
    ).rows;
    expect(value(samples, 'pakn_outbox_messages', { status: 'pending' })).toBe(pending);
    expect(value(samples, 'pakn_outbox_messages', { status: 'dead' })).toBe(dead);
    expect(value(samples, 'pakn_outbox_messages', { status: 'sending' })).toBe(sending);
    expect(value(samples, 'pakn_outbox_oldest_pending_seconds')).toBeGreaterThan(0);
    expect(value(samples, 'pakn_cases_open', { agency: 'so_xay_dung', state: 'overdue' })).toBe(1);
    expect(value(samples, 'pakn_cases_open', { agency: 'so_xay_dung', state: 'within_deadline' })).toBe(1);
    expect(value(samples, 'pakn_chain_unsealed_events')).toBe(0);
    // the escalation run: counted by result and by level
    expect(value(samples, 'pakn_job_runs_total', { job: 'escalation', result: 'ok' })).toBe(1);
    expect(value(samples, 'pakn_job_duration_seconds_count', { job: 'escalation' })).toBe(1);
    expect(value(samples, 'pakn_escalations_total', { level: 'overdue' })).toBe(1);

    // a second instance on the same database reads the same database gauges
    const other = await secondInstance(t.database, t.clock, { PAKN_METRICS_TOKEN: TOKEN });
    try {
      const r = await (await import('supertest')).default(other.app.server).get('/metrics').set(bearer(TOKEN));
      const o = parseExposition(r.text).samples;
      for (const name of ['pakn_outbox_messages', 'pakn_cases_open', 'pakn_chain_unsealed_events']) expect(value(o, name), name).toBe(value(samples, name));
      expect(value(o, 'pakn_job_runs_total')).toBe(0);
    } finally {
      await other.close();
    }
  });
});
