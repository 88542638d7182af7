/**
 * The Health page's buttons for the emulated demo tenant: take it down (503 on every request), slow it
 * (2.5 s per request, above the default 2 s p95 threshold) or make it hang (held until the client gives up),
 * so a newcomer can watch the states change. Only faults with our own ids are touched, so faults set through
 * the emulator's control API stay as they are.
 */
export const DEMO_FAULTS = ['down', 'slow', 'hang'] as const;
export type DemoFault = (typeof DEMO_FAULTS)[number];

/** The part of the emulator's control this needs (structural, so the health folder imports no emulator). */
export interface FaultControl {
  addFault(spec: {
    kind: 'error' | 'latency' | 'hang';
    id: string;
    status?: number;
    latencyMs?: number;
  }): unknown;
  removeFault(id: string): boolean;
  faults(): ReadonlyArray<{ id: string }>;
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
      return active();
    },
  };
}
