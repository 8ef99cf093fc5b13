import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has defaults that run the embedded database', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PAKN_DATA_DIR).toBe('./data');
    expect(c.PAKN_DISABLE_CRON).toBe(false);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['SMTP_URL', 'http://mail'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['PAKN_ADMIN_TOKEN', 'short'],
    ['PAKN_ESCALATION_CRON', 'every minute'],
    ['PAKN_OFFICE_HOURS', '7h30-11h30'],
    ['PAKN_LEADERSHIP_EMAILS', 'a@b.vn,not-an-email'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
  });

  it('parses lists and flags', () => {
    const c = loadConfig({ PAKN_DISABLE_CRON: '1', PAKN_LEADERSHIP_EMAILS: 'a@bacninh.gov.vn, b@bacninh.gov.vn' });
    expect(c.PAKN_DISABLE_CRON).toBe(true);
    expect(c.PAKN_LEADERSHIP_EMAILS).toEqual(['a@bacninh.gov.vn', 'b@bacninh.gov.vn']);
  });
});
