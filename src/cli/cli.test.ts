import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './index.js';
import { version } from '../version.js';

function capture(): { io: Parameters<typeof main>[1] & object; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {} }, out: () => o, err: () => e };
}

describe('cli', () => {
  it('prints the package version', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out().trim()).toBe(version);
  });
  it('exits non-zero on an unknown command', async () => {
    const c = capture();
    expect(await main(['no-such-command'], c.io)).not.toBe(0);
    expect(c.err()).toMatch(/error: (unknown command|too many arguments)/);
  });
});
