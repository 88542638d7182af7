import type { Kysely } from 'kysely';
import { createCodec, uuidv7, type Store } from '../../store/index.js';
import type { SecondStepDevice } from '../../accounts/index.js';

/** One sign-in waiting on its second factor. Keyed by the hash of the secret in the pending cookie. */
export interface Challenge {
  operatorId: string;
  username: string;
  duoUsername: string;
  role: string;
  ip: string | null;
  expiresAt: number;
  devices: SecondStepDevice[];
  factors: string[];
  state: 'choose' | 'waiting' | 'done';
  txid: string | null;
  factor: string | null;
  message: string;
  passcodeFailures: number;
  /** Universal Prompt only: this sign-in's state and nonce, and where the browser was sent. */
  oidc?: { state: string; nonce: string; redirectUrl: string };
}

interface ChallengesTable {
  key_hash: string;
  operator_id: string;
  state: string;
  body: unknown;
  expires_at: string | Date;
}

interface PushesTable {
  id: string;
  operator_id: string;
  sent_at: string | Date;
}

interface ChallengeDb {
  verify_login_challenges: ChallengesTable;
  verify_login_pushes: PushesTable;
}

/**
 * Pending sign-ins in the database (migration 303), not in process memory: a restart or another process
 * behind the same load balancer continues the sign-in. Finishing is one conditional UPDATE, so a challenge
 * opens at most one session even when two processes settle it at once.
 */
export interface ChallengeStore {
  create(keyHash: string, ch: Challenge): Promise<void>;
  get(keyHash: string): Promise<Challenge | undefined>;
  /** Writes the challenge's progress; a finished one is never brought back. */
  save(keyHash: string, ch: Challenge): Promise<void>;
  /** Marks it done; false when it already was (another request or process finished it first). */
  finish(keyHash: string): Promise<boolean>;
  remove(keyHash: string): Promise<void>;
  /** Drops finished and expired challenges and pushes older than `pushesBefore`. */
  purge(now: number, pushesBefore: number): Promise<void>;
  /** How many sign-ins are waiting (not finished, not expired). */
  pending(now: number): Promise<number>;
  recordPush(operatorId: string, at: number): Promise<void>;
  /** Times (ms) of the account's pushes since `since`, oldest first. */
  pushesSince(operatorId: string, since: number): Promise<number[]>;
}

export function challengeStore(store: Store): ChallengeStore {
  const db = store.db as unknown as Kysely<ChallengeDb>;
  const codec = createCodec(store.dialect.capabilities);
  const at = (ms: number) => codec.time(new Date(ms));
  return {
    async create(keyHash, ch) {
      await db
        .insertInto('verify_login_challenges')
        .values({
          key_hash: keyHash,
          operator_id: ch.operatorId,
          state: ch.state,
          body: codec.json(ch),
          expires_at: at(ch.expiresAt),
        })
        .execute();
    },
    async get(keyHash) {
      const row = await db
        .selectFrom('verify_login_challenges')
        .select(['body', 'state'])
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      // The state column is the truth: `finish` moves it without rewriting the body.
      return { ...(codec.parseJson(row.body) as Challenge), state: row.state as Challenge['state'] };
    },
    async save(keyHash, ch) {
      await db
        .updateTable('verify_login_challenges')
        .set({ state: ch.state, body: codec.json(ch) })
        .where('key_hash', '=', keyHash)
        .where('state', '<>', 'done')
        .execute();
    },
    async finish(keyHash) {
      const r = await db
        .updateTable('verify_login_challenges')
        .set({ state: 'done' })
        .where('key_hash', '=', keyHash)
        .where('state', '<>', 'done')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async remove(keyHash) {
      await db.deleteFrom('verify_login_challenges').where('key_hash', '=', keyHash).execute();
    },
    async purge(now, pushesBefore) {
      await db
        .deleteFrom('verify_login_challenges')
        .where((eb) => eb.or([eb('state', '=', 'done'), eb('expires_at', '<', at(now))]))
        .execute();
      await db.deleteFrom('verify_login_pushes').where('sent_at', '<', at(pushesBefore)).execute();
    },
    async pending(now) {
      const r = await db
        .selectFrom('verify_login_challenges')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('state', '<>', 'done')
        .where('expires_at', '>=', at(now))
        .executeTakeFirst();
      return codec.parseInt(r?.n ?? 0);
    },
    async recordPush(operatorId, sentAt) {
      await db
        .insertInto('verify_login_pushes')
        .values({ id: uuidv7(), operator_id: operatorId, sent_at: at(sentAt) })
        .execute();
    },
    async pushesSince(operatorId, since) {
      const rows = await db
        .selectFrom('verify_login_pushes')
        .select('sent_at')
        .where('operator_id', '=', operatorId)
        .where('sent_at', '>', at(since))
        .orderBy('sent_at')
        .execute();
      return rows.map((r) => codec.parseTime(r.sent_at).getTime());
    },
  };
}
