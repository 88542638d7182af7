/* eslint-disable @typescript-eslint/require-await -- in-memory fakes of async repositories: nothing to await. */
import { randomUUID } from 'node:crypto';
import type {
  Actor,
  DuowatchServices,
  EvidenceView,
  IntegrationView,
  NewIntegration,
  OrgView,
  RunView,
  SignalStatus,
  SignalView,
  TestCheck,
  TestReport,
} from '../services/contract.js';
import type { AuditLogRepository, Organization, OrganizationRepository } from '../store/index.js';

/**
 * An in-memory DuowatchServices for the server's tests, the dashboard e2e and the benchmark until the real
 * service layer is composed in: deterministic evidence every four hours since each org was created,
 * Test before Save driven by the candidate's values (documented below), and it records the audit entries
 * the real services write. It knows nothing of Duo; it only has the contract's shapes.
 *
 * Candidate rules: an apiHost not ending in `.duosecurity.com` (or `127.0.0.1`/`localhost`) is unreachable;
 * an ikey starting `DIBAD` fails the signature (40103); a skey starting `nolog` lacks "Grant read log"
 * (40301); an ikey starting `DIFAIL` saved with force is `auth_failed` for 24 h; `DIRATE` is `rate_limited`.
 */
export interface FakeServicesOptions {
  /** Organizations live in the real store (memberships and tokens reference them); the rest is in memory. */
  store: { organizations: OrganizationRepository; auditLog: Pick<AuditLogRepository, 'append'> };
  clock?: () => Date;
  /** Days of history behind each org created (default 30). */
  historyDays?: number;
}

export const SIGNAL_IDS = [
  'mfa_enrollment',
  'global_policy',
  'admin_inventory',
  'account_settings',
  'auth_log_aggregate',
] as const;
const SLOT_MS = 4 * 3_600_000;
// Shaped like src/evidence's ControlRef, so the dashboard renders the fake and the real alike.
const ref = (names: string, soc2: string, iso: string, nist: string) => ({
  names: [names],
  soc2: [soc2],
  iso27001: [iso],
  nist80053: [nist],
});
const CONTROLS: Record<string, ReturnType<typeof ref>> = {
  mfa_enrollment: ref('Logical access', 'CC6.1', 'A.5.17', 'IA-2(1)'),
  global_policy: ref('Mandatory MFA', 'CC6.1', 'A.8.5', 'IA-2'),
  admin_inventory: ref('Privileged access', 'CC6.3', 'A.8.2', 'AC-6'),
  account_settings: ref('Password & lockout policy', 'CC6.1', 'A.8.5', 'AC-7'),
  auth_log_aggregate: ref('Audit logging', 'CC7.2', 'A.8.15', 'AU-6'),
};

function wave(seed: number, t: number): number {
  return (Math.sin(seed * 12.9898 + t / 86_400_000) + 1) / 2;
}

export function makeSignal(orgSeed: number, id: string, at: Date, runId: string | null): SignalView {
  const w = wave(orgSeed + id.length, at.getTime());
  const iso = at.toISOString();
  const base = {
    id,
    controls: CONTROLS[id] ?? ref('', '', '', ''),
    truncated: false,
    notes: [] as string[],
    runId,
    integrationId: null,
    startedAt: iso,
    finishedAt: iso,
  };
  switch (id) {
    case 'mfa_enrollment': {
      const total = 200 + (orgSeed % 50);
      const bypass = Math.round(w * 6);
      const enrolled = Math.round(total * (0.9 + w * 0.1));
      const share = enrolled / total;
      const status: SignalStatus =
        bypass > total * 0.05 || share < 0.8 ? 'fail' : bypass > 0 || share < 0.95 ? 'warning' : 'pass';
      const bypassMembers = Array.from({ length: bypass }, (_, i) => ({
        username: `bypass.user${i + 1}`,
        realname: `Bypass User ${i + 1}`,
      }));
      return {
        ...base,
        status,
        metrics: {
          total,
          enrolled,
          unenrolled: total - enrolled,
          enrollmentShare: share,
          bypassCount: bypass,
          bypassMembers,
          activeLast30d: Math.round(total * 0.7),
          byStatus: { active: total - bypass - 3, bypass, disabled: 2, locked_out: 1, pending_deletion: 0 },
        },
      };
    }
    case 'global_policy':
      return {
        ...base,
        status: 'pass',
        metrics: { policyName: 'Global Policy', enforces2fa: true, newUserPolicy: 'require_enrollment' },
      };
    case 'admin_inventory': {
      const admins = [
        { name: 'Ada Owner', role: 'Owner', status: 'Active', lastLogin: iso },
        { name: 'Grace Admin', role: 'Administrator', status: 'Active', lastLogin: null },
      ];
      return {
        ...base,
        status: 'pass',
        metrics: { total: admins.length, ownerCount: 1, owners: ['Ada Owner'], admins },
      };
    }
    case 'account_settings':
      return {
        ...base,
        status: w > 0.8 ? 'warning' : 'pass',
        metrics: { lockoutThreshold: w > 0.8 ? 0 : 10, lockoutExpireDuration: 15, minimumPasswordLength: 12 },
      };
    default: {
      const total = 500 + Math.round(w * 500);
      const failed = Math.round(total * (0.02 + w * 0.1));
      const failureRate = failed / total;
      return {
        ...base,
        status: failureRate > 0.25 ? 'fail' : failureRate > 0.05 ? 'warning' : 'pass',
        metrics: {
          total,
          succeeded: total - failed,
          failed,
          fraud: 0,
          errored: 0,
          uniqueUsers: 150,
          failureRatePct: failureRate * 100,
          factors: {
            duo_push: Math.round(total * 0.6),
            webauthn_credential: Math.round(total * 0.2),
            passcode: Math.round(total * 0.15),
            sms_passcode: Math.round(total * 0.05),
          },
          topReasons: [
            { reason: 'no_response', count: Math.round(failed * 0.7) },
            { reason: 'invalid_passcode', count: failed - Math.round(failed * 0.7) },
          ],
        },
      };
    }
  }
}

