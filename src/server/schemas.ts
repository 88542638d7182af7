import { z } from '@hono/zod-openapi';
import { CREDENTIAL_STATES, INTEGRATION_KINDS, SIGNAL_STATUSES } from '../shared/index.js';

/**
 * Every request and response body of the REST API, declared once: the same objects validate requests,
 * filter responses (zod strips unknown keys, so a field added to a service view never leaks by accident)
 * and generate /api/openapi.json.
 */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'forbidden' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const Role = z.enum(['owner', 'admin', 'auditor']).openapi('Role');
export const SignalStatus = z.enum(SIGNAL_STATUSES).openapi('SignalStatus');
export const IntegrationKind = z.enum(INTEGRATION_KINDS).openapi('IntegrationKind');
export const CredentialState = z.enum(CREDENTIAL_STATES);

export const OrgParam = z.object({
  org: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'org', in: 'path' }, example: 'demo' }),
});
export const OrgIntegrationParam = OrgParam.extend({
  integration: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'integration', in: 'path' } }),
});
export const OrgSignalParam = OrgParam.extend({
  signal: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .openapi({ param: { name: 'signal', in: 'path' }, example: 'mfa_enrollment' }),
});
export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const Membership = z.object({ orgId: z.string(), orgSlug: z.string().nullable(), role: Role });
export const User = z
  .object({
    id: z.string(),
    username: z.string(),
    isAdmin: z.boolean(),
    disabled: z.boolean(),
    createdAt: z.string(),
    memberships: z.array(Membership),
  })
  .openapi('User');

export const LoginBody = z
  .object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) })
  .openapi('Login');
/** The Duo second step's waiting screen (docs/verify.md): what to choose, or what is outstanding. */
export const SecondStep = z
  .object({
    state: z.enum(['choose', 'waiting', 'redirect']),
    message: z.string(),
    /** With Duo's Universal Prompt: where the browser goes next (it comes back to /api/v1/session/duo/callback). */
    redirectUrl: z.string().optional(),
    factors: z.array(z.string()),
    devices: z.array(z.object({ device: z.string(), name: z.string(), capabilities: z.array(z.string()) })),
  })
  .openapi('SecondStep');
/**
 * `next` names a further step before the session is usable: with Duo 2FA on (docs/verify.md) the password
 * answers `{state: 'pending', next: 'duo_2fa', secondStep}` and the step's routes finish the sign-in.
 */
export const SessionState = z
  .object({
    state: z.enum(['authenticated', 'pending']),
    next: z.enum(['duo_2fa']).nullable(),
    user: User.nullable(),
    csrfToken: z.string().nullable(),
    expiresAt: z.string().nullable(),
    secondStep: SecondStep.nullable().optional(),
    /** How this session was opened: the second factor used, or that none was and why. */
    secondFactor: z
      .object({ mfa: z.boolean(), factor: z.string().nullable(), reason: z.string() })
      .nullable()
      .optional(),
  })
  .openapi('Session');
export const SecondStepBody = z
  .object({
    factor: z.enum(['push', 'passcode', 'sms', 'phone']),
    device: z.string().min(1).max(100).optional(),
    passcode: z.string().min(1).max(64).optional(),
  })
  .openapi('SecondStepChoice');
export const PasswordChange = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(12).max(1024),
});

export const Org = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    createdAt: z.string(),
    worstStatus: SignalStatus.nullable(),
    role: Role.nullable().openapi({ description: 'Your role in it; null for a global administrator.' }),
  })
  .openapi('Organization');
export const OrgList = z.object({ organizations: z.array(Org) });
export const NewOrg = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
  name: z.string().min(1).max(200).optional(),
});

const Health = z.object({
  state: CredentialState,
  until: z.string().nullable(),
  lastErrorKind: z.string().nullable(),
  lastErrorMessage: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
});
export const Integration = z
  .object({
    id: z.string(),
    orgId: z.string(),
    kind: IntegrationKind,
    apiHost: z.string(),
    label: z.string(),
    mkey: z.string().nullable(),
    ikeyHint: z.string(),
    health: Health,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Integration');
export const IntegrationList = z.object({ integrations: z.array(Integration) });

const apiHost = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,250}(:[0-9]{1,5})?$/i, 'a host name such as api-XXXXXXXX.duosecurity.com');
export const NewIntegration = z
  .object({
    kind: IntegrationKind.default('admin'),
    apiHost,
    ikey: z.string().regex(/^[A-Z0-9]{20}$/, 'the 20-character integration key (DI…)'),
    skey: z
      .string()
      .min(40)
      .max(40)
      .openapi({ description: 'Write-only: never returned.', format: 'password' }),
    label: z.string().max(200).optional(),
    mkey: z.string().max(40).optional(),
    force: z.boolean().optional().openapi({ description: 'Save even when the test fails.' }),
  })
  .openapi('NewIntegration');
