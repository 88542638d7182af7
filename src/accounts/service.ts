import { randomBytes } from 'node:crypto';
import { DuowatchError, ServiceError } from '../shared/index.js';
import {
  GLOBAL_ADMIN_RANK,
  ROLE_RANK,
  type AccountsStore,
  type ApiToken,
  type Membership,
  type Operator,
  type OrgRole,
} from './accounts-store.js';
import {
  DEFAULT_SCRYPT,
  dummyHash,
  hashPassword,
  needsRehash,
  verifyPassword,
  type ScryptParams,
} from './password.js';
import { newApiToken, sha256, type RandomBytes } from './secrets.js';
import { createSessions, type OpenedSession } from './sessions.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions } from './throttle.js';

/** A session lives this long after its last use unless the server is configured otherwise. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60_000;

/** Who acts (`operator:<id>`, `token:<id>`, `cli`, `anonymous`) and from where; both go to the audit log. */
export interface AccountsActor {
  readonly id: string;
  readonly ip?: string | null;
}

export type AccountsErrorCode = 'user_exists';

/**
 * What only the accounts service refuses (a missing operator is the shared `not_found`); the REST API answers
 * `{error: {code, message}}` with its status, the CLI exits 2.
 */
export class AccountsError extends DuowatchError {
  constructor(code: AccountsErrorCode, message: string) {
    super(code, message, { status: 409, exitCode: 2 });
  }
}

/** A password check's answer: the operator, a lock (retry after), or a refusal that names nothing. */
export type PasswordCheck =
  { kind: 'ok'; operator: Operator } | { kind: 'throttled'; retryAfterMs: number } | { kind: 'refused' };

export interface AccountsServiceOptions {
  store: AccountsStore;
  clock?: () => Date;
  /** Cost of new password hashes; older, weaker hashes are upgraded at the next sign-in. */
  scrypt?: ScryptParams;
  throttle?: ThrottleOptions;
  /** Where token, session and device secrets come from (default node:crypto). */
  random?: RandomBytes;
  /** Sliding session lifetime (default 12 h). */
  sessionTtlMs?: number;
}

export interface OperatorPatch {
  disabled?: boolean | undefined;
  password?: string | undefined;
}

/**
 * Operators, roles, memberships and the password step of signing in, for the REST API and the CLI alike
 * (docs/accounts.md), and the sessions and tokens that say who is asking (`sessions`). Cookies, headers and
 * the second factor's screens stay in src/server; every change here is audited with the actor it is given.
 */
