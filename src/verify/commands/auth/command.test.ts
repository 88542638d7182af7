import { runCli, startCliEmulator, type CliEmulator } from '../../../cli/cli-emulator.test-helpers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type TenantCredentials } from '../../../emulator/index.js';

// `duowatch auth …` exactly as scripts run it: the real CLI entry, a data directory, the emulator over TLS.
let emulator: Emulator;
let creds: TenantCredentials;
let world: CliEmulator;
let env: Record<string, string>;
let pushUser: string;
let smsUser: string;
let phoneUser: string;

beforeAll(async () => {
  world = await startCliEmulator({
    prefix: 'duowatch-auth-cli-',
    emulator: { seed: 'auth-cli', users: 40, rateLimit: false },
  });
  ({ emulator, creds, env } = world);
  const users = emulator.world.tenant(creds.hostname).users();
  const active = users.filter((u) => u.status === 'active');
  const withCap = (cap: string) =>
    active.find((u) => u.phones.some((p) => p.capabilities.includes(cap as never)))?.username;
  pushUser = withCap('push') ?? '';
  smsUser = withCap('sms') ?? '';
  phoneUser = withCap('phone') ?? '';
  if (!pushUser || !smsUser || !phoneUser)
    throw new Error('the generated tenant lacks a push/sms/phone user');
  expect((await run(['orgs', 'add', 'acme'])).code).toBe(0);
  const add = await run(
    [
      'integrations',
      'add',
      '--org',
      'acme',
      '--kind',
      'auth',
      '--host',
      creds.hostname,
      '--ikey',
      creds.auth.ikey,
    ],
    { DUOWATCH_SKEY: creds.auth.skey },
  );
  expect(add.code, add.err + add.out).toBe(0);
});

afterAll(async () => world.close());

const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv } });

const auth = (...args: string[]) => run(['auth', ...args, '--org', 'acme', '--json']);
const json = (out: string) => JSON.parse(out) as Record<string, unknown>;

describe('duowatch auth (scripted interface)', () => {
  it('check and ping answer Duo time', async () => {
    for (const action of ['check', 'ping']) {
      const r = await auth(action);
      expect(r.code, r.err).toBe(0);
      expect(Math.abs((json(r.out)['time'] as number) - Date.now() / 1000)).toBeLessThan(120);
    }
  });

  it('preauth lists the factors and devices; an unknown user is told to enroll', async () => {
    const r = await auth('preauth', '--user', pushUser);
    expect(r.code, r.err).toBe(0);
    const body = json(r.out);
    expect(body['result']).toBe('auth');
    const devices = body['devices'] as Array<{ capabilities: string[] }>;
    expect(devices.some((d) => d.capabilities.includes('push'))).toBe(true);
    const unknown = await auth('preauth', '--user', 'nobody-here');
    expect(unknown.code).toBe(0);
    expect(json(unknown.out)).toMatchObject({ result: 'enroll' });
  });

  it('push: approve, deny and fraud are all answers (exit 0) with result/status/status_msg', async () => {
    const cases = [
      ['approve', { result: 'allow', status: 'allow' }],
      ['deny', { result: 'deny', status: 'deny' }],
      ['fraud', { result: 'deny', status: 'fraud' }],
    ] as const;
    for (const [kind, expected] of cases) {
      emulator.control.setUserBehaviour(creds.hostname, pushUser, { kind, afterS: 0 });
      const r = await auth('push', '--user', pushUser, '--pushinfo', 'reason=test', '--type', 'Check');
      expect(r.code, r.err).toBe(0);
      const body = json(r.out);
      expect(body).toMatchObject(expected);
      expect(Object.keys(body).sort()).toEqual(['result', 'status', 'status_msg']);
    }
  });

  it('push --async answers the txid with waiting/pushed; status --txid long-polls to the answer', async () => {
    emulator.control.setUserBehaviour(creds.hostname, pushUser, { kind: 'approve', afterS: 1 });
    const r = await auth('push', '--user', pushUser, '--async');
    expect(r.code, r.err).toBe(0);
    const started = json(r.out);
    expect(started).toMatchObject({ result: 'waiting', status: 'pushed' });
    expect(started['txid']).toEqual(expect.any(String));
    const s = await auth('status', '--txid', started['txid'] as string);
    expect(s.code, s.err).toBe(0);
    expect(json(s.out)).toMatchObject({ result: 'allow', status: 'allow' });
  });

  it('passcode: a valid code allows, a wrong one denies (both exit 0)', async () => {
    const code = emulator.control.passcode(creds.hostname, pushUser);
    if (code === undefined) throw new Error('push user has no passcode device');
    const ok = await auth('passcode', '--user', pushUser, '--passcode', code);
    expect(ok.code, ok.err).toBe(0);
    expect(json(ok.out)).toMatchObject({ result: 'allow' });
    const bad = await auth('passcode', '--user', pushUser, '--passcode', '000000001');
    expect(bad.code).toBe(0);
    expect(json(bad.out)).toMatchObject({ result: 'deny', status: 'deny' });
  });

  it('sms sends passcodes that then log the user in; phone calls are answered', async () => {
    const sent = await auth('sms', '--user', smsUser);
    expect(sent.code, sent.err).toBe(0);
    expect(json(sent.out)).toMatchObject({ result: 'deny', status: 'sent' });
    const [code] = emulator.control.smsPasscodes(creds.hostname, smsUser);
    if (code === undefined) throw new Error('no SMS passcode recorded');
    const used = await auth('passcode', '--user', smsUser, '--passcode', code);
    expect(json(used.out)).toMatchObject({ result: 'allow' });
    emulator.control.setUserBehaviour(creds.hostname, phoneUser, { kind: 'approve', afterS: 0 });
    const call = await auth('phone', '--user', phoneUser);
    expect(call.code, call.err).toBe(0);
    expect(json(call.out)).toMatchObject({ result: 'allow' });
  });

  it("errors exit 1 with Duo's code and what to do", async () => {
    const unknown = await auth('push', '--user', 'nobody-here');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/\[Duo 40002\]/);
    expect(unknown.err).toMatch(/does not know this user/);
    const noUser = await auth('push');
    expect(noUser.code).toBe(1);
    expect(noUser.err).toMatch(/needs --user/);
    const noOrg = await run(['auth', 'check', '--org', 'nope', '--json']);
    expect(noOrg.code).toBe(1);
    expect(noOrg.err).toMatch(/no organization/);
    const badTx = await auth('status', '--txid', 'no-such-tx');
    expect(badTx.code).toBe(1);
    expect(badTx.err).toMatch(/\[Duo 40002\]/);
  });

  it('a user who never answers does not hang the caller: --timeout ends it with exit 1', async () => {
    emulator.control.setUserBehaviour(creds.hostname, pushUser, { kind: 'ignore' });
    const r = await auth('push', '--user', pushUser, '--timeout', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no answer from Duo within 1 s/);
  });

  it('Duo down (connections dropped) is an error, exit 1', async () => {
    const fault = emulator.control.addFault({ kind: 'error', path: '/auth/v2/*', status: 503 });
    try {
      const r = await run([
        'auth',
        'preauth',
        '--org',
        'acme',
        '--user',
        pushUser,
        '--json',
        '--timeout',
        '5',
      ]);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
    } finally {
      emulator.control.removeFault(fault.id);
    }
  });
});
