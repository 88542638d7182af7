import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alertOutbox } from '../src/alerts/index.js';
import { capabilityMigrations } from '../src/app/index.js';
import { openStore } from '../src/store/index.js';

export { hookReceiver, type HookReceiver } from '../src/logs/hook-receiver.test-helpers.js';

/**
 * The alert-outbox crash scenario (docs/logs.md, "Tests"), on SQLite or — with DATABASE_URL in `env` —
 * PostgreSQL: children running the real alerts and logs capabilities store alert changes and are SIGKILLed
 * while their delivery hangs on the webhook receiver (the file sink has written, nothing is committed); then the
 * built CLI's `logs run` delivers. Returns what the sinks hold and what the outbox holds.
 */
export const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'duowatch.js');

/** Runs the built CLI to its end; bounded by a generous timeout. */
export function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

function cleanEnv(env: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        !e[0].startsWith('DUOWATCH_') && e[0] !== 'DATABASE_URL' && e[1] !== undefined,
    ),
  );
  return { ...base, ...env };
}

/** Waits for a condition with a generous ceiling (the event itself, not a fixed delay). */
export async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function writeConfig(dir: string, hookUrl: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'duowatch.yaml');
  await writeFile(
    file,
    `logs:
  sinks:
    archive: { type: file, path: alerts.ndjson, format: raw }
    hook:
      type: webhook
      url: ${hookUrl}
      timeoutMs: 60000
      spill: { maxBytes: 0 }
  routes:
    - { org: acme, streams: [alerts], sinks: [archive, hook] }
`,
  );
  return file;
}

export interface Child {
  proc: ChildProcess;
  stored: boolean;
  err: string;
  exit: Promise<void>;
}

export function storingChild(env: Record<string, string>, tag: string, alerts: number): Child {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'test', 'alerts-outbox-crash.child.ts'),
      '--org',
      'acme',
      '--tag',
      tag,
      '--alerts',
      String(alerts),
    ],
    { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const child: Child = { proc, stored: false, err: '', exit: Promise.resolve() };
  proc.stdout?.on('data', (c: Buffer) => {
    if (c.toString().includes('"stored"')) child.stored = true;
  });
  proc.stderr?.on('data', (c: Buffer) => (child.err += c.toString()));
  child.exit = new Promise((resolve) => proc.on('exit', () => resolve()));
  return child;
}

export async function fileIds(dataDir: string): Promise<string[]> {
  const text = await readFile(join(dataDir, 'alerts.ndjson'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { duowatch: { id: string } }).duowatch.id);
}

/** Every change the outbox holds for the organization, as the sinks' event ids, in sequence order. */
export async function outboxIds(env: Record<string, string>, dataDir: string): Promise<string[]> {
  const store = await openStore({
    dataDir,
    env,
    migrations: capabilityMigrations,
    ...(env['DATABASE_URL'] === undefined ? {} : { databaseUrl: env['DATABASE_URL'] }),
  });
  try {
    const org = await store.organizations.findBySlug('acme');
    if (org === undefined) throw new Error('no organization acme');
    const changes = await alertOutbox(store).read(org.id, 0, 10_000);
    return changes.map((c) => `alert-${c.alertId}-${String(c.seq)}`);
  } finally {
    await store.close();
  }
}
