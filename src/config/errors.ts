import { DuowatchError } from '../shared/index.js';

export interface ConfigIssue {
  /** Where: a dotted path into the file (`server.port`, `integrations[0].skey`) or `env.NAME`, or `file`. */
  path: string;
  message: string;
}

/** Every problem of a configuration at once (docs/conventions.md §8), never just the first. Exit code 78 (EX_CONFIG). */
export class ConfigError extends DuowatchError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
    super('config.invalid', `configuration has ${issues.length} problem(s):\n${lines}`, {
      status: 400,
      exitCode: 78,
    });
    this.issues = issues;
  }

  override toJSON(): { code: string; message: string; issues: readonly ConfigIssue[] } {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}
