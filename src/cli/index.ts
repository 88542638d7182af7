import { Command, CommanderError } from 'commander';
import { DuowatchError, stripControl } from '../shared/index.js';
import { version } from '../version.js';
import type { CliIo } from './io.js';
import { commands } from './commands.js';

export type { CliIo, GlobalOptions } from './io.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('duowatch')
    .description('Cisco Duo compliance evidence, log collection, availability and Auth API tooling')
    .version(version, '-V, --version')
    .option('--data-dir <dir>', 'data directory (env DUOWATCH_DATA_DIR)', io.env['DUOWATCH_DATA_DIR'])
    .option('--config <file>', 'YAML configuration file (env DUOWATCH_CONFIG)', io.env['DUOWATCH_CONFIG'])
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(program, io);
  return program;
}

/** Runs the CLI and returns the exit code; one place maps error classes to exit codes (docs/conventions.md §13). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode;
    }
    if (error instanceof DuowatchError) {
      io.stderr.write(`duowatch: ${stripControl(error.message)} [${error.code}]\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`duowatch: unexpected error: ${stripControl(message)}\n`);
    return 70;
  }
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
