import type { AccountsStore, ApiToken, Membership, Operator, Session } from './accounts-store.js';
import { ROLE_RANK } from './accounts-store.js';
import { newSecret, safeEqual, sha256, type RandomBytes } from './secrets.js';

/** A device stays known this long after its last sign-in. */
export const DEVICE_TTL_MS = 90 * 24 * 60 * 60_000;

/** Sessions and known devices; the operator and membership reads that resolving a session needs. */
export type SessionsStore = Pick<
  AccountsStore,
  'sessions' | 'operators' | 'memberships' | 'loginDevices' | 'apiTokens'
>;

export interface SessionsOptions {
  store: SessionsStore;
  clock: () => Date;
  random: RandomBytes;
  /** How long a session lives after its last use (sliding). */
  ttlMs: number;
  /** The current rank of a token's creator in its organization (the accounts service's `tokens.creatorRank`). */
  creatorRank: (token: ApiToken) => Promise<number>;
}

/** What a new session hands the caller: the secrets go into cookies once; the store keeps only hashes. */
export interface OpenedSession {
  secret: string;
  csrfToken: string;
  expiresAt: Date;
  /** The stored id (SHA-256 of the secret): how a second factor records which session it opened. */
  idHash: string;
}

export type SessionLookup =
  | { kind: 'none' }
  | { kind: 'csrf_failed' }
  | { kind: 'ok'; operator: Operator; memberships: Membership[]; session: Session };

export type TokenLookup =
  | { kind: 'ok'; token: ApiToken }
  /** Unknown, revoked (deleted) or expired. */
  | { kind: 'unknown' }
  /** Its creator no longer holds the token's role in its organization. */
  | { kind: 'creator_lost' };

/** The CSRF token a client sent: the header, and the double-submit cookie when there is one. */
export interface CsrfPresented {
  header: string;
  cookie: string | undefined;
}

/**
 * Sessions, their CSRF pairing, known devices and Bearer tokens: who is asking (docs/accounts.md). The
 * server reads and writes the cookies and headers; everything stored and decided is here.
 */
export function createSessions(options: SessionsOptions) {
  const { store, clock, random, ttlMs } = options;

  return {
    ttlMs,

    /** A fresh session for an operator who passed every sign-in step. */
    async open(operatorId: string, ip: string | null): Promise<OpenedSession> {
      const secret = newSecret(random);
      const csrfToken = newSecret(random);
      const expiresAt = new Date(clock().getTime() + ttlMs);
      const idHash = sha256(secret);
      await store.sessions.create({ idHash, operatorId, csrfHash: sha256(csrfToken), expiresAt, ip });
      return { secret, csrfToken, expiresAt, idHash };
    },

    /**
     * The session behind a cookie value. A session whose operator is gone or disabled is deleted. With
     * `csrf` (a state-changing request) the presented token must hash to the session's and equal the
     * double-submit cookie. Use extends the session, written at most once per tenth of its lifetime.
     */
    async resolve(secret: string, csrf: CsrfPresented | null): Promise<SessionLookup> {
      const idHash = sha256(secret);
      const now = clock();
      const session = await store.sessions.find(idHash, now);
      if (!session) return { kind: 'none' };
      const operator = await store.operators.get(session.operatorId);
      if (!operator || operator.disabled) {
        await store.sessions.delete(idHash);
        return { kind: 'none' };
      }
      const memberships = await store.memberships.listForOperator(operator.id);
      if (csrf !== null && !csrfMatches(session, csrf)) return { kind: 'csrf_failed' };
      if (session.expiresAt.getTime() - now.getTime() < ttlMs * 0.9)
        await store.sessions.extend(idHash, new Date(now.getTime() + ttlMs));
      return { kind: 'ok', operator, memberships, session };
    },

    /** The CSRF token from the double-submit cookie, when it belongs to this session (else null). */
    csrfFor(session: Session, cookie: string | undefined): string | null {
      return cookie !== undefined && safeEqual(sha256(cookie), session.csrfHash) ? cookie : null;
    },

    /** Sign-out: the session is deleted, not just forgotten by the browser. */
    async close(idHash: string): Promise<void> {
      await store.sessions.delete(idHash);
    },

    /**
     * The device cookie's hash when this browser completed a sign-in as `operatorId` before (and recently):
     * such a client is throttled on its own key, not held by a lock strangers put on the username.
     */
    async knownDevice(cookie: string | undefined, operatorId: string | undefined): Promise<string | null> {
      if (operatorId === undefined || !cookie) return null;
      const hash = sha256(cookie);
      const found = await store.loginDevices.find(hash, new Date(clock().getTime() - DEVICE_TTL_MS));
      return found?.operatorId === operatorId ? hash : null;
    },

    /** A new device secret for the cookie, remembered for the operator (after a successful sign-in). */
    async rememberDevice(operatorId: string): Promise<string> {
      // Always a fresh value: a value planted in the browser beforehand must not become a known device.
      const secret = newSecret(random);
      await store.loginDevices.remember(sha256(secret), operatorId, clock());
      return secret;
    },

    /**
     * The API token behind a Bearer secret. Expired tokens are not found and revoked ones are deleted; a
     * token never outlives its creator's rights, except tokens from before creators were recorded
     * (docs/server.md). Use is recorded at most once a minute, so busy automation does not write each time.
     */
    async token(secret: string): Promise<TokenLookup> {
      const now = clock();
      const token = await store.apiTokens.findByHash(sha256(secret), now);
      if (!token) return { kind: 'unknown' };
      if (token.createdBy !== null && (await options.creatorRank(token)) < ROLE_RANK[token.role])
        return { kind: 'creator_lost' };
      if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000)
        await store.apiTokens.touch(token.orgId, token.id, now);
      return { kind: 'ok', token };
    },
  };
}

/** The session stores only the CSRF token's hash; the header must hash to it and match the cookie. */
function csrfMatches(session: Session, csrf: CsrfPresented): boolean {
  return (
    csrf.header !== '' &&
    safeEqual(sha256(csrf.header), session.csrfHash) &&
    (csrf.cookie === undefined || safeEqual(csrf.cookie, csrf.header))
  );
}

export type Sessions = ReturnType<typeof createSessions>;
