/**
 * The emulator's clock: real time plus an offset that tests and the control API move. `sleep` resolves when
 * emulator time reaches its deadline, whether by real time passing or by `advance()` — so a test can
 * "wait 60 s" for a push timeout by advancing the clock instead of sleeping.
 */
export interface EmulatorClock {
  /** emulator epoch ms = realNow() + offset */
  now(): number;
  setOffset(ms: number): void;
  advance(ms: number): void;
  offset(): number;
  /** resolves once now() >= start + ms; rejects with the signal's reason when aborted */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface ClockOptions {
  realNow?: () => number;
  offsetMs?: number;
  /** real timers used while waiting; injected so a frozen realNow never leaves a timer spinning */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Sleeper {
  deadline: number;
  resolve: () => void;
  timer: unknown;
}

export function createClock(opts: ClockOptions = {}): EmulatorClock {
  const realNow = opts.realNow ?? Date.now;
  // Unref'd: a pending push timeout must never keep a process (or a test worker) alive.
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms).unref());
  const clearTimer = opts.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let offset = opts.offsetMs ?? 0;
  const sleepers = new Set<Sleeper>();

  const now = (): number => realNow() + offset;
  const wake = (): void => {
    const t = now();
    for (const s of [...sleepers]) {
      if (t >= s.deadline) {
        sleepers.delete(s);
        clearTimer(s.timer);
        s.resolve();
      }
    }
  };
  const arm = (s: Sleeper): void => {
    clearTimer(s.timer);
    // Re-check on a real timer too: with a real time source the deadline also arrives by itself.
    const wait = Math.max(0, Math.min(s.deadline - now(), 2_147_483_000));
    s.timer = setTimer(() => {
      if (!sleepers.has(s)) return;
      if (now() >= s.deadline) wake();
      else arm(s);
    }, wait);
  };

  return {
    now,
    offset: () => offset,
    setOffset(ms) {
      offset = ms;
      wake();
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError('advance() takes a non-negative number of ms');
      offset += ms;
      wake();
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          return;
        }
        const deadline = now() + Math.max(0, ms);
        if (ms <= 0) {
          resolve();
          return;
        }
        const onAbort = (): void => {
          sleepers.delete(s);
          clearTimer(s.timer);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        const s: Sleeper = {
          deadline,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          timer: undefined,
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.add(s);
        arm(s);
      });
    },
  };
}