const RANK: Record<SignalStatus, number> = { pass: 0, warning: 1, fail: 2 };

export function fakeServices(opts: FakeServicesOptions): DuowatchServices & { calls: string[] } {
  const clock = opts.clock ?? (() => new Date());
  const { organizations, auditLog } = opts.store;
  const historyDays = opts.historyDays ?? 30;
  type OrgState = OrgView & { seed: number; historyFrom: number; synced: SignalView[] };
  const orgs = new Map<string, OrgState>();
  const integrations = new Map<string, IntegrationView & { secret: string }>();
  const runs: RunView[] = [];
  const calls: string[] = [];
  const log = (
    orgId: string | null,
    actor: Actor,
    action: string,
    target: string | null,
    details: Record<string, unknown> = {},
  ) =>
    auditLog.append({
      actor: actor.id,
      ip: actor.ip ?? null,
      action,
      orgId,
      target,
      details: { ...details, outcome: 'success' },
    });
  const state = (row: Organization) => {
    let o = orgs.get(row.id);
    if (!o) {
      o = {
        id: row.id,
        slug: row.slug,
        name: row.name,
        createdAt: row.createdAt.toISOString(),
        worstStatus: null,
        seed: orgs.size + 1,
        historyFrom: row.createdAt.getTime() - historyDays * 86_400_000,
        synced: [],
      };
      orgs.set(row.id, o);
    }
    return o;
  };
  const org = async (id: string) => {
    const row = await organizations.get(id);
    if (!row) throw Object.assign(new Error('no such org'), { status: 404 });
    return state(row);
  };
  const latestOf = (o: typeof orgs extends Map<string, infer V> ? V : never): SignalView[] => {
    if (![...integrations.values()].some((i) => i.orgId === o.id)) return [];
    return SIGNAL_IDS.map(
      (id) =>
        o.synced.filter((s) => s.id === id).at(-1) ??
        makeSignal(o.seed, id, new Date(Math.floor(clock().getTime() / SLOT_MS) * SLOT_MS), null),
    );
  };
  const view = (o: typeof orgs extends Map<string, infer V> ? V : never): OrgView => {
    const latest = latestOf(o);
    const worst = latest.reduce<SignalStatus | null>(
      (w, s) => (w === null || RANK[s.status] > RANK[w] ? s.status : w),
      null,
    );
    return { id: o.id, slug: o.slug, name: o.name, createdAt: o.createdAt, worstStatus: worst };
  };

  function testReport(input: NewIntegration): TestReport {
    const checks: TestCheck[] = [];
    const reachable = /\.duosecurity\.com$|^127\.0\.0\.1(:\d+)?$|^localhost(:\d+)?$/.test(input.apiHost);
    checks.push(
      reachable
        ? {
            id: 'reachability',
            label: 'API host reachable',
            status: 'pass',
            message: `Connected to ${input.apiHost}.`,
          }
        : {
            id: 'reachability',
            label: 'API host reachable',
            status: 'fail',
            message: `Cannot reach ${input.apiHost}.`,
            fix: 'Copy the API hostname from the application page in the Duo Admin Panel (api-XXXXXXXX.duosecurity.com).',
          },
    );
    if (reachable) {
      checks.push({
        id: 'clock_skew',
        label: 'Clock skew',
        status: 'pass',
        message: 'Clock skew 1.2 s (limit 30 s).',
      });
      const sigOk = !input.ikey.startsWith('DIBAD');
      checks.push(
        sigOk
          ? {
              id: 'signature',
              label: 'Signature accepted',
              status: 'pass',
              message: 'Duo accepted the signed request.',
            }
          : {
              id: 'signature',
              label: 'Signature accepted',
              status: 'fail',
              code: 40103,
              message: 'Invalid signature in request credentials.',
              fix: 'Re-copy the integration key and secret key from the Admin API application page.',
            },
      );
      if (sigOk) {
        for (const [grant, label] of [
          ['grant_read_information', 'Grant read information'],
          ['grant_read_log', 'Grant read log'],
          ['grant_read_resource', 'Grant read resource'],
          ['grant_administrators', 'Grant administrators — Read'],
        ] as const) {
          const missing = grant === 'grant_read_log' && input.skey.startsWith('nolog');
          checks.push(
            missing
              ? {
                  id: grant,
                  label,
                  status: 'fail',
                  code: 40301,
                  message: 'Access forbidden: the application lacks this permission.',
                  fix: `Tick "${label}" on the Admin API application page in the Duo Admin Panel, then Save.`,
                }
              : { id: grant, label, status: 'pass', message: 'Granted.' },
          );
        }
      }
    }
    const ok = checks.every((c) => c.status !== 'fail');
    return {
      ok,
      checks,
      clockSkewMs: reachable ? 1200 : null,
      serverTime: reachable ? clock().toISOString() : null,
      latencyMs: reachable ? 42 : null,
    };
  }

  function runSync(o: OrgState, kind: string): RunView {
    const now = clock();
    const id = randomUUID();
    for (const signal of SIGNAL_IDS) o.synced.push(makeSignal(o.seed, signal, now, id));
    const run: RunView = {
      id,
      orgId: o.id,
      integrationId: null,
      kind,
      status: 'succeeded',
      scheduledFor: null,
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      durationMs: 850,
      counts: { users: 200, admins: 2 },
      errorKind: null,
      errorMessage: null,
      explanation: null,
    };
    runs.push(run);
    return run;
  }

  const services: DuowatchServices & { calls: string[] } = {
    calls,
    orgs: {
      async list() {
        calls.push('orgs.list');
        return (await organizations.list()).map((row) => view(state(row)));
      },
      async get(idOrSlug) {
        const row = await organizations.resolve(idOrSlug);
        return row ? view(state(row)) : null;
      },
      async create(input, actor) {
        const row = await organizations.create(input.name === undefined ? { slug: input.slug } : input);
        await log(row.id, actor, 'org.create', input.slug);
        return view(state(row));
      },
      async remove(orgId, actor) {
        await organizations.delete(orgId);
        orgs.delete(orgId);
        await log(orgId, actor, 'org.remove', orgId);
      },
    },
    integrations: {
      async list(orgId) {
        return [...integrations.values()]
          .filter((i) => i.orgId === orgId)
          .map(({ secret: _s, ...rest }) => ({ ...rest }));
      },
      async add(orgId, input, addOpts, actor) {
        const o = await org(orgId);
        const report = testReport(input);
        if (!report.ok && addOpts.force !== true) {
          await log(orgId, actor, 'integration.add', input.apiHost, { saved: false });
          return { saved: false, integration: null, report };
        }
        const now = clock();
        const state = input.ikey.startsWith('DIFAIL')
          ? 'auth_failed'
          : input.ikey.startsWith('DIRATE')
            ? 'rate_limited'
            : 'ok';
        const integration = {
          id: randomUUID(),
          orgId,
          kind: input.kind,
          apiHost: input.apiHost,
          label: input.label ?? 'Admin API',
          mkey: input.mkey ?? null,
          ikeyHint: `${input.ikey.slice(0, 2)}…${input.ikey.slice(-3)}`,
          secret: input.skey,
          health: {
            state,
            until: state === 'auth_failed' ? new Date(now.getTime() + 86_400_000).toISOString() : null,
            lastErrorKind: state === 'ok' ? null : state,
            lastErrorMessage:
              state === 'auth_failed'
                ? 'Duo refused the credentials (40103).'
                : state === 'rate_limited'
                  ? 'Duo answered 429 Too Many Requests.'
                  : null,
            lastSuccessAt: null,
          },
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        } satisfies IntegrationView & { secret: string };
        integrations.set(integration.id, integration);
        await log(orgId, actor, 'integration.add', integration.id, { saved: true, forced: !report.ok });
        if (state === 'ok') runSync(o, 'identity_sync');
        const { secret: _s, ...shown } = integration;
        return { saved: true, integration: shown, report };
      },
      async test(orgId, integrationId) {
        const i = integrations.get(integrationId);
        if (!i || i.orgId !== orgId) throw new Error('no such integration');
        return testReport({ kind: i.kind, apiHost: i.apiHost, ikey: i.ikeyHint, skey: i.secret });
      },
      async testCandidate(input) {
        calls.push('integrations.testCandidate');
        return testReport(input);
      },
      async rotate(orgId, integrationId, input, rotateOpts, actor) {
        const i = integrations.get(integrationId);
        if (!i || i.orgId !== orgId) throw new Error('no such integration');
        const report = testReport({
          kind: i.kind,
          apiHost: i.apiHost,
          ikey: input.ikey ?? 'DIXXXXXXXXXXXXXXXXXX',
          skey: input.skey,
        });
        if (!report.ok && rotateOpts.force !== true) return { saved: false, integration: null, report };
        i.secret = input.skey;
        i.updatedAt = clock().toISOString();
        await log(orgId, actor, 'integration.rotate', integrationId);
        const { secret: _s, ...shown } = i;
        return { saved: true, integration: shown, report };
      },
      async update(orgId, integrationId, input, _opts, actor) {
        const i = integrations.get(integrationId);
        if (!i || i.orgId !== orgId) throw new Error('no such integration');
        if (input.label !== undefined) i.label = input.label;
        if (input.apiHost !== undefined) i.apiHost = input.apiHost;
        i.updatedAt = clock().toISOString();
        await log(orgId, actor, 'integration.update', integrationId);
        const { secret: _s, ...shown } = i;
        return {
          saved: true,
          integration: shown,
          report: { ok: true, checks: [], clockSkewMs: null, serverTime: null, latencyMs: null },
        };
      },
      async remove(orgId, integrationId, actor) {
        const i = integrations.get(integrationId);
        if (i?.orgId === orgId) integrations.delete(integrationId);
        await log(orgId, actor, 'integration.remove', integrationId);
      },
    },
    evidence: {
      async sync(orgId, _o, actor): Promise<EvidenceView> {
        const o = await org(orgId);
        runSync(o, 'identity_sync');
        await log(orgId, actor, 'evidence.sync', null);
        return { org: o.slug, signals: latestOf(o) };
      },
      async queueSync(orgId, actor) {
        const o = await org(orgId);
        const run = runSync(o, 'identity_sync');
        await log(orgId, actor, 'evidence.queue_sync', run.id);
        return { queued: true, runId: run.id };
      },
      async latest(orgId) {
        const o = await org(orgId);
        return { org: o.slug, signals: latestOf(o) };
      },
      async history(orgId, signal, range) {
        const o = await org(orgId);
        if (![...integrations.values()].some((i) => i.orgId === o.id)) return [];
        const out: SignalView[] = [];
        const start = Math.ceil(Math.max(range.from.getTime(), o.historyFrom) / SLOT_MS) * SLOT_MS;
        for (let t = start; t <= Math.min(range.to.getTime(), clock().getTime()); t += SLOT_MS)
          out.push(makeSignal(o.seed, signal, new Date(t), null));
        return out;
      },
      async export(orgId, exportOpts) {
        const o = await org(orgId);
        const signals = latestOf(o);
        const stamp = clock().toISOString().slice(0, 10);
        if (exportOpts.format === 'json')
          return {
            contentType: 'application/json',
            filename: `duowatch-${o.slug}-${stamp}.json`,
            body: JSON.stringify({ org: o.slug, from: exportOpts.from, to: exportOpts.to, signals }, null, 2),
          };
        if (exportOpts.format === 'csv')
          return {
            contentType: 'text/csv; charset=utf-8',
            filename: `duowatch-${o.slug}-${stamp}.csv`,
            body:
              [
                'signal,status,finished_at',
                ...signals.map((s) => `${s.id},${s.status},${s.finishedAt}`),
              ].join('\n') + '\n',
          };
        const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
        return {
          contentType: 'text/html; charset=utf-8',
          filename: `duowatch-${o.slug}-${stamp}.html`,
          body: `<!doctype html><title>Evidence ${esc(o.slug)}</title><h1>Evidence for ${esc(o.name)}</h1><ul>${signals.map((s) => `<li>${esc(s.id)}: ${esc(s.status)}</li>`).join('')}</ul>`,
        };
      },
    },
    runs: {
      async list(orgId, listOpts) {
        return runs
          .filter((r) => r.orgId === orgId)
          .reverse()
          .slice(0, listOpts.limit ?? 50);
      },
    },
  };
  return services;
}
