/**
 * What the control API shows about each Duo request: never the secret key or the Authorization header.
 * A bounded ring so a long-running emulator does not grow without limit.
 */
export interface RequestLogEntry {
  /** emulator time, ISO */
  at: string;
  method: string;
  host: string;
  path: string;
  ikey: string | null;
  /** 'v2-sha1' | 'v2' | 'v4' | 'v5' | 'unsigned' | null (not verified) */
  signature: string | null;
  /** 'ok', 'unsigned', or the Duo error code that rejected it (e.g. '40103'), or 'fault:<kind>' */
  outcome: string;
  status: number;
  faults: string[];
  durationMs: number;
}

export interface RequestLog {
  add(entry: RequestLogEntry): void;
  list(options?: { limit?: number; host?: string }): RequestLogEntry[];
  clear(): void;
  size(): number;
}

export function createRequestLog(capacity = 10_000): RequestLog {
  let entries: RequestLogEntry[] = [];
  return {
    add(entry) {
      entries.push(entry);
      if (entries.length > capacity) entries = entries.slice(entries.length - capacity);
    },
    list(options = {}) {
      const filtered = options.host === undefined ? entries : entries.filter((e) => e.host === options.host);
      return filtered.slice(-(options.limit ?? 100));
    },
    clear() {
      entries = [];
    },
    size: () => entries.length,
  };
}
