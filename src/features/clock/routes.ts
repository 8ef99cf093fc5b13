import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, ALL_STAFF, idParam, problemSchema } from '../../lib/http.js';
import {
  calendarEditResult,
  calendarYearInput,
  calendarYearList,
  calendarYearSchema,
  caseSlaSchema,
  publicDeadlineQuery,
  publicDeadlineSchema,
  routingRuleInput,
  routingRulePatch,
  routingRuleSchema,
  routingTestInput,
  routingTestResult,
  slaPolicyInput,
  slaPolicyQuery,
  slaPolicySchema,
  yearParam,
} from './schemas.js';

const ADMIN = { roles: ['admin'] as const };
const CLOCK_READ = { roles: ['admin', 'coordinator', 'inspector'] as const };

/** The legal clock: calendar years, SLA policies, routing rules, and deadline explanations. */
export async function registerClockRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { clockCalendar, slaPolicies, routingRules, deadlines } = app.services;

  // ---- working calendar
  r.get(
    '/api/v1/admin/calendar',
    { config: { roles: ALL_STAFF }, schema: { tags: ['admin'], summary: 'Calendar years stored in the database', response: { 200: calendarYearList } } },
    async () => clockCalendar.listYears(),
  );
  r.get(
    '/api/v1/admin/calendar/:year',
    {
      config: { roles: ALL_STAFF },
      schema: {
        tags: ['admin'],
        summary: 'Days off and make-up working Saturdays of a year (the stored table, or the generated Labour Code defaults)',
        params: yearParam,
        response: { 200: calendarYearSchema },
      },
    },
    async (req) => clockCalendar.getYear(req.params.year),
  );
  r.put(
    '/api/v1/admin/calendar/:year',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        summary: "Store a year's official schedule; moves the deadlines of open cases it affects, each with a timeline note",
        params: yearParam,
        body: calendarYearInput,
        response: { 200: calendarEditResult },
      },
    },
    async (req) => clockCalendar.putYear(req.params.year, req.body, actorOf(req)),
  );
  r.delete(
    '/api/v1/admin/calendar/:year',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        summary: "Drop a year's stored schedule: back to the generated defaults (open cases recomputed)",
        params: yearParam,
        response: { 200: calendarEditResult },
      },
    },
    async (req) => clockCalendar.deleteYear(req.params.year, actorOf(req)),
  );

  // ---- SLA policies
  const listOfPolicies = z.object({ items: z.array(slaPolicySchema) });
  r.get(
    '/api/v1/admin/sla-policies',
    {
      config: CLOCK_READ,
      schema: { tags: ['admin'], summary: 'SLA policies in force (all=true: every version)', querystring: slaPolicyQuery, response: { 200: listOfPolicies } },
    },
    async (req) => slaPolicies.listPolicies(req.query),
  );
  const publish = {
    config: ADMIN,
    schema: {
      tags: ['admin'],
      summary: 'Publish a new version of the policy for (kind, priority, categoryId); omitted fields keep their current value',
      body: slaPolicyInput,
      response: { 201: slaPolicySchema },
    },
  };
  r.post('/api/v1/admin/sla-policies', publish, async (req, reply) => reply.code(201).send(await slaPolicies.createPolicyVersion(req.body, actorOf(req))));
  r.put('/api/v1/admin/sla-policies', publish, async (req, reply) => reply.code(201).send(await slaPolicies.createPolicyVersion(req.body, actorOf(req))));
  r.delete(
    '/api/v1/admin/sla-policies/:id',
    {
      config: ADMIN,
      schema: { tags: ['admin'], summary: 'Retire a category-specific policy (the kind × priority policy applies again)', params: idParam, response: { 200: slaPolicySchema } },
    },
    async (req) => slaPolicies.retirePolicy(req.params.id),
  );

  // ---- routing rules
  r.get(
    '/api/v1/admin/routing-rules',
    { config: CLOCK_READ, schema: { tags: ['admin'], summary: 'Routing rules in evaluation order', response: { 200: z.object({ items: z.array(routingRuleSchema) }) } } },
    async () => ({ items: await routingRules.listRules() }),
  );
  r.post(
    '/api/v1/admin/routing-rules',
    { config: ADMIN, schema: { tags: ['admin'], summary: 'Add a routing rule (applies to new cases only)', body: routingRuleInput, response: { 201: routingRuleSchema } } },
    async (req, reply) => reply.code(201).send(await routingRules.createRule(req.body)),
  );
  r.post(
    '/api/v1/admin/routing-rules/test',
    {
      config: { roles: ['admin', 'coordinator'] as const },
      schema: { tags: ['admin'], summary: 'Which rule and agency a new case with these fields would get', body: routingTestInput, response: { 200: routingTestResult } },
    },
    async (req) => routingRules.testRule(req.body),
  );
  r.patch(
    '/api/v1/admin/routing-rules/:id',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        summary: 'Change a routing rule (cases already placed keep their agency)',
        description: 'Changes only the fields the body names; every other field keeps its stored value. Unknown fields are refused (400).',
        params: idParam,
        body: routingRulePatch,
        response: { 200: routingRuleSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (req) => routingRules.updateRule(req.params.id, req.body),
  );
  r.delete(
    '/api/v1/admin/routing-rules/:id',
    { config: ADMIN, schema: { tags: ['admin'], summary: 'Remove a routing rule', params: idParam } },
    async (req, reply) => {
      await routingRules.deleteRule(req.params.id);
      return reply.code(204).send();
    },
  );

  // ---- deadlines
  r.get(
    '/api/v1/cases/:id/sla',
    {
      config: { roles: ALL_STAFF },
      schema: {
        tags: ['cases'],
        summary: "A case's legal clock: frozen policy, deadlines, pauses, extensions, state, and the explanation step by step",
        params: idParam,
        response: { 200: caseSlaSchema },
      },
    },
    async (req) => deadlines.caseSla(req.params.id, actorOf(req)),
  );
  r.get(
    '/api/v1/public/deadline',
    {
      schema: {
        tags: ['public'],
        summary: 'When an answer is due for a case received at a given time, with the explanation',
        description:
          'Deadlines of a hypothetical case under the policies and calendar in force. For khiếu nại and tố cáo the resolution period counts from acceptance (thụ lý): without `acceptedAt` the answer gives the acceptance deadline and the provisional latest resolution deadline (`resolveDueProvisional: true`); with it, the resolution deadline from that acceptance. 400 names `receivedAt` or `acceptedAt` when a date is malformed, out of range, or `acceptedAt` is before `receivedAt`.',
        querystring: publicDeadlineQuery,
        response: { 200: publicDeadlineSchema },
      },
    },
    async (req) => deadlines.publicDeadline(req.query),
  );
}
