/**
 * A function of a string that keeps its last answer. The engine hands the rules the same values from event to
 * event (`success`, `duo_push`), and comparing with the last one costs less than computing the answer again (a
 * set lookup, a native lower-casing: docs/detect.md "Throughput, seventh pass").
 */
export function lastAnswer<T>(compute: (key: string) => T): (key: string) => T {
  let lastKey: string | undefined;
  let last: T | undefined;
  return (key) => {
    if (key !== lastKey) {
      last = compute(key);
      lastKey = key;
    }
    return last as T;
  };
}
