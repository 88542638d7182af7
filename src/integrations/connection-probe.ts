import type { DuoClient } from '../duo/index.js';

/**
 * The calls Test Connection makes for an Admin API application (docs/duo-wire.md §5: there is no
 * `/admin/v1/check`). A narrow port so the report logic is tested alone; `connectionProbe` builds it from
 * the real client.
 */
export interface ConnectionProbe {
  /** `GET /auth/v2/ping` (unsigned): `{ time }` in seconds. */
  ping(opts: { signal?: AbortSignal }): Promise<{ time: number }>;
  /** `GET /auth/v2/check`, signed with the Admin keys: an Admin key gets 403 40301, which proves key+signature. */
  authCheck(opts: { signal?: AbortSignal }): Promise<unknown>;
  /** `GET /admin/v1/info/summary` — needs "Grant read information". */
  infoSummary(opts: { signal?: AbortSignal }): Promise<unknown>;
  /** One page of a log Duo guards with "Grant read log", starting at `mintimeMs`. */
  logProbe(opts: { signal?: AbortSignal; mintimeMs: number }): Promise<unknown>;
  /** One-row `/admin/v1/users` read — needs "Grant read resource". */
  usersProbe(opts: { signal?: AbortSignal }): Promise<unknown>;
  /** `/admin/v1/settings` — needs "Grant settings" in Duo's API (the specification files it under read resource). */
  settingsProbe(opts: { signal?: AbortSignal }): Promise<unknown>;
  /** One-row `/admin/v1/admins` read — needs "Grant administrators — Read". */
  adminsProbe(opts: { signal?: AbortSignal }): Promise<unknown>;
}

/** The slice of the Duo client the probe uses; the real `DuoClient` fits. */
export type ProbeClient = Pick<DuoClient, 'admin' | 'logs' | 'auth'>;

async function firstPage(it: AsyncIterable<unknown>): Promise<void> {
  for await (const page of it) {
    void page;
    break;
  }
}

/** The Test Connection probe over a real Duo client: one signed call per check, one row per listing. */
export function connectionProbe(client: ProbeClient): ConnectionProbe {
  const one = (signal?: AbortSignal) => ({
    maxPages: 1,
    pageSize: 1,
    ...(signal === undefined ? {} : { signal }),
  });
  return {
    ping: (opts) => client.auth.ping(opts),
    authCheck: (opts) => client.auth.check(opts),
    infoSummary: (opts) => client.admin.info.summary(opts),
    // "Grant read log" covers every log. The administrator log proves it without spending the auth-log
    // budget (about one request a minute, docs/duo-wire.md §6) that the first poll after saving needs.
    logProbe: (opts) =>
      firstPage(
        client.logs.administrator({
          mintime: Math.floor(opts.mintimeMs / 1000),
          maxPages: 1,
          ...(opts.signal === undefined ? {} : { signal: opts.signal }),
        }),
      ),
    usersProbe: (opts) => firstPage(client.admin.users.list(one(opts.signal))),
    settingsProbe: (opts) => client.admin.settings(opts),
    adminsProbe: (opts) => firstPage(client.admin.admins.list(one(opts.signal))),
  };
}
