import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

// ---------------------------------------------------------------- reference data

export const agencies = pgTable(
  'agencies',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    shortName: text('short_name'),
    /** department | commune | police | tax | board | inspectorate | center | coordinator | other */
    kind: text('kind').notNull(),
    parentId: integer('parent_id'),
    contactEmails: text('contact_emails').array().notNull().default(sql`'{}'::text[]`),
    leadEmail: text('lead_email'),
    activeFrom: date('active_from', { mode: 'string' }),
    activeTo: date('active_to', { mode: 'string' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('agencies_code_uq').on(t.code)],
);

export const categories = pgTable(
  'categories',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    active: boolean('active').notNull().default(true),
    /** Open311 service attributes: [{code, datatype, required, description, values?}] */
    attributes: jsonb('attributes').$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('categories_code_uq').on(t.code)],
);

export const localities = pgTable(
  'localities',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** xa | phuong */
    kind: text('kind').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('localities_code_uq').on(t.code)],
);

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
  /** coordinator | agency_staff | agency_lead | inspector | admin */
  role: text('role').notNull(),
  agencyId: integer('agency_id'),
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id').notNull(),
    /** SHA-256 of the token, hex */
    tokenHash: text('token_hash').notNull(),
    /** first characters of the token, to recognise it in lists */
    prefix: text('prefix').notNull(),
    label: text('label'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash)],
);

/** Open311 client applications, each with its api_key (stored hashed). */
export const apiClients = pgTable(
  'api_clients',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [uniqueIndex('api_clients_key_uq').on(t.keyHash)],
);

// ---------------------------------------------------------------- the clock

