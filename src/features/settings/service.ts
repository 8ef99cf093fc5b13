/**
 * Settings held in the database (one truth for every instance): escalation recipients, the
 * sending window of staff notices and the public identity (province, hotline, office address).
 * The environment only seeds fields never set, at start-up; admin edits them with an audit trail.
 */
import type { Config } from '../../config.js';
import type { Db, Executor } from '../../db/client.js';
import { DAY_MS, fromLocal, isWorkingDay, localDayOrdinal, ordinalToDate, parseOfficeHours, type OfficePeriod, type WorkingCalendar } from '../../domain/calendar.js';
import type { Clock } from '../../lib/clock.js';
import { PreconditionFailed } from '../../lib/errors.js';
import type { Actor } from '../auth/service.js';
import {
  applySettings,
  listSettingChanges,
  readSettings,
  readSiteInfo,
  type SettingField,
  type SettingValues,
  type SiteInfo,
  type StoredSettings,
} from './repository.js';

export type { SiteInfo } from './repository.js';

/** The settings as every instance applies them (defaults filled in). */
export interface EffectiveSettings {
  /** explicit coordinator addresses; empty = the contact addresses of the coordinator agency */
  coordinatorEmails: string[];
  leadershipEmails: string[];
  inspectorateEmails: string[];
  /** e.g. "07:30-11:30,13:30-17:00" (working days of the calendar) */
  staffMailWindow: string;
  provinceName: string | null;
  hotline: string | null;
  officeAddress: string | null;
  version: number;
  updatedAt: Date | null;
  updatedBy: number | null;
}

/**
 * The first instant at or after `t` inside the sending window: a window period of a working
 * day of the calendar (period start inclusive, end exclusive).
 */
export function nextInWindow(cal: WorkingCalendar, window: OfficePeriod[], t: Date): Date {
  const first = localDayOrdinal(t);
  for (let d = first; d < first + 400; d++) {
    const date = ordinalToDate(d);
    if (!isWorkingDay(cal, date)) continue;
    for (const p of window) {
      const start = fromLocal(date, p.start);
      const end = fromLocal(date, p.end);
      if (t < end) return t >= start ? t : start;
    }
  }
  // a calendar without a working day for 400 days: send rather than hold forever
  return new Date(Math.max(t.getTime(), first * DAY_MS));
}

export function createSettingsService(deps: { db: Db; clock: Clock; config: Config; onChange?: () => void }) {
  const { db, clock, config } = deps;

  const effective = (s: StoredSettings): EffectiveSettings => ({
    coordinatorEmails: s.coordinatorEmails ?? [],
    leadershipEmails: s.leadershipEmails ?? [],
    inspectorateEmails: s.inspectorateEmails ?? [],
    staffMailWindow: s.staffMailWindow ?? config.PAKN_OFFICE_HOURS,
    provinceName: s.provinceName,
    hotline: s.hotline,
    officeAddress: s.officeAddress,
    version: s.version,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  });

  /**
   * Start-up: fields never set take the environment's values. The recipients and the window are
   * always stored by the first start (an empty list, the office hours), so an instance started
   * later with other values changes nothing; the identity is stored once given (environment,
   * demo seed or admin).
   */
  async function seedFromConfig(): Promise<SettingField[]> {
    const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
    const seed: Partial<SettingValues> = {
      coordinatorEmails: config.PAKN_COORDINATOR_EMAILS,
      leadershipEmails: config.PAKN_LEADERSHIP_EMAILS,
      inspectorateEmails: config.PAKN_INSPECTORATE_EMAILS,
      staffMailWindow: config.PAKN_STAFF_MAIL_WINDOW ?? config.PAKN_OFFICE_HOURS,
      provinceName: text(config.PAKN_PROVINCE_NAME),
      hotline: text(config.PAKN_HOTLINE),
      officeAddress: text(config.PAKN_OFFICE_ADDRESS),
    };
    const r = await db.transaction((tx) =>
      applySettings(tx, seed, { userId: null, label: 'Biến môi trường (khởi động lần đầu)' }, clock.now(), { onlyUnset: true }),
    );
    if (r.changed.length > 0) deps.onChange?.();
    return r.changed;
  }

  return {
    seedFromConfig,
    /** The settings in force (one primary-key read; pass a transaction to read inside it). */
    async get(ex: Executor = db): Promise<EffectiveSettings> {
      return effective(await readSettings(ex));
    },
    /** Province name, hotline and office address, for page headers/footers and e-mail footers. */
    async siteInfo(ex: Executor = db): Promise<SiteInfo> {
      return readSiteInfo(ex);
    },
    /** The sending window as office periods. */
    staffWindow(s: EffectiveSettings): OfficePeriod[] {
      return parseOfficeHours(s.staffMailWindow);
    },
    /**
     * Changes the fields given (absent fields keep their value), in one transaction, each change
     * on the audit trail. With `ifMatch`, 412 unless the stored version is that one.
     */
    async update(actor: Actor, patch: Partial<SettingValues>, ifMatch?: number): Promise<{ settings: EffectiveSettings; changed: SettingField[] }> {
      const r = await db.transaction((tx) =>
        applySettings(tx, patch, { userId: actor.userId, label: actor.name }, clock.now(), { expectVersion: ifMatch }),
      );
      // caches of the identity (intake mail footers) are dropped once the change is committed
      if (r.changed.length > 0) deps.onChange?.();
      if (ifMatch !== undefined && r.versionBefore !== ifMatch) {
        throw new PreconditionFailed(`The settings are at version ${r.versionBefore}, not ${ifMatch}: read them again`, { version: r.versionBefore });
      }
      return { settings: effective(r.settings), changed: r.changed };
    },
    changes: (opts: { limit: number; before?: number }) => listSettingChanges(db, opts),
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
