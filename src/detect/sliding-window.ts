/**
 * A sliding count window over event time: `add` then `count` gives the events in `(ts − windowMs, ts]`.
 * Sliding, not tumbling: a burst that straddles a bin edge is still one burst (docs/detect.md "Windows").
 * Events arrive in order per tenant and stream; a slightly late one is inserted in place, so the count does not
 * depend on which stream's page came first.
 */
export class SlidingWindow {
  private ts: number[] = [];
  private ids: string[] = [];
  /** Only weighted windows (telephony credits) keep weights; counting windows leave it null (less memory). */
  private weights: number[] | null = null;
  private total = 0;
  private head = 0;
  constructor(
    readonly windowMs: number,
    /** Keep at most this many entries (the oldest go first): a rule never needs more than its threshold. */
    private readonly cap = 1000,
    /** The rule whose window it is (an entity's windows are found by it). */
    readonly rule = '',
  ) {}

  /** `weight` is what `sum` adds up (telephony credits); counting rules leave it at 1. */
  add(ts: number, id: string, weight = 1): void {
    if (this.head === this.ts.length && weight === 1 && this.weights === null) {
      // Empty: start over with lists of one slot. Most windows (a user's remembered-device logins) hold one or
      // two entries, and a list grown by `push` has 17 slots: for 100k users that is ~25 MB.
      this.ts = [ts];
      this.ids = [id];
      this.head = 0;
      this.total = 1;
      return;
    }
    let i = this.ts.length;
    while (i > this.head && (this.ts[i - 1] as number) > ts) i--;
    if (weight !== 1 && this.weights === null) this.weights = this.ts.map(() => 1);
    if (i === this.ts.length) {
      this.ts.push(ts);
      this.ids.push(id);
      this.weights?.push(weight);
    } else {
      this.ts.splice(i, 0, ts);
      this.ids.splice(i, 0, id);
      this.weights?.splice(i, 0, weight);
    }
    this.total += weight;
    if (this.ts.length - this.head > this.cap) this.dropHead();
  }

  private dropHead(): void {
    this.total -= this.weights === null ? 1 : (this.weights[this.head] as number);
    this.head++;
  }

  /** Drops what fell out of the window ending at `now` and returns how many remain. */
  count(now: number): number {
    const from = now - this.windowMs;
    while (this.head < this.ts.length && (this.ts[this.head] as number) <= from) this.dropHead();
    // Compact once half the arrays are dropped entries: amortized O(1), and an idle window (100k users'
    // remembered-device windows hold one login a day) never keeps a month of expired ids alive.
    if (this.head > 0 && this.head * 2 >= this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.ids = this.ids.slice(this.head);
      if (this.weights !== null) this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.ts.length) this.total = 0; // no float drift once empty
    return this.ts.length - this.head;
  }

  /** Sum of the weights in the window ending at `now`. */
  sum(now: number): number {
    this.count(now);
    return this.total;
  }

  /** Ids of the events in the window (call `count` first), oldest first, at most `max`. */
  eventIds(max = 100): string[] {
    const start = Math.max(this.head, this.ids.length - max);
    return this.ids.slice(start);
  }

  /** Event time of the oldest entry still held, or null. */
  oldest(): number | null {
    return this.head < this.ts.length ? (this.ts[this.head] as number) : null;
  }

  clear(): void {
    this.ts = [];
    this.ids = [];
    this.weights = null;
    this.total = 0;
    this.head = 0;
  }
}

/** Distinct values in a sliding window (telephony to many numbers): the last time each value was seen. */
export class DistinctWindow {
  private readonly last = new Map<string, number>();
  constructor(
    readonly windowMs: number,
    private readonly cap = 10_000,
  ) {}

  add(ts: number, value: string): void {
    this.last.delete(value);
    this.last.set(value, ts);
    if (this.last.size > this.cap) {
      const first = this.last.keys().next();
      if (first.done !== true) this.last.delete(first.value);
    }
  }

  count(now: number): number {
    const from = now - this.windowMs;
    // Map order is insertion order and `add` re-inserts, so the oldest are first.
    for (const [k, t] of this.last) {
      if (t > from) break;
      this.last.delete(k);
    }
    return this.last.size;
  }
}