export function createAccountsService(options: AccountsServiceOptions) {
  const { store } = options;
  const clock = options.clock ?? (() => new Date());
  const scrypt = options.scrypt ?? DEFAULT_SCRYPT;
  const random = options.random ?? randomBytes;
  const throttle = new LoginThrottle(store.loginThrottle, clock, options.throttle ?? DEFAULT_THROTTLE);
  // Verified against for unknown users; made on first need, or ahead by `prepareLogin` (the server does, so
  // a first unknown-user sign-in is not faster than the rest). The CLI never pays for it.
  let dummy: Promise<string> | null = null;
  const dummyOnce = (): Promise<string> => {
    dummy ??= dummyHash(scrypt);
    return dummy;
  };

  async function audit(
    actor: AccountsActor,
    entry: {
      action: string;
      orgId?: string | null;
      target: string | null;
      details?: Record<string, unknown>;
    },
    outcome: 'success' | 'failure' = 'success',
  ): Promise<void> {
    await store.auditLog.append({
      actor: actor.id,
      orgId: entry.orgId ?? null,
      action: entry.action,
      target: entry.target,
      details: { ...entry.details, outcome },
      ip: actor.ip ?? null,
      at: clock(),
    });
  }

  async function operator(id: string): Promise<Operator> {
    const op = await store.operators.get(id);
    if (op === undefined) throw new ServiceError('not_found', 'No such user.');
    return op;
  }

  async function byName(username: string): Promise<Operator> {
    const op = await store.operators.findByUsername(username);
    if (op === undefined) throw new ServiceError('not_found', `No user "${username}".`);
    return op;
  }

  async function creatorRank(token: ApiToken): Promise<number> {
    if (token.createdBy === null) return 0;
    const op = await store.operators.get(token.createdBy);
    if (!op || op.disabled) return 0;
    if (op.superadmin) return GLOBAL_ADMIN_RANK;
    const role = (await store.memberships.listForOperator(op.id)).find((m) => m.orgId === token.orgId)?.role;
    return role === undefined ? 0 : ROLE_RANK[role];
  }

  const sessions = createSessions({
    store,
    clock,
    random,
    ttlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    creatorRank,
  });

  return {
    throttle,
    sessions,

    /**
     * The end of a successful sign-in (after every factor): the login is recorded, the browser becomes a
     * known device and a session opens. The caller sets the cookies and audits `session.login`.
     */
    async signIn(op: Operator, ip: string | null): Promise<{ session: OpenedSession; device: string }> {
      await store.operators.recordLogin(op.id, clock());
      const device = await sessions.rememberDevice(op.id);
      return { session: await sessions.open(op.id, ip), device };
    },

    /** Makes the unknown-user hash now (it never rejects in practice). */
    prepareLogin(): void {
      dummyOnce().catch(() => undefined);
    },

    /**
     * Sign-in step one. The attempt is counted before the password is checked (throttle.ts); scrypt runs
     * even for an unknown user so timing reveals nothing; a hash weaker than the current cost is replaced
     * now, the one moment the password is in hand. Failures are audited as `session.login`.
     */
    async checkPassword(input: {
      username: string;
      password: string;
      ip: string;
      /** The hash of a device cookie that signed in as this user before, else null. */
      knownDevice: string | null;
      actor: AccountsActor;
    }): Promise<PasswordCheck> {
      const target = input.username.slice(0, 100);
      const op = await store.operators.findByUsername(input.username);
      const gate = await throttle.begin(throttle.loginKeys(input.username, input.ip, input.knownDevice));
      if (!gate.allowed) {
        // One audit row per key and lock, however many attempts the lock turns away.
        if (gate.firstInLock)
          await audit(
            input.actor,
            {
              action: 'session.login',
              target,
              details: { reason: 'throttled', lock: gate.key.split(':')[0] ?? 'unknown' },
            },
            'failure',
          );
        return { kind: 'throttled', retryAfterMs: gate.retryAfterMs };
      }
      const valid = await verifyPassword(input.password, op?.passwordHash ?? (await dummyOnce()));
      if (!op || !valid || op.disabled) {
        throttle.fail(gate.ticket);
        const reason = !op ? 'unknown_user' : op.disabled ? 'disabled' : 'bad_password';
        await audit(input.actor, { action: 'session.login', target, details: { reason } }, 'failure');
        return { kind: 'refused' };
      }
      await throttle.succeed(gate.ticket);
      if (needsRehash(op.passwordHash, scrypt))
        await store.operators.setPasswordHash(op.id, await hashPassword(input.password, scrypt));
      return { kind: 'ok', operator: op };
    },

    /** A signed-in operator's own change: throttled per operator, ends every session and known device. */
    async changePassword(
      op: Operator,
      current: string,
      next: string,
      actor: AccountsActor,
    ): Promise<PasswordCheck> {
      const gate = await throttle.begin(throttle.passwordChangeKeys(op.id));
      if (!gate.allowed) {
        if (gate.firstInLock)
          await audit(
            actor,
            { action: 'user.password', target: op.username, details: { reason: 'throttled' } },
            'failure',
          );
        return { kind: 'throttled', retryAfterMs: gate.retryAfterMs };
      }
      if (!(await verifyPassword(current, op.passwordHash))) {
        throttle.fail(gate.ticket);
        await audit(
          actor,
          { action: 'user.password', target: op.username, details: { reason: 'bad_password' } },
          'failure',
        );
        return { kind: 'refused' };
      }
      await throttle.succeed(gate.ticket);
      await store.operators.setPasswordHash(op.id, await hashPassword(next, scrypt));
      await store.sessions.deleteForOperator(op.id);
      // Devices that knew the old password are strangers again; the caller remembers its own anew.
      await store.loginDevices.forgetOperator(op.id);
      await audit(actor, { action: 'user.password', target: op.username });
      return { kind: 'ok', operator: op };
    },

    operators: {
      get: (id: string) => operator(id),
      byName,
      async list(): Promise<Array<{ operator: Operator; memberships: Membership[] }>> {
        const out = [];
        for (const op of await store.operators.list())
          out.push({ operator: op, memberships: await store.memberships.listForOperator(op.id) });
        return out;
      },
      async create(
        input: { username: string; password: string; isAdmin: boolean },
        actor: AccountsActor,
      ): Promise<Operator> {
        if ((await store.operators.findByUsername(input.username)) !== undefined)
          throw new AccountsError('user_exists', `The username "${input.username}" is taken.`);
        const op = await store.operators.create({
          username: input.username,
          passwordHash: await hashPassword(input.password, scrypt),
          superadmin: input.isAdmin,
        });
        await audit(actor, {
          action: 'user.create',
          target: op.username,
          details: { isAdmin: op.superadmin },
        });
        return op;
      },
      /** Disable/enable or reset the password; either of disabling or a new password ends their sessions. */
      async update(id: string, patch: OperatorPatch, actor: AccountsActor): Promise<Operator> {
        const op = await operator(id);
        if (patch.disabled !== undefined) await store.operators.setDisabled(id, patch.disabled);
        if (patch.password !== undefined)
          await store.operators.setPasswordHash(id, await hashPassword(patch.password, scrypt));
        if (patch.disabled === true || patch.password !== undefined) {
          await store.sessions.deleteForOperator(id);
          await store.loginDevices.forgetOperator(id);
        }
        const changed = Object.keys(patch).filter((k) => patch[k as keyof OperatorPatch] !== undefined);
        await audit(actor, {
          action: 'user.update',
          target: op.username,
          details: { changed, ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }) },
        });
        return (await store.operators.get(id)) ?? op;
      },
    },

    /**
     * API tokens for automation: one organization, one role, stored only as SHA-256 and shown once. Who may
     * mint or revoke which (no higher than your own role; people only) is the caller's check.
     */
    tokens: {
      list: (orgId: string): Promise<ApiToken[]> => store.apiTokens.list(orgId),
      /**
       * The rank the token's creator holds in its organization now (0 when unknown, removed or disabled): a
       * token never outlives its creator's rights (docs/server.md).
       */
      creatorRank,
      async create(
        orgId: string,
        input: { label: string; role: OrgRole; expiresInDays?: number | undefined; createdBy: string | null },
        actor: AccountsActor,
      ): Promise<{ token: string; record: ApiToken }> {
        const token = newApiToken(random);
        const expiresAt =
          input.expiresInDays === undefined
            ? null
            : new Date(clock().getTime() + input.expiresInDays * 86_400_000);
        const record = await store.apiTokens.create(orgId, {
          tokenHash: sha256(token),
          role: input.role,
          label: input.label,
          expiresAt,
          createdBy: input.createdBy,
        });
        await audit(actor, {
          action: 'api_token.create',
          orgId,
          target: record.label,
          details: { id: record.id, role: record.role },
        });
        return { token, record };
      },
      /** False when the organization has no such token (another tenant's id is simply not found). */
      async revoke(orgId: string, id: string, actor: AccountsActor): Promise<boolean> {
        if (!(await store.apiTokens.revoke(orgId, id))) return false;
        await audit(actor, { action: 'api_token.revoke', orgId, target: id, details: { id } });
        return true;
      },
    },

    memberships: {
      async list(orgId: string): Promise<Array<{ operator: Operator; role: OrgRole }>> {
        const out = [];
        for (const m of await store.memberships.listForOrganization(orgId)) {
          const op = await store.operators.get(m.operatorId);
          if (op) out.push({ operator: op, role: m.role });
        }
        return out;
      },
      forOperator: (operatorId: string) => store.memberships.listForOperator(operatorId),
      /** Grants or changes the operator's role in the organization. */
      async set(orgId: string, operatorId: string, role: OrgRole, actor: AccountsActor): Promise<Operator> {
        const op = await operator(operatorId);
        await store.memberships.grant(orgId, op.id, role);
        await audit(actor, { action: 'member.set', orgId, target: op.username, details: { role } });
        return op;
      },
      /** Removes the operator's role; false when they had none here. */
      async remove(orgId: string, operatorId: string, actor: AccountsActor): Promise<boolean> {
        const current = (await store.memberships.listForOrganization(orgId)).find(
          (m) => m.operatorId === operatorId,
        );
        if (!current) return false;
        await store.memberships.revoke(orgId, operatorId);
        const op = await store.operators.get(operatorId);
        await audit(actor, {
          action: 'member.remove',
          orgId,
          target: op?.username ?? operatorId,
          details: { role: current.role },
        });
        return true;
      },
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
