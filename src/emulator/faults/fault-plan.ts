import { createHash } from 'node:crypto';

/**
 * Injected faults (docs/emulator.md): each matches requests by path pattern (and optionally
 * method and host) and fires with a probability decided by a hash of (seed, fault id, n-th matching
 * request), so the same seed and the same request sequence give the same faults.
 */
export type FaultKind =
  | 'latency'
  | 'error'
  | 'rate_limit'
  | 'hang'
  | 'drop'
  | 'malformed_json'
  | 'truncated_json'
  | 'html_error'
  | 'clock_offset'
  | 'revoke_grant'
  | 'rotate_secret'
  | 'telephony';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'error',
  'rate_limit',
  'hang',
  'drop',
  'malformed_json',
  'truncated_json',
  'html_error',
  'clock_offset',
  'revoke_grant',
  'rotate_secret',
  'telephony',
];

export interface FaultSpec {
  kind: FaultKind;
  /** Path pattern; `*` matches any run of characters (`/admin/v2/logs/*`). Default: every path. */
  path?: string;
  method?: string;
  host?: string;
  /** 0..1, default 1 */
  probability?: number;
  /** latency: extra delay in real ms (default 1000) */
  latencyMs?: number;
  /** error / html_error: HTTP status (default 500 / 502) */
  status?: number;
  /** clock_offset: how far the server's clock is off, in ms (default 600 000: beyond the 300 s window) */
  offsetMs?: number;
  /** revoke_grant: which Admin grant to refuse (default read_log) */
  grant?: string;
  /** Fire at most this many times, then stay dormant (a "storm" of N 429s). */
  count?: number;
  id?: string;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  fired: number;
  seen: number;
}

export interface FaultPlan {
  add(spec: FaultSpec): ActiveFault;
  remove(id: string): boolean;
  clear(): void;
  list(): ActiveFault[];
  /** Faults that fire for this request (each matching fault decides once per request). */
  decide(req: { method: string; path: string; host: string }): ActiveFault[];
}

function patternToRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function unitHash(...parts: Array<string | number>): number {
  return createHash('sha1').update(parts.join('\u0000')).digest().readUInt32BE(0) / 4294967296;
}

/** Parses the CLI's `--fault kind[:path][@probability]` shorthand, e.g. `rate_limit:/admin/v2/logs/*@0.5`. */
export function parseFaultShorthand(text: string): FaultSpec {
  const m = /^([a-z_]+)(?::([^@]+))?(?:@([0-9.]+))?$/.exec(text.trim());
  if (m === null || !FAULT_KINDS.includes(m[1] as FaultKind)) {
    throw new RangeError(
      `bad fault ${JSON.stringify(text)}: expected kind[:path][@probability], kind one of ${FAULT_KINDS.join(', ')}`,
    );
  }
  const spec: FaultSpec = { kind: m[1] as FaultKind };
  if (m[2] !== undefined) spec.path = m[2];
  if (m[3] !== undefined) spec.probability = Number(m[3]);
  return spec;
}

export function createFaultPlan(seed: string, initial: readonly FaultSpec[] = []): FaultPlan {
  const faults = new Map<string, ActiveFault & { re: RegExp }>();
  let nextId = 1;
  const plan: FaultPlan = {
    add(spec) {
      if (!FAULT_KINDS.includes(spec.kind))
        throw new RangeError(`unknown fault kind ${JSON.stringify(spec.kind)}`);
      const p = spec.probability ?? 1;
      if (!(p >= 0 && p <= 1)) throw new RangeError('probability must be within 0..1');
      const id = spec.id ?? `f${String(nextId++)}`;
      const fault = { ...spec, id, fired: 0, seen: 0, re: patternToRegex(spec.path ?? '*') };
      faults.set(id, fault);
      return strip(fault);
    },
    remove: (id) => faults.delete(id),
    clear: () => faults.clear(),
    list: () => [...faults.values()].map(strip),
    decide(req) {
      const out: ActiveFault[] = [];
      for (const f of faults.values()) {
        if (!f.re.test(req.path)) continue;
        if (f.method !== undefined && f.method.toUpperCase() !== req.method.toUpperCase()) continue;
        if (f.host !== undefined && f.host.toLowerCase() !== req.host.toLowerCase()) continue;
        const n = f.seen++;
        if (f.count !== undefined && f.fired >= f.count) continue;
        if (unitHash(seed, f.id, n) >= (f.probability ?? 1)) continue;
        f.fired++;
        out.push(strip(f));
      }
      return out;
    },
  };
  for (const spec of initial) plan.add(spec);
  return plan;
}

function strip(f: ActiveFault & { re?: RegExp }): ActiveFault {
  const { re: _re, ...rest } = f;
  return { ...rest };
}