export const calendarYears = pgTable('calendar_years', {
  year: integer('year').primaryKey(),
  /** [{date: 'YYYY-MM-DD', name}] */
  holidays: jsonb('holidays').$type<{ date: string; name: string }[]>().notNull(),
  workingSaturdays: jsonb('working_saturdays').$type<{ date: string; name: string }[]>().notNull(),
  generated: boolean('generated').notNull().default(false),
  note: text('note'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: integer('updated_by'),
});

export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').notNull(),
    priority: text('priority').notNull(),
    categoryId: integer('category_id'),
    version: integer('version').notNull(),
    /** the full policy as the domain's SlaPolicy */
    policy: jsonb('policy').$type<Record<string, unknown>>().notNull(),
    effectiveFrom: ts('effective_from').notNull().defaultNow(),
    supersededAt: ts('superseded_at'),
    createdBy: integer('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('sla_policies_lookup_idx').on(t.kind, t.priority, t.categoryId)],
);

export const routingRules = pgTable('routing_rules', {
  id: serial('id').primaryKey(),
  position: integer('position').notNull(),
  kind: text('kind'),
  categoryId: integer('category_id'),
  localityId: integer('locality_id'),
  agencyId: integer('agency_id').notNull(),
  active: boolean('active').notNull().default(true),
  note: text('note'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

// ---------------------------------------------------------------- cases

export const cases = pgTable(
  'cases',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    trackingCode: text('tracking_code').notNull(),
    accessKeyHash: text('access_key_hash').notNull(),
    kind: text('kind').notNull(),
    priority: text('priority').notNull().default('normal'),
    categoryId: integer('category_id'),
    localityId: integer('locality_id'),
    channel: text('channel').notNull(),
    /** open311 / api client that filed it */
    clientId: integer('client_id'),
    /** Open311 media_url as the client app gave it (http/https, never fetched); shown only to that app */
    mediaUrl: text('media_url'),
    title: text('title').notNull(),
    content: text('content').notNull(),
    /** accent-folded lower-case title + content, for search */
    searchText: text('search_text').notNull(),
    address: text('address'),
    lat: doublePrecision('lat'),
    long: doublePrecision('long'),
    businessName: text('business_name'),
    taxCode: text('tax_code'),
    contactName: text('contact_name'),
    phone: text('phone'),
    email: text('email'),
    consentPublishName: boolean('consent_publish_name').notNull().default(false),
    confidential: boolean('confidential').notNull().default(false),
    status: text('status').notNull(),
    agencyId: integer('agency_id'),
    routingRuleId: integer('routing_rule_id'),
    version: integer('version').notNull().default(1),
    receivedAt: ts('received_at').notNull(),
    enteredBy: integer('entered_by'),
    /** SLA policy frozen at receipt (domain SlaPolicy) */
    slaPolicy: jsonb('sla_policy').$type<Record<string, unknown>>().notNull(),
    slaPolicyId: integer('sla_policy_id'),
    assignedAt: ts('assigned_at'),
    acceptDueAt: ts('accept_due_at'),
    acceptedAt: ts('accepted_at'),
    /** the first acceptance (thụ lý), kept through returns: acceptance-started resolution clocks count from it */
    firstAcceptedAt: ts('first_accepted_at'),
    resolveDueAt: ts('resolve_due_at').notNull(),
    /** start of the current pause (awaiting_business) */
    pausedAt: ts('paused_at'),
    extensionsUsed: integer('extensions_used').notNull().default(0),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    /** early | on_time | late, at resolution */
    outcome: text('outcome'),
    resolvedWithExtension: boolean('resolved_with_extension'),
    /** terminal/resolution reason code */
    reason: text('reason'),
    duplicateOfId: bigint('duplicate_of_id', { mode: 'number' }),
    publicAnswer: text('public_answer'),
    lastPublicNote: text('last_public_note'),
    rating: smallint('rating'),
    ratingComment: text('rating_comment'),
    ratedAt: ts('rated_at'),
    disputeCount: integer('dispute_count').notNull().default(0),
    escalationLevel: smallint('escalation_level').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('cases_tracking_code_uq').on(t.trackingCode),
    // work queues: an agency's cases (or all) in deadline order, read 50 at a time
    index('cases_agency_due_idx').on(t.agencyId, t.resolveDueAt, t.id),
    index('cases_due_id_idx').on(t.resolveDueAt, t.id),
    index('cases_agency_status_due_idx').on(t.agencyId, t.status, t.resolveDueAt, t.id),
    index('cases_status_due_idx').on(t.status, t.resolveDueAt),
    index('cases_agency_updated_idx').on(t.agencyId, t.updatedAt, t.id),
    index('cases_received_idx').on(t.receivedAt),
    index('cases_resolved_idx').on(t.resolvedAt),
    // report: ratings given in a period (most cases are never rated)
    index('cases_rated_idx').on(t.ratedAt).where(sql`rated_at is not null`),
    // escalation sweeps: each scans only the cases of its own level
    index('cases_accept_pending_idx')
      .on(t.acceptDueAt)
      .where(sql`status = 'assigned' and (accepted_at is null or accepted_at < assigned_at)`),
    index('cases_resolved_open_idx').on(t.resolvedAt).where(sql`status = 'resolved'`),
    index('cases_awaiting_idx').on(t.pausedAt).where(sql`status = 'awaiting_business'`),
  ],
);

export const casePauses = pgTable(
  'case_pauses',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at'),
    reason: text('reason'),
  },
  (t) => [index('case_pauses_case_idx').on(t.caseId)],
);

export const caseExtensions = pgTable(
  'case_extensions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    amount: integer('amount').notNull(),
    unit: text('unit').notNull(),
    reason: text('reason').notNull(),
    approvedBy: integer('approved_by'),
    at: ts('at').notNull(),
    previousDueAt: ts('previous_due_at').notNull(),
    newDueAt: ts('new_due_at').notNull(),
  },
  (t) => [index('case_extensions_case_idx').on(t.caseId)],
);

export const attachments = pgTable(
  'attachments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    filename: text('filename').notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('attachments_case_idx').on(t.caseId)],
);

/**
 * The timeline: append-only, every event chained to the previous event of the whole log
 * (hash = sha256(prevHash + canonical event)). Events are written in their use case's
 * transaction without seq/hash; the chain sealer gives them their place and hash right after
 * commit (in batches), so writers never queue on one lock.
 */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** position in the global chain, 1.. without gaps; null until sealed */
    seq: bigint('seq', { mode: 'number' }),
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    at: ts('at').notNull(),
    actorUserId: integer('actor_user_id'),
    /** public | coordinator | agency_staff | agency_lead | inspector | admin | system */
    actorRole: text('actor_role').notNull(),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    publicText: text('public_text'),
    internalText: text('internal_text'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    uniqueIndex('case_events_seq_uq').on(t.seq),
    index('case_events_unsealed_idx').on(t.id).where(sql`seq is null`),
    index('case_events_case_idx').on(t.caseId, t.id),
    index('case_events_action_at_idx').on(t.action, t.at),
    // report: each case's last status change before an instant (open at the end of a period)
    index('case_events_case_status_at_idx').on(t.caseId, t.at, t.id).where(sql`to_status is not null`),
  ],
);

/**
 * Signed checkpoints of the timeline's chain head: checkpoint n (1.. without gaps) says that the
 * chain's event at `seq` has hash `hash`, signed at `at` with the service's Ed25519 key (the key
 * itself is never stored in the database; `key_id` names it). See docs/tamper-evidence.md.
 */