export const UpdateIntegrationBody = z
  .object({
    label: z.string().max(200).optional(),
    apiHost: z.string().max(253).optional(),
    mkey: z.string().max(40).nullable().optional(),
    force: z
      .boolean()
      .optional()
      .openapi({ description: 'Save even when the test of a new hostname fails.' }),
  })
  .openapi('UpdateIntegration');
export const RotateBody = z.object({
  ikey: z
    .string()
    .regex(/^[A-Z0-9]{20}$/)
    .optional(),
  skey: z.string().min(40).max(40).openapi({ format: 'password' }),
  force: z.boolean().optional(),
});

export const TestCheck = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(['pass', 'warn', 'fail']),
  code: z.number().optional(),
  message: z.string(),
  fix: z.string().optional(),
});
export const TestReport = z
  .object({
    ok: z.boolean(),
    checks: z.array(TestCheck),
    clockSkewMs: z.number().nullable(),
    serverTime: z.string().nullable(),
    latencyMs: z.number().nullable(),
  })
  .openapi('TestReport');
export const SaveResult = z
  .object({ saved: z.boolean(), integration: Integration.nullable(), report: TestReport })
  .openapi('SaveResult');

export const Signal = z
  .object({
    id: z.string(),
    status: SignalStatus,
    metrics: z.record(z.string(), z.unknown()),
    controls: z.unknown(),
    truncated: z.boolean(),
    notes: z.array(z.string()),
    runId: z.string().nullable(),
    integrationId: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string(),
    extended: z.boolean().optional(),
  })
  .openapi('Signal');
export const Evidence = z
  .object({
    org: z.string(),
    signals: z.array(Signal).openapi({ description: 'The five signals of the compliance specification.' }),
    extended: z.array(Signal).optional().openapi({ description: 'Extended signals, shown separately.' }),
    pending: z
      .array(z.object({ signal: z.string(), reason: z.string(), since: z.string() }))
      .optional()
      .openapi({ description: "Signals whose run is still going (the auth log waits for Duo's budget)." }),
  })
  .openapi('Evidence');
export const History = z.object({ signal: z.string(), records: z.array(Signal) }).openapi('History');
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());
export const RangeQuery = z.object({ from: isoDate.optional(), to: isoDate.optional() });
export const ExportQuery = RangeQuery.extend({ format: z.enum(['json', 'csv', 'html']).default('json') });
export const Queued = z.object({ queued: z.boolean(), runId: z.string().nullable() });

export const Run = z
  .object({
    id: z.string(),
    orgId: z.string().nullable(),
    integrationId: z.string().nullable(),
    kind: z.string(),
    status: z.string(),
    scheduledFor: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    counts: z.record(z.string(), z.number()),
    errorKind: z.string().nullable(),
    errorMessage: z.string().nullable(),
    explanation: z.string().nullable(),
  })
  .openapi('Run');
export const RunList = z.object({ runs: z.array(Run) });
export const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export const AuditQuery = LimitQuery.extend({ before: z.coerce.number().int().positive().optional() });

export const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    orgId: z.string().nullable(),
    target: z.string().nullable(),
    outcome: z.enum(['success', 'failure']),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');
export const AuditList = z.object({ entries: z.array(AuditEntry) });

export const NewUser = z.object({
  username: z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/),
  password: z.string().min(12).max(1024),
  isAdmin: z.boolean().default(false),
});
export const UserList = z.object({ users: z.array(User) });
export const UserPatch = z.object({
  disabled: z.boolean().optional(),
  password: z.string().min(12).max(1024).optional(),
});
export const Member = z.object({ userId: z.string(), username: z.string(), role: Role }).openapi('Member');
export const MemberList = z.object({ members: z.array(Member) });
export const MemberParam = OrgParam.extend({
  userId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'userId', in: 'path' } }),
});
export const MemberBody = z.object({ role: Role });

export const ApiToken = z
  .object({
    id: z.string(),
    label: z.string(),
    orgId: z.string(),
    role: Role,
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('ApiToken');
export const TokenList = z.object({ tokens: z.array(ApiToken) });
export const NewToken = z.object({
  label: z.string().min(1).max(100),
  role: Role,
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const OrgTokenParam = OrgParam.extend({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
export const CreatedToken = z
  .object({
    token: z.string().openapi({ description: 'Shown once; stored only as a SHA-256 hash.' }),
    apiToken: ApiToken,
  })
  .openapi('CreatedToken');
export const Ok = z.object({ ok: z.literal(true) });
