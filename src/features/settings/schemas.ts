import { z } from 'zod';
import { parseOfficeHours } from '../../domain/calendar.js';

/** no control characters (C0, DEL, C1), no line breaks: these values go into headers and footers */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const plain = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters or line breaks');

const emails = z
  .array(z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address')))
  .max(50, 'at most 50 addresses')
  .transform((l) => [...new Set(l)]);

const window = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    try {
      parseOfficeHours(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });

const fields = {
  coordinatorEmails: emails.describe(
    'Coordinators (Tổ 3 nhất) told of overdue cases, stale triage and the weekly reports; empty = the contact addresses of the coordinator agency',
  ),
  leadershipEmails: emails.describe('Provincial leadership: serious-overdue notices, the province-wide weekly report, monthly publications'),
  inspectorateEmails: emails.describe('The provincial inspectorate: copy of serious-overdue notices'),
  staffMailWindow: window.describe(
    'When e-mail to staff may leave, on working days of the calendar (e.g. "07:30-11:30,13:30-17:00"); a notice due outside waits for the next opening',
  ),
  provinceName: plain(120).describe('The province as written after "UBND", e.g. "tỉnh Bắc Ninh"; shown on every page and in every e-mail'),
  hotline: plain(40)
    .regex(/^[0-9+() .-]+$/, 'must be a phone number (digits, spaces, + ( ) . -)')
    .describe("The rapid-response team's hotline, e.g. \"0222 3 822 000\""),
  officeAddress: plain(300).describe('Where the team receives businesses'),
};

export const settingsPatch = z
  .object({
    coordinatorEmails: fields.coordinatorEmails.optional(),
    leadershipEmails: fields.leadershipEmails.optional(),
    inspectorateEmails: fields.inspectorateEmails.optional(),
    staffMailWindow: fields.staffMailWindow.optional(),
    provinceName: fields.provinceName.optional(),
    hotline: fields.hotline.optional(),
    officeAddress: fields.officeAddress.optional(),
  })
  .strict()
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'give at least one setting to change' })
  .meta({
    id: 'SettingsPatch',
    description: 'Only the fields given change; a field left out keeps its value.',
    examples: [
      {
        leadershipEmails: ['vanphong@bacninh.gov.vn', 'pho.chu.tich@bacninh.gov.vn'],
        hotline: '0222 3 822 000',
        officeAddress: 'Trung tâm Phục vụ hành chính công tỉnh, phường Kinh Bắc, tỉnh Bắc Ninh',
      },
    ],
  });

export const settingsView = z
  .object({
    coordinatorEmails: z.array(z.string()),
    leadershipEmails: z.array(z.string()),
    inspectorateEmails: z.array(z.string()),
    staffMailWindow: z.string(),
    provinceName: z.string().nullable(),
    hotline: z.string().nullable(),
    officeAddress: z.string().nullable(),
    version: z.number().int().describe('goes up by one with each change; send it back as If-Match to avoid overwriting a change you have not seen'),
    updatedAt: z.string().nullable(),
    updatedBy: z.number().int().nullable().describe('user id of the last editor; null when set from the environment or the demo seed'),
    changed: z.array(z.string()).optional().describe('the fields this request changed (PUT/PATCH only)'),
  })
  .meta({ id: 'Settings' });

export const settingChangeView = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actorUserId: z.number().int().nullable(),
    actorLabel: z.string(),
    field: z.string(),
    oldValue: z.unknown(),
    newValue: z.unknown(),
    version: z.number().int(),
  })
  .meta({ id: 'SettingChange' });

export const settingChangesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional().describe('id of the last change of the previous page'),
});

export const settingChangesList = z.object({ items: z.array(settingChangeView), nextBefore: z.number().int().nullable() }).meta({ id: 'SettingChanges' });

export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^(W\/)?"?\d+"?$/, 'must be the settings version, e.g. "3"')
    .optional(),
});
