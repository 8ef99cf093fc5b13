import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * Which X-Forwarded-For hops are the service's own proxies (fastify's trustProxy): off; the number
 * of proxies in front (`1`: one nginx or load balancer); or their addresses and networks
 * (`127.0.0.1,10.0.0.0/8`). "Trust every hop" (`true`) is refused: the left of the header is what
 * the client wrote, so every client could choose its address and with it a fresh allowance of
 * every per-address limit.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((raw, ctx): false | number | string[] => {
    const v = (raw ?? '').trim();
    if (['', '0', 'off', 'false', 'no'].includes(v.toLowerCase())) return false;
    if (/^[1-9]\d{0,1}$/.test(v)) return Number(v);
    const items = v.split(',').map((s) => s.trim());
    /**
     * The widest network that may be a set of proxies: /8 for IPv4. For IPv6, by the network's
     * first 16 bits: /104 where they are zero (the IPv4-mapped and -compatible ranges:
     * ::ffff:0:0/96 is every IPv4 address), /7 in unique-local fc00::/7, /10 in link-local
     * fe80::/10, and /28 elsewhere (a /8 of public IPv6 is a registry's region: 2400::/8 holds
     * Vietnam's providers; the widest published CDN proxy ranges are /29–/32). Wider ones trust
     * a good part of the Internet: "every hop" again.
     */
    const minBits = (addr: string, family: number) => {
      if (family === 4) return 8;
      const first = addr.startsWith('::') ? 0 : parseInt(addr.split(':')[0], 16);
      if (first === 0) return 104;
      if ((first & 0xfe00) === 0xfc00) return 7;
      if ((first & 0xffc0) === 0xfe80) return 10;
      return 28;
    };
    /** each item: a proxy's address or network, one too wide to be proxies, or not an address */
    const classify = (s: string): 'ok' | 'wide' | 'bad' => {
      const [addr, bits, more] = s.split('/');
      // no zone ids (fe80::1%eth0): proxies are named by address, and proxy-addr reads few of them
      const family = addr.includes('%') ? 0 : isIP(addr);
      if (family === 0 || more !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return 'bad';
      if (bits === undefined) return 'ok';
      if (Number(bits) < minBits(addr, family)) return 'wide';
      return Number(bits) <= (family === 4 ? 32 : 128) ? 'ok' : 'bad';
    };
    const kinds = items.map(classify);
    if (kinds.every((k) => k === 'ok')) return items;
    ctx.addIssue({
      code: 'custom',
      message:
        ['true', 'yes', 'all'].includes(v.toLowerCase()) || kinds.includes('wide')
          ? 'trusting every X-Forwarded-For hop (or a network wider than /8 for IPv4; for IPv6 /28, /7 unique-local, /10 link-local, /104 IPv4-mapped) lets a client choose its own address: give the number of proxies in front of the service (1 for one nginx or load balancer) or their addresses (127.0.0.1,10.0.0.0/8)'
          : 'must be 0 (off), the number of proxies in front of the service (1–99), or a comma-separated list of their IP addresses or networks (127.0.0.1,10.0.0.0/8)',
    });
    return z.NEVER;
  });

const cronExpr = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression of 5 or 6 fields');

const officeHours = z
  .string()
  .regex(
    /^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$/,
    'must look like 07:30-11:30,13:30-17:00',
  );

const emailList = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []))
  .pipe(z.array(z.email()));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** named prepared statements on PostgreSQL for the hottest reads: `off` behind a transaction-pooling PgBouncer (before 1.21) */
  PAKN_DB_NAMED_STATEMENTS: z
    .enum(['on', 'off'], { error: 'must be on or off' })
    .default('on')
    .transform((v) => v === 'on'),
  /** processes serving on PORT (node:cluster) on PostgreSQL: a number, or `auto` for one per core; the embedded database runs in one */
  PAKN_WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)], { error: 'must be a number from 1 to 64, or auto' })
    .default(1),
  PAKN_DATA_DIR: z.string().min(1).default('./data'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  MAIL_FROM: z.string().min(3).default('Tổ phản ứng nhanh <pakn@localhost>'),
  /** the address clients use; when unset, http://HOST:PORT (a wildcard HOST advertises 127.0.0.1) */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  /** origins allowed to read /open311/v2/* and /api/v1/public/* from a browser: comma-separated, or * */
  PAKN_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean) : []))
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
  PAKN_ADMIN_TOKEN: z
    .string()
    .min(24, 'must be at least 24 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PAKN_DISABLE_CRON: bool,
  PAKN_ESCALATION_CRON: cronExpr.default('*/5 * * * *'),
  PAKN_OUTBOX_CRON: cronExpr.default('* * * * *'),
  PAKN_REPORT_CRON: cronExpr.default('0 6 1 * *'),
  PAKN_WEEKLY_REPORT_CRON: cronExpr.default('30 7 * * 1'),
  PAKN_OFFICE_HOURS: officeHours.default('07:30-11:30,13:30-17:00'),
  PAKN_LEADERSHIP_EMAILS: emailList,
  PAKN_INSPECTORATE_EMAILS: emailList,
  PAKN_COORDINATOR_EMAILS: emailList,
  // these and the three lists above only seed the settings table on first start (admin settings)
  PAKN_STAFF_MAIL_WINDOW: officeHours.optional().or(z.literal('').transform(() => undefined)),
  PAKN_PROVINCE_NAME: z.string().max(120).optional(),
  PAKN_HOTLINE: z.string().max(40).optional(),
  PAKN_OFFICE_ADDRESS: z.string().max(300).optional(),
  PAKN_TRIAGE_REMIND_HOURS: z.coerce.number().positive().default(4),
  PAKN_REPORT_MIN_CELL: z.coerce.number().int().min(1).default(5),
  PAKN_OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** webhook deliveries: attempts before a message is dead (exponential backoff between them) */
  PAKN_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** webhook URLs may be http and resolve to private, loopback or link-local addresses (intranet, tests) */
  PAKN_WEBHOOK_ALLOW_PRIVATE: bool,
  PAKN_WEBHOOK_CRON: cronExpr.default('*/10 * * * * *'),
  /** delivered and dead webhook messages are deleted this many days after their last attempt (their bodies carry case data) */
  PAKN_WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  PAKN_RATE_LIMIT_PUBLIC: z.coerce.number().int().min(1).default(30),
  /** staff API requests per token per minute (every /api/v1 route outside /public) */
  PAKN_RATE_LIMIT_STAFF: z.coerce.number().int().min(1).default(1200),
  /** lost-key requests per IP per hour (per tracking code: KEY_RECOVERY_PER_CODE_PER_HOUR) */
  PAKN_RATE_LIMIT_KEY_RECOVERY: z.coerce.number().int().min(1).default(10),
  /** X-Forwarded-For hops added by the service's own proxies (trustProxy above) */
  PAKN_TRUST_PROXY: trustProxy,
  PAKN_SEED_DEMO: z.enum(['auto', 'always', 'never']).default('auto'),
  /** names this process in leases and job runs; default host-pid-random */
  PAKN_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes, colons or underscores')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** on SIGTERM/SIGINT: how long running jobs may take to finish their current message */
  PAKN_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(25),
  /** enables GET /metrics, which requires this as a Bearer token */
  PAKN_METRICS_TOKEN: z
    .string()
    .min(24, 'must be at least 24 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Ed25519 private key signing the chain checkpoints: PEM text, or the path of a PEM file */
  PAKN_SIGNING_KEY: z
    .string()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** the daily e-mail of the previous day's last checkpoint to the inspectorate */
  PAKN_CHECKPOINT_MAIL_CRON: cronExpr.default('5 0 * * *'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** slow clients: the whole request (headers and body) must arrive within this */
  PAKN_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** the request headers must arrive within this (never more than the request timeout) */
  PAKN_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(20_000),
  /** an idle keep-alive connection is closed after this */
  PAKN_KEEPALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
});

export type Config = z.infer<typeof configSchema>;

/** How many worker processes PAKN_WORKERS asks for (`auto`: one per core). */
export function workerCount(config: Pick<Config, 'PAKN_WORKERS'>, cores: number): number {
  return config.PAKN_WORKERS === 'auto' ? Math.max(1, cores) : config.PAKN_WORKERS;
}

/**
 * Whether start-up seeds the demo province (and prints its tokens). `always` and `never` say so;
 * `auto` seeds only a new embedded database outside production: the production image
 * (NODE_ENV=production) never creates demo accounts unless PAKN_SEED_DEMO=always asks for them.
 */
export function seedsDemo(config: Pick<Config, 'NODE_ENV' | 'PAKN_SEED_DEMO'>, databaseKind: 'pglite' | 'pg'): boolean {
  if (config.PAKN_SEED_DEMO !== 'auto') return config.PAKN_SEED_DEMO === 'always';
  return databaseKind === 'pglite' && config.NODE_ENV !== 'production';
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = configSchema.safeParse(env);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  if (!env.PUBLIC_BASE_URL) r.data.PUBLIC_BASE_URL = baseUrlOf(r.data.HOST, r.data.PORT);
  return r.data;
}

/** http://HOST:PORT as a client reaches it: a wildcard address is reached on loopback. */
export function baseUrlOf(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** Config for tests and tools: defaults, overridden by the given values. */
export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', PAKN_DISABLE_CRON: '1', LOG_LEVEL: 'silent', ...overrides });
}