export const chainCheckpoints = pgTable('chain_checkpoints', {
  n: bigint('n', { mode: 'number' }).primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  at: ts('at').notNull(),
  /** first 16 hex digits of the SHA-256 of the raw public key */
  keyId: text('key_id').notNull(),
  /** base64 Ed25519 signature of the checkpoint message */
  signature: text('signature').notNull(),
});

/** Messages to send, written in the same transaction as their cause. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    messageId: text('message_id').notNull(),
    template: text('template').notNull(),
    caseId: bigint('case_id', { mode: 'number' }),
    toAddrs: text('to_addrs').array().notNull(),
    ccAddrs: text('cc_addrs').array().notNull().default(sql`'{}'::text[]`),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    /** pending | sending | sent | dead */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    /** the instance holding the lease (PAKN_INSTANCE_ID) while status = 'sending' */
    lockedBy: text('locked_by'),
    /** recipients the SMTP server accepted (never sent to again) */
    deliveredTo: text('delivered_to').array().notNull().default(sql`'{}'::text[]`),
    /** recipients refused permanently (5xx); the message is dead until retried */
    refusedTo: text('refused_to').array().notNull().default(sql`'{}'::text[]`),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    uniqueIndex('outbox_message_id_uq').on(t.messageId),
    index('outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('outbox_case_idx').on(t.caseId),
    // the age of the oldest waiting message (metrics, summary)
    index('outbox_pending_created_idx').on(t.createdAt).where(sql`status = 'pending'`),
  ],
);

/** One row per (case, escalation level, deadline): the claim that makes each firing happen once. */
export const escalations = pgTable(
  'escalations',
  {
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    /** due_soon | accept_overdue | overdue | serious | triage_stale | auto_close */
    level: text('level').notNull(),
    deadlineAt: ts('deadline_at').notNull(),
    firedAt: ts('fired_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.level, t.deadlineAt] })],
);

/** Idempotency-Key and updateId answers: a repeat gets the first answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    body: jsonb('body').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

// ---------------------------------------------------------------- publication & inspection

export const reports = pgTable(
  'reports',
  {
    id: serial('id').primaryKey(),
    /** YYYY-MM, or a longer period YYYY-Qn / YYYY-H1 / YYYY */
    period: text('period').notNull(),
    revision: integer('revision').notNull(),
    methodVersion: text('method_version').notNull(),
    contentHash: text('content_hash').notNull(),
    /** canonical JSON text, byte-for-byte what is served */
    json: text('json').notNull(),
    csv: text('csv').notNull(),
    publishedAt: ts('published_at').notNull(),
    publishedBy: integer('published_by'),
  },
  (t) => [uniqueIndex('reports_period_revision_uq').on(t.period, t.revision)],
);

export const auditSamples = pgTable('audit_samples', {
  id: serial('id').primaryKey(),
  agencyId: integer('agency_id').notNull(),
  month: text('month').notNull(),
  seed: text('seed').notNull(),
  size: integer('size').notNull(),
  caseIds: bigint('case_ids', { mode: 'number' }).array().notNull(),
  createdBy: integer('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** how many answered cases the agency had that month (the population drawn from) */
  population: integer('population'),
  /** the sampled cases as they were when drawn: [{caseId, trackingCode, outcome, resolvedWithExtension, resolvedAt}] */
  snapshot: jsonb('snapshot').$type<Array<{ caseId: number; trackingCode: string; outcome: string; resolvedWithExtension: boolean; resolvedAt: string }>>(),
});

export const auditFindings = pgTable(
  'audit_findings',
  {
    id: serial('id').primaryKey(),
    sampleId: integer('sample_id').notNull(),
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    /** ok | no_substantive_answer | wrong_duplicate | unjustified_pause | wrong_reason_code */
    finding: text('finding').notNull(),
    note: text('note'),
    reopened: boolean('reopened').notNull().default(false),
    inspectorUserId: integer('inspector_user_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('audit_findings_sample_case_uq').on(t.sampleId, t.caseId)],
);

export const jobRuns = pgTable(
  'job_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    job: text('job').notNull(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at'),
    result: jsonb('result'),
    /** the instance that ran it (PAKN_INSTANCE_ID) */
    instance: text('instance'),
    /** ok | failed | interrupted (stopped early by a shutdown) */
    outcome: text('outcome'),
  },
  (t) => [index('job_runs_job_idx').on(t.job, t.id)],
);

/**
 * Who was shown a confidential reporter's identity: one row per (request, case), written in the
 * request that showed it. Append-only; listed at GET /api/v1/audit/access.
 */
export const accessRecords = pgTable(
  'access_records',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: ts('at').notNull(),
    userId: integer('user_id').notNull(),
    role: text('role').notNull(),
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    /** the route that showed it, e.g. "GET /api/v1/cases/:id" */
    route: text('route').notNull(),
  },
  (t) => [index('access_records_case_idx').on(t.caseId, t.id), index('access_records_user_idx').on(t.userId, t.id)],
);
// ---------------------------------------------------------------- settings

