import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A decrypted secret. It prints as `[redacted]` through every path a value usually escapes by — string
 * coercion, JSON (API bodies, CLI `--json`, pino), `util.inspect` (console, test diffs) — so only an explicit
 * `.reveal()` at the moment of use yields the text.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Constant-shape comparison helper so callers do not have to reveal to compare. */
  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }

  static isSecret(value: unknown): value is Secret {
    return value instanceof Secret;
  }
}

export const redacted = REDACTED;
