/**
 * The emulator for bench/health.bench.ts, in its own process so the probe process's CPU and memory are the
 * prober's alone. Prints one JSON line (host, address, port, CA file, Auth API keys); exits when stdin closes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator } from '../src/emulator/index.js';

const dir = mkdtempSync(join(tmpdir(), 'duowatch-health-bench-emu-'));
const emulator = await createEmulator({ seed: 'health-bench', users: 10, rateLimit: false });
const listening = await emulator.listen({ tlsDir: dir });
const t = emulator.credentials()[0];
if (t === undefined) throw new Error('no tenant');
process.stdout.write(
  JSON.stringify({
    host: t.hostname,
    address: listening.address,
    port: listening.port,
    caFile: listening.caFile,
    ikey: t.auth.ikey,
    skey: t.auth.skey,
  }) + '\n',
);
process.stdin.resume();
process.stdin.on('end', () => {
  void listening.close().then(() => process.exit(0));
});
