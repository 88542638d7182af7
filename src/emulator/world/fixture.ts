import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DuowatchError } from '../../shared/index.js';
import { tenantFixtureSchema, type TenantFixture } from './fixture-schema.js';

export interface FixtureIssue {
  /** dotted path into the fixture, e.g. `users.3.status`; empty for the whole document */
  path: string;
  message: string;
}

/** A fixture that cannot be used; `issues` lists every problem found, each with its path. */
export class FixtureError extends DuowatchError {
  readonly issues: readonly FixtureIssue[];
  constructor(issues: readonly FixtureIssue[]) {
    super(
      'EMULATOR_FIXTURE_INVALID',
      `tenant fixture is invalid:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
      { status: 400, exitCode: 2 },
    );
    this.issues = issues;
  }
}

/** Parses and validates a tenant fixture, reporting all problems at once (docs/conventions.md §8, §9). */
export function parseTenantFixture(text: string, format: 'yaml' | 'json'): TenantFixture {
  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const message = err instanceof YAMLParseError || err instanceof SyntaxError ? err.message : String(err);
    throw new FixtureError([{ path: '', message: `not valid ${format.toUpperCase()}: ${message}` }]);
  }
  return validateTenantFixture(raw ?? {});
}

export function validateTenantFixture(raw: unknown): TenantFixture {
  const parsed = tenantFixtureSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new FixtureError(
    parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}
