/**
 * The Health page's buttons for the emulated demo tenant: take it down (503 on every request), slow it
 * (2.5 s per request, above the default 2 s p95 threshold), make it hang (held until the client gives up) or
 * break its telephony alone (calls time out, SMS fail, push works), so a newcomer can watch the states
 * change. Only faults with our own ids are touched, so faults set through the emulator's control API stay as
 * they are.
 */
export const DEMO_FAULTS = ['down', 'slow', 'hang', 'telephony'] as const;
export type DemoFault = (typeof DEMO_FAULTS)[number];

/**
 * Simulated logins per factor started with the telephony fault: the probe never places a call, so per-factor
 * health only sees a broken factor through authentications in the collected auth log (the emulator's
 * generated background log does not react to the fault). Enough to pass the default minimum of attempts.
 */
export const TELEPHONY_CALLS = 12;

/** The part of the emulator's control this needs (structural, so the health folder imports no emulator). */
export interface FaultControl {
  addFault(spec: {
    kind: 'error' | 'latency' | 'hang' | 'telephony';
    id: string;
    status?: number;
    latencyMs?: number;
  }): unknown;
  removeFault(id: string): boolean;
  faults(): ReadonlyArray<{ id: string }>;
  credentials(): ReadonlyArray<{ hostname: string }>;
  traffic(host: string, spec: { factor: 'push' | 'phone' | 'sms'; count: number }): unknown;
}

export interface DemoFaults {
  active(): DemoFault[];
  /** Sets one fault (replacing another of ours), or clears ours with `clear`; answers what is active. */
  set(fault: DemoFault | 'clear'): DemoFault[];
}

const ID_PREFIX = 'dashboard-';

export function demoFaults(control: FaultControl): DemoFaults {
  const active = (): DemoFault[] =>
    control
      .faults()
      .map((f) => f.id.slice(ID_PREFIX.length))
      .filter((k): k is DemoFault => DEMO_FAULTS.includes(k as DemoFault));
  return {
    active,
    set(fault) {
      for (const k of DEMO_FAULTS) control.removeFault(ID_PREFIX + k);
      if (fault === 'down') control.addFault({ kind: 'error', status: 503, id: ID_PREFIX + fault });
      else if (fault === 'slow')
        control.addFault({ kind: 'latency', latencyMs: 2500, id: ID_PREFIX + fault });
      else if (fault === 'hang') control.addFault({ kind: 'hang', id: ID_PREFIX + fault });
      else if (fault === 'telephony') {
        control.addFault({ kind: 'telephony', id: ID_PREFIX + fault });
        // Best effort: a tenant without a user able to use a factor (409 from the control) keeps the fault.
        for (const { hostname } of control.credentials())
          for (const factor of ['phone', 'sms', 'push'] as const) {
            try {
              control.traffic(hostname, { factor, count: TELEPHONY_CALLS });
            } catch {
              continue;
            }
          }
      }
      return active();
    },
  };
}