/**
 * The one row (id 1) of settings every instance reads: escalation recipients, the sending window
 * of staff notices and the public identity. A column still null was never set: start-up fills it
 * from the environment (PAKN_COORDINATOR_EMAILS …), the demo seed fills the identity, admin edits
 * it through PUT /api/v1/admin/settings.
 */
export const settings = pgTable('settings', {
  id: integer('id').primaryKey(),
  coordinatorEmails: text('coordinator_emails').array(),
  leadershipEmails: text('leadership_emails').array(),
  inspectorateEmails: text('inspectorate_emails').array(),
  /** "07:30-11:30,13:30-17:00": when staff notices leave, on working days */
  staffMailWindow: text('staff_mail_window'),
  provinceName: text('province_name'),
  hotline: text('hotline'),
  officeAddress: text('office_address'),
  version: integer('version').notNull().default(1),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: integer('updated_by'),
});

/** The audit trail of settings: one row per field changed (who, when, old → new). */
export const settingChanges = pgTable(
  'setting_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: ts('at').notNull(),
    actorUserId: integer('actor_user_id'),
    actorLabel: text('actor_label').notNull(),
    field: text('field').notNull(),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    /** the settings version this change produced */
    version: integer('version').notNull(),
  },
  (t) => [index('setting_changes_at_idx').on(t.at)],
);

/** One row per ISO week whose weekly report was sent: the claim that makes it go out once. */
export const weeklyReports = pgTable('weekly_reports', {
  /** YYYY-Www */
  week: text('week').primaryKey(),
  sentAt: ts('sent_at').notNull(),
  messages: integer('messages').notNull(),
});

/**
 * An agency system's subscription to case events (signed webhooks). The signing secret is kept
 * as issued (the server must sign with it; see docs/decisions.md) and never shown again.
 */
export const webhooks = pgTable(
  'webhooks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    agencyId: integer('agency_id').notNull(),
    url: text('url').notNull(),
    /** case.assigned | case.updated | case.escalated | case.left_agency */
    events: text('events').array().notNull(),
    description: text('description'),
    /** whsec_ + base64 of 24 random bytes */
    secret: text('secret').notNull(),
    /** the secret before the last rotation: deliveries are signed with both until previousSecretUntil */
    previousSecret: text('previous_secret'),
    previousSecretUntil: ts('previous_secret_until'),
    active: boolean('active').notNull().default(true),
    disabledAt: ts('disabled_at'),
    disabledReason: text('disabled_reason'),
    /** the first failed attempt since the last delivered one (null while deliveries succeed) */
    failingSince: ts('failing_since'),
    createdBy: integer('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('webhooks_agency_idx').on(t.agencyId)],
);

/**
 * One message to one webhook: written with the case change (a trigger on case_events, in the same
 * transaction), claimed once across instances, tried again with backoff until delivered or dead.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    webhookId: bigint('webhook_id', { mode: 'number' })
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    /** the webhook-id header: the same on every attempt of this message */
    msgId: text('msg_id')
      .notNull()
      .default(sql`'msg_' || replace(gen_random_uuid()::text, '-', '')`),
    /** case.assigned | case.updated | case.escalated | case.left_agency | ping */
    eventType: text('event_type').notNull(),
    caseId: bigint('case_id', { mode: 'number' }),
    eventId: bigint('event_id', { mode: 'number' }),
    /** the case version the event produced */
    caseVersion: integer('case_version'),
    eventAt: ts('event_at').notNull(),
    /** the JSON body, fixed at the first attempt so that every attempt sends the same bytes */
    payload: text('payload'),
    /** pending | sending | delivered | dead */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    lockedBy: text('locked_by'),
    lastAttemptAt: ts('last_attempt_at'),
    /** HTTP status of the last attempt (null: no answer) */
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    lastDurationMs: integer('last_duration_ms'),
    deliveredAt: ts('delivered_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_msg_id_uq').on(t.msgId),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    // per-case order: the earlier undelivered message of the same case and webhook
    index('webhook_deliveries_case_idx').on(t.webhookId, t.caseId, t.id),
    index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id),
  ],
);
