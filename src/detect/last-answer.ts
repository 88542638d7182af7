/**
 * A function of a string that keeps its last two answers. The engine hands the rules the same values from event
 * to event (`success`, `duo_push`), and comparing with the last ones costs less than computing the answer again
 * (a set lookup, a native lower-casing: docs/detect.md "Throughput, seventh pass"). Two, because a login's reason
 * and factor change with nearly every other event, mostly between two values (for the factor, e.g. `duo_push`
 * and `remembered_device`): in the bench mix one answer missed for 45 % and 48 % of events, two for 25 % and 29 %
 * ("Throughput, ninth pass"). A class, not a closure: every memo shares the one `of` method, which V8 inlines
 * where it is called; a call site that met the closures of two memos (the engine holds two event views) called
 * them without inlining (docs/detect.md "Throughput, eighth pass").
 */
export class LastAnswer<T> {
  private key: string | undefined;
  private value: T | undefined;
  /** The answer before the last, for a key that differs from the last one. */
  private key2: string | undefined;
  private value2: T | undefined;
  constructor(private readonly compute: (key: string) => T) {}
  of(key: string): T {
    if (key === this.key) return this.value as T;
    if (key === this.key2) return this.value2 as T;
    this.key2 = this.key;
    this.value2 = this.value;
    this.value = this.compute(key);
    this.key = key;
    return this.value;
  }
}
