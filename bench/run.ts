/**
 * `npm run bench [-- name …]`: runs every bench/*.bench.ts (or the named ones), prints one table and writes
 * bench/results/<timestamp>.json. Each bench module's default export returns rows; a row may carry the
 * baseline it was measured against in the same run, and the ratio is computed here so no bench can
 * report a ratio it did not measure.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
  /** The same quantity measured for the stated baseline in this run. */
  baseline?: { name: string; value: number };
  /** Whether a larger value is better (throughput) or worse (latency, memory). */
  higherIsBetter?: boolean;
  /** A target from the issue, for the table's verdict column. */
  target?: { op: '<' | '>'; value: number };
}

type BenchModule = { default: () => Promise<BenchRow[]> };

const here = fileURLToPath(new URL('.', import.meta.url));

/** One bench in its own process, so one bench's memory (an emulator's tenants) never counts in another's RSS. */
function runIsolated(file: string): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: process.env,
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench ${file} exited with ${String(code)}`));
      const line = out.trim().split('\n').pop() ?? '[]';
      resolve(JSON.parse(line) as BenchRow[]);
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const file = process.argv[3] ?? '';
    const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
    process.stdout.write('\n' + JSON.stringify(await mod.default()) + '\n');
    return;
  }
  const wanted = process.argv.slice(2);
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
    .sort();
  const results: Array<BenchRow & { bench: string; ratio?: number; meetsTarget?: boolean }> = [];
  for (const file of files) {
    const bench = file.replace(/\.bench\.ts$/, '');
    process.stderr.write(`bench: ${bench} …\n`);
    for (const row of await runIsolated(file)) {
      const ratio = row.baseline && row.baseline.value !== 0 ? row.value / row.baseline.value : undefined;
      const meetsTarget = row.target
        ? row.target.op === '<'
          ? row.value < row.target.value
          : row.value > row.target.value
        : undefined;
      results.push({
        bench,
        ...row,
        ...(ratio === undefined ? {} : { ratio }),
        ...(meetsTarget === undefined ? {} : { meetsTarget }),
      });
    }
  }
  const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3));
  const rows = results.map((r) => [
    r.bench,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : '',
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.target ? `${r.target.op} ${r.target.value} ${r.meetsTarget === true ? 'ok' : 'MISSED'}` : '',
    r.note ?? '',
  ]);
  const head = ['bench', 'measure', 'value', 'baseline (same run)', 'ratio', 'target', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  process.stdout.write(line(head) + '\n' + widths.map((w) => '-'.repeat(w)).join('-|-') + '\n');
  for (const r of rows) process.stdout.write(line(r) + '\n');
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { node: process.version, cpus: cpus().length, memoryBytes: totalmem() };
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2) + '\n');
  process.stdout.write(`\nwrote ${out}\n`);
}

await main();
