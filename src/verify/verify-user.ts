/**
 * "Verify this user" for incident response (docs/verify.md): an async Duo push whose pushinfo says who asks
 * and why, followed in the background until Duo's answer; the request, its start and its outcome are in the
 * audit log, and a denied or fraud-reported request raises an alert.
 */
import type { AlertRaiser } from '../app/shared.js';
import type { DuoClients, DuowatchServices } from '../services/index.js';
import type { Store } from '../store/index.js';
import { cleanStatusMsg } from './advice.js';
import { encodePushinfo } from './auth-actions.js';
import { VerifyError } from './errors.js';
import { authClient, resolveAuthTarget } from './resolve-integration.js';
import type { VerifyRequest, VerifyStore } from './verify-store.js';

export interface VerifyUserDeps {
  store: Store;
  verifyStore: VerifyStore;
  clients: DuoClients;
  services: Pick<DuowatchServices, 'orgs' | 'integrations'>;
  alerts: AlertRaiser;
  logger: { error(obj: object, msg?: string): void };
  clock: () => Date;
  /** Longest the follower waits for the user's answer (Duo times a push out after about a minute). */
  followMs?: number;
}

export interface VerifyUserInput {
  username: string;
  reason: string;
  integration?: string | undefined;
}

const MAX_POLLS = 20;

export function createVerifyUser(deps: VerifyUserDeps) {
  const following = new Map<string, Promise<void>>();
  const followMs = deps.followMs ?? 90_000;

  async function audit(r: VerifyRequest, action: string, actor: string, details: Record<string, unknown>) {
    await deps.store.auditLog.append({
      actor,
      orgId: r.orgId,
      action,
      target: r.username,
      details: { requestId: r.id, integrationId: r.integrationId, ...details },
      at: deps.clock(),
    });
  }

  async function follow(r: VerifyRequest, txid: string, client: Awaited<ReturnType<typeof authClient>>) {
    const deadline = Date.now() + followMs;
    let final: { result: string; status: string; statusMsg: string } | null = null;
    try {
      for (let i = 0; i < MAX_POLLS && Date.now() < deadline; i++) {
        const s = await client.auth.authStatus(txid, {
          signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        });
        if (s.result !== 'waiting') {
          final = { result: s.result, status: s.status ?? '', statusMsg: cleanStatusMsg(s.status_msg) };
          break;
        }
      }
    } catch (error) {
      deps.logger.error(
        { err: error instanceof Error ? error.message : String(error), requestId: r.id },
        'verify user: status poll failed',
      );
    }
    if (final === null) {
      await deps.verifyStore.updateRequest(r.id, { state: 'error', statusMsg: 'no answer from Duo in time' });
      await audit(r, 'verify.user.result', 'system', { outcome: 'failure', state: 'error' });
      return;
    }
    const state = final.result === 'allow' ? 'allow' : 'deny';
    await deps.verifyStore.updateRequest(r.id, {
      state,
      result: final.result,
      status: final.status,
      statusMsg: final.statusMsg,
    });
    await audit(r, 'verify.user.result', 'system', {
      outcome: state === 'allow' ? 'success' : 'failure',
      result: final.result,
      status: final.status,
    });
    if (state !== 'allow') {
      const fraud = final.status === 'fraud';
      await deps.alerts.raise({
        orgId: r.orgId,
        source: 'verify',
        rule: fraud ? 'verify.user_fraud' : 'verify.user_denied',
        title: fraud
          ? `${r.username} reported the identity check as fraud`
          : `${r.username} did not confirm the identity check (${final.status})`,
        severity: fraud ? 'critical' : 'high',
        entity: r.username,
        firstSeen: deps.clock(),
        lastSeen: deps.clock(),
        fields: { requestId: r.id, reason: r.reason, status: final.status, requestedBy: r.requestedBy },
        dedupeKey: `verify:${r.id}`,
      });
    }
  }

  return {
    /** Sends the push and answers at once with the waiting request; the outcome is written when Duo answers. */
    async start(org: string, input: VerifyUserInput, actor: string): Promise<VerifyRequest> {
      const reason = input.reason.trim();
      if (reason === '' || reason.length > 500)
        throw new VerifyError('verify_usage', 'a reason (1 to 500 characters) is required: the user sees it');
      const target = await resolveAuthTarget(deps.services, org, input.integration);
      const client = await authClient(deps.clients, deps.store, target);
      const r = await deps.verifyStore.createRequest({
        orgId: target.orgId,
        integrationId: target.integration.id,
        username: input.username,
        reason,
        requestedBy: actor,
      });
      await audit(r, 'verify.user', actor, { outcome: 'success', reason });
      let txid: string;
      try {
        ({ txid } = await client.auth.authAsync(
          {
            username: input.username,
            factor: 'push',
            device: 'auto',
            type: 'Identity check',
            pushinfo: encodePushinfo({ reason, requested_by: actor, from: 'duowatch incident response' }),
          },
          { signal: AbortSignal.timeout(30_000) },
        ));
      } catch (error) {
        const msg = cleanStatusMsg(error instanceof Error ? error.message : String(error));
        await deps.verifyStore.updateRequest(r.id, { state: 'error', statusMsg: msg });
        await audit(r, 'verify.user.result', 'system', { outcome: 'failure', state: 'error', error: msg });
        throw new VerifyError('verify_duo_error', `verify ${input.username}: ${msg}`, {
          status: 502,
          cause: error,
        });
      }
      await deps.verifyStore.updateRequest(r.id, { state: 'waiting', txid });
      const done = follow(r, txid, client).finally(() => following.delete(r.id));
      following.set(r.id, done);
      return { ...r, txid };
    },
    list: (orgId: string, limit?: number) => deps.verifyStore.listRequests(orgId, limit),
    get: (orgId: string, id: string) => deps.verifyStore.getRequest(orgId, id),
    /** Resolves when the request's follower has written the outcome (tests and shutdown). */
    settled: (id: string): Promise<void> => following.get(id) ?? Promise.resolve(),
    async close(): Promise<void> {
      await Promise.allSettled([...following.values()]);
    },
  };
}

export type VerifyUser = ReturnType<typeof createVerifyUser>;
