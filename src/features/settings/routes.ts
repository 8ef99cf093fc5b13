import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { toLocalIso } from '../../domain/calendar.js';
import { actorOf, problemSchema } from '../../lib/http.js';
import { ifMatchHeaders, settingChangesList, settingChangesQuery, settingsPatch, settingsView } from './schemas.js';
import type { EffectiveSettings } from './service.js';

const ADMIN = { roles: ['admin'] as const };
const iso = (d: Date | null) => (d ? toLocalIso(d) : null);
const view = (s: EffectiveSettings) => ({ ...s, updatedAt: iso(s.updatedAt) });
const auth = { 401: problemSchema, 403: problemSchema };

/** Settings every instance shares (admin): recipients, sending window, public identity; and their audit trail. */
export async function registerSettingsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.settings;

  r.get(
    '/api/v1/admin/settings',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        operationId: 'getSettings',
        summary: 'The settings in force on every instance',
        description:
          'Escalation recipients (coordinators, provincial leadership, inspectorate), the sending window of staff notices and the ' +
          'public identity (province name, hotline, office address). Every instance reads these from the database; the environment ' +
          'variables only seed fields never set, at start-up. The `version` goes up with each change.',
        response: { 200: settingsView, ...auth },
      },
    },
    async (_req, reply) => {
      const s = await svc.get();
      reply.header('etag', `"${s.version}"`);
      return view(s);
    },
  );

  const write = (method: 'put' | 'patch') =>
    r[method](
      '/api/v1/admin/settings',
      {
        config: ADMIN,
        schema: {
          tags: ['admin'],
          operationId: method === 'put' ? 'updateSettings' : 'patchSettings',
          summary: method === 'put' ? 'Change settings (only the fields given)' : 'Change settings (same as PUT)',
          description:
            'Changes the fields present in the body; a field left out keeps its value (a one-field request never resets the others). ' +
            'All changes are one transaction; each changed field is written to the audit trail (who, when, old and new value, ' +
            '`GET /api/v1/admin/settings/changes`) and the version goes up by one. A value equal to the stored one is not a change. ' +
            'With `If-Match: "<version>"` the request fails with 412 when someone changed the settings since you read them. ' +
            'Every instance applies the new values at its next use (next escalation run, next e-mail).',
          headers: ifMatchHeaders,
          body: settingsPatch,
          response: {
            200: settingsView,
            400: problemSchema,
            ...auth,
            412: problemSchema,
          },
        },
      },
      async (req, reply) => {
        const h = req.headers['if-match'];
        const ifMatch = h ? Number(String(h).replace(/^W\//, '').replace(/"/g, '')) : undefined;
        const r2 = await svc.update(actorOf(req), req.body, ifMatch);
        reply.header('etag', `"${r2.settings.version}"`);
        return { ...view(r2.settings), changed: r2.changed };
      },
    );
  write('put');
  write('patch');

  r.get(
    '/api/v1/admin/settings/changes',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        operationId: 'listSettingChanges',
        summary: 'The audit trail of settings, newest first',
        description:
          'One entry per field changed: when, by whom (user id and name; "Biến môi trường (khởi động lần đầu)" for values seeded from ' +
          'the environment, "Dữ liệu mẫu" for the demo), the old and the new value, and the version it produced. Page with `before`.',
        querystring: settingChangesQuery,
        response: { 200: settingChangesList, 400: problemSchema, ...auth },
      },
    },
    async (req) => {
      const items = await svc.changes({ limit: req.query.limit, before: req.query.before });
      return {
        items: items.map((c) => ({ ...c, at: toLocalIso(c.at) })),
        nextBefore: items.length === req.query.limit ? items[items.length - 1].id : null,
      };
    },
  );
}
