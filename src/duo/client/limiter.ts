import { DuoApiError, DuoConfigError } from '../errors/index.js';
import type { Clock } from './clock.js';

/** Requests allowed per minute for one credential and endpoint class; `Infinity` means unlimited. */
export type EndpointClass =
  'auth_log' | 'log' | 'admin_read' | 'admin_write' | 'auth' | 'device' | 'accounts';

/**
 * Defaults from docs/duo-wire.md §6 and the compliance specification: the auth log allows 1 call/minute per tenant; other
 * logs 2/minute (Duo engineer, 2019) — we keep them at 1/minute per endpoint as the specification advises for log
 * endpoints; a page of objects 200/min; modifications 300/min. Auth and Device calls are not limited locally.
 */
export const DEFAULT_RATES: Readonly<Record<EndpointClass, number>> = {
  auth_log: 1,
  log: 1,
  admin_read: 200,
  admin_write: 300,
  auth: Infinity,
  device: Infinity,
  accounts: 200,
};

/** Which class a path belongs to. Log endpoints get a bucket per path (Duo limits each log separately). */
export function endpointClassOf(method: string, path: string): { cls: EndpointClass; bucket: string } {
  if (path.startsWith('/admin/v2/logs/authentication')) return { cls: 'auth_log', bucket: 'auth_log' };
  if (
    path.startsWith('/admin/v1/logs/') ||
    path.startsWith('/admin/v2/logs/') ||
    path.startsWith('/admin/v1/trust_monitor/')
  )
    return { cls: 'log', bucket: `log:${path}` };
  if (path.startsWith('/auth/')) return { cls: 'auth', bucket: 'auth' };
  if (path.startsWith('/device/')) return { cls: 'device', bucket: 'device' };
  if (path.startsWith('/accounts/')) return { cls: 'accounts', bucket: 'accounts' };
  const write = method !== 'GET';
  return { cls: write ? 'admin_write' : 'admin_read', bucket: write ? 'admin_write' : 'admin_read' };
}

export interface LimiterRegistryOptions {
  clock: Clock;
  ratesPerMinute?: Partial<Record<EndpointClass, number>>;
}

/**
 * Spacing limiter keyed by credential and endpoint class, shared by every client built with the same
 * registry so concurrent jobs never spend one budget twice. Each `acquire` reserves the next free slot
 * synchronously before sleeping, so two callers racing get distinct slots. No module-level state (docs/conventions.md §3):
 * a process makes one registry and injects it.
 */
/**
 * Added to every slot's spacing. Duo counts a rolling minute from when requests *arrive*; slots are taken when
 * requests are *sent*, so two requests spaced exactly 60 s / rate apart can arrive a few ms closer than that
 * and the second is refused (429), and its retry costs a whole slot more. A quarter second keeps arrivals
 * apart at a cost of 0.4 % of a 2-per-minute budget (measured: bench/logs.bench.ts, catch-up).
 */
export const SLOT_MARGIN_MS = 250;

export class LimiterRegistry {
  private readonly clock: Clock;
  private readonly rates: Record<EndpointClass, number>;
  private readonly nextFree = new Map<string, number>();
  /** Budgets of one credential that differ from the registry's (a tenant's own allowance, an emulator). */
  private readonly perCredential = new Map<string, Partial<Record<EndpointClass, number>>>();

  constructor(options: LimiterRegistryOptions) {
    this.clock = options.clock;
    this.rates = { ...DEFAULT_RATES, ...options.ratesPerMinute };
  }

  /**
   * Sets the budgets of one credential (`ikey@host`, as the client keys it). A rate of 0 or `Infinity` means
   * unlimited (the emulator with its limits off). Later calls replace earlier ones for the classes named.
   */
  configure(credential: string, rates: Partial<Record<EndpointClass, number>>): void {
    this.perCredential.set(credential, { ...this.perCredential.get(credential), ...rates });
  }

  /** The budget in requests per minute that applies to this credential and class. */
  rateFor(credential: string, cls: EndpointClass): number {
    return this.perCredential.get(credential)?.[cls] ?? this.rates[cls];
  }

  /** Milliseconds the caller would wait now for this key, without reserving. */
  peek(ikey: string, method: string, path: string): number {
    const { bucket } = endpointClassOf(method, path);
    return Math.max(0, (this.nextFree.get(`${ikey}\0${bucket}`) ?? 0) - this.clock.now());
  }

  /**
   * Waits for a slot. Throws a local `rate_limited` DuoApiError without waiting when the slot lies beyond
   * `deadline` (epoch ms), so a job can reschedule rather than block.
   */
  async acquire(
    ikey: string,
    method: string,
    path: string,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const { cls, bucket } = endpointClassOf(method, path);
    const rate = this.rateFor(ikey, cls);
    if (!Number.isFinite(rate) || rate <= 0) return;
    const key = `${ikey}\0${bucket}`;
    const interval = 60_000 / rate + SLOT_MARGIN_MS;
    const now = this.clock.now();
    const slot = Math.max(now, this.nextFree.get(key) ?? 0);
    if (slot > deadline) {
      throw new DuoApiError({
        kind: 'rate_limited',
        request: `${method} ${path}`,
        text: `client-side limit for ${cls} (${String(rate)}/min) has no slot for ${String(Math.ceil((slot - now) / 1000))} s`,
      });
    }
    this.nextFree.set(key, slot + interval);
    if (slot > now) await this.clock.sleep(slot - now, signal);
  }
}

/**
 * `DUOWATCH_DUO_LOG_BUDGET`: requests per minute per log endpoint for every integration; `0` means unlimited
 * (the emulator with its limits off). Returns undefined when unset; throws on anything but a non-negative number.
 */
export function parseLogBudget(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim());
  if (!Number.isFinite(n) || n < 0)
    throw new DuoConfigError(
      'duo_invalid_log_budget',
      `DUOWATCH_DUO_LOG_BUDGET=${JSON.stringify(text.slice(0, 40))} is not a number of requests per minute (0 = unlimited)`,
    );
  return n === 0 ? Infinity : n;
}
