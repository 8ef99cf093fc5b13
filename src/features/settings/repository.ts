/**
 * The settings row (id 1) and its audit trail. Every instance reads the same row, so two
 * instances never disagree on who gets escalations or when staff notices leave.
 */
import { desc, eq, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { settingChanges, settings } from '../../db/schema.js';

export const SETTING_FIELDS = [
  'coordinatorEmails',
  'leadershipEmails',
  'inspectorateEmails',
  'staffMailWindow',
  'provinceName',
  'hotline',
  'officeAddress',
] as const;
export type SettingField = (typeof SETTING_FIELDS)[number];

/** The editable values; null = never set (the caller's default applies). */
export interface SettingValues {
  coordinatorEmails: string[] | null;
  leadershipEmails: string[] | null;
  inspectorateEmails: string[] | null;
  staffMailWindow: string | null;
  provinceName: string | null;
  hotline: string | null;
  officeAddress: string | null;
}

export interface StoredSettings extends SettingValues {
  version: number;
  updatedAt: Date | null;
  updatedBy: number | null;
}

/** Who the public is dealing with: shown on every page and in every e-mail's footer. */
export interface SiteInfo {
  /** the province's name as written after "UBND", e.g. "tỉnh Bắc Ninh"; null when not set */
  provinceName: string | null;
  /** the rapid-response team's hotline */
  hotline: string | null;
  /** where the team receives businesses */
  officeAddress: string | null;
}

const EMPTY: StoredSettings = {
  coordinatorEmails: null,
  leadershipEmails: null,
  inspectorateEmails: null,
  staffMailWindow: null,
  provinceName: null,
  hotline: null,
  officeAddress: null,
  version: 0,
  updatedAt: null,
  updatedBy: null,
};

const pick = (r: typeof settings.$inferSelect): StoredSettings => ({
  coordinatorEmails: r.coordinatorEmails,
  leadershipEmails: r.leadershipEmails,
  inspectorateEmails: r.inspectorateEmails,
  staffMailWindow: r.staffMailWindow,
  provinceName: r.provinceName,
  hotline: r.hotline,
  officeAddress: r.officeAddress,
  version: r.version,
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
});

/** The settings as stored (one primary-key read); all null before the first start seeded them. */
export async function readSettings(ex: Executor): Promise<StoredSettings> {
  const [r] = await ex.select().from(settings).where(eq(settings.id, 1));
  return r ? pick(r) : { ...EMPTY };
}

export async function readSiteInfo(ex: Executor): Promise<SiteInfo> {
  const s = await readSettings(ex);
  return { provinceName: s.provinceName, hotline: s.hotline, officeAddress: s.officeAddress };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export interface ChangeActor {
  userId: number | null;
  label: string;
}

/**
 * Applies `patch` in the caller's transaction: the row is locked, only the fields given and
 * different are written, each on the audit trail with its old and new value, and the version
 * goes up by one when anything changed. With `onlyUnset`, fields already set are left alone
 * (seeding from the environment or the demo). Returns the settings after, and what changed.
 */
export async function applySettings(
  tx: Executor,
  patch: Partial<SettingValues>,
  who: ChangeActor,
  now: Date,
  opts: { onlyUnset?: boolean; expectVersion?: number } = {},
): Promise<{ settings: StoredSettings; changed: SettingField[]; versionBefore: number }> {
  await tx.insert(settings).values({ id: 1, version: 0, updatedAt: now }).onConflictDoNothing();
  const [row] = await tx.select().from(settings).where(eq(settings.id, 1)).for('update');
  const before = pick(row);
  if (opts.expectVersion !== undefined && opts.expectVersion !== before.version) {
    return { settings: before, changed: [], versionBefore: before.version };
  }
  const changed: SettingField[] = [];
  const set: Partial<SettingValues> = {};
  for (const f of SETTING_FIELDS) {
    if (!(f in patch) || patch[f] === undefined) continue;
    if (opts.onlyUnset && before[f] !== null) continue;
    if (same(before[f], patch[f])) continue;
    (set as Record<string, unknown>)[f] = patch[f];
    changed.push(f);
  }
  if (changed.length === 0) return { settings: before, changed, versionBefore: before.version };
  const version = before.version + 1;
  const [after] = await tx
    .update(settings)
    .set({ ...set, version, updatedAt: now, updatedBy: who.userId })
    .where(eq(settings.id, 1))
    .returning();
  await tx.insert(settingChanges).values(
    changed.map((f) => ({ at: now, actorUserId: who.userId, actorLabel: who.label, field: f, oldValue: before[f], newValue: patch[f], version })),
  );
  return { settings: pick(after), changed, versionBefore: before.version };
}

export type SettingChangeRow = typeof settingChanges.$inferSelect;

/** The audit trail, newest first; `before` is the id of the last row of the previous page. */
export async function listSettingChanges(ex: Executor, opts: { limit: number; before?: number }): Promise<SettingChangeRow[]> {
  return ex
    .select()
    .from(settingChanges)
    .where(opts.before ? lt(settingChanges.id, opts.before) : sql`true`)
    .orderBy(desc(settingChanges.id))
    .limit(opts.limit);
}
