import { Argument, type Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';
import { AUTH_ACTIONS } from '../../auth-actions.js';

export interface AuthCliOptions extends GlobalOptions {
  org: string;
  integration?: string;
  user?: string;
  passcode?: string;
  txid?: string;
  async?: boolean;
  device?: string;
  type?: string;
  displayUsername?: string;
  pushinfo?: string[];
  ipaddr?: string;
  timeout?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command, io: CliIo): void {
  program
    .command('auth')
    .description(
      "Duo Auth API for an organization's Auth integration: check, ping, preauth, push, passcode, sms, phone, status",
    )
    .addArgument(new Argument('<action>', 'what to do').choices([...AUTH_ACTIONS]))
    .requiredOption('--org <id-or-slug>', 'organization')
    .option(
      '--integration <id-or-label>',
      'the Auth API integration (needed when the organization has several)',
    )
    .option('--user <username>', 'the Duo username (preauth, push, passcode, sms, phone)')
    .option('--passcode <code>', 'passcode: the code the user read from Duo Mobile, a token, SMS or bypass')
    .option('--txid <id>', 'status: the transaction id an --async push or phone call answered')
    .option('--async', 'push/phone/passcode: answer at once with the txid and the first status')
    .option('--device <id>', 'push/phone/sms: a device id from preauth (default auto)')
    .option('--type <text>', 'push: the request type shown in Duo Mobile')
    .option('--display-username <name>', 'push: the username shown in Duo Mobile')
    .option('--pushinfo <key=value>', 'push: a key=value line shown in Duo Mobile (repeatable)', collect)
    .option('--ipaddr <ip>', "the end user's IP address, as Duo should log it")
    .option('--timeout <seconds>', 'longest wait for Duo (a synchronous push, one status poll)', '75')
    .option(
      '--json',
      "print Duo's response object as JSON (push/passcode/phone: result, status, status_msg, and txid with --async)",
    )
    .addHelpText(
      'after',
      "\nExit status: 0 when Duo answered, whatever the result (allow, deny, fraud…); 1 on an error, with Duo's code in the message.",
    )
    .action(async (action: string, _o: unknown, c: Command) => {
      const { runAuth } = await import('./run.js');
      await runAuth(io, action, c.optsWithGlobals<AuthCliOptions>());
    });
}
