/**
 * A function of a string that keeps its last answer. The engine hands the rules the same values from event to
 * event (`success`, `duo_push`), and comparing with the last one costs less than computing the answer again (a
 * set lookup, a native lower-casing: docs/detect.md "Throughput, seventh pass"). A class, not a closure: every
 * memo shares the one `of` method, which V8 inlines where it is called; a call site that met the closures of two
 * memos (the engine holds two event views) called them without inlining (docs/detect.md "Throughput, eighth
 * pass").
 */
export class LastAnswer<T> {
  private key: string | undefined;
  private value: T | undefined;
  constructor(private readonly compute: (key: string) => T) {}
  of(key: string): T {
    if (key !== this.key) {
      this.value = this.compute(key);
      this.key = key;
    }
    return this.value as T;
  }
}
