import { loadConfig } from '../../../config/index.js';
import type { CliIo } from '../../../cli/io.js';
import { createEngine, type Detection } from '../../engine.js';
import { DetectError } from '../../errors.js';
import { foldDetections } from '../../fold.js';
import { noGeo, openGeo } from '../../geo.js';
import { readCollectedFile } from '../../replay.js';
import type { ReplayOptions } from './command.js';

function time(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t))
    throw new DetectError('detect.bad_time', `${flag}: "${value}" is not an ISO-8601 time`);
  return t;
}

/**
 * The same engine as `serve`, over a file, with baselines in memory (a replay never changes the database).
 * Thresholds and allow-lists come from the configuration file when one is given.
 */
export async function runReplay(io: CliIo, opts: ReplayOptions, file: string): Promise<void> {
  const from = time(opts.from, '--from');
  const to = time(opts.to, '--to');
  const config = await loadConfig({ file: opts.config, env: io.env, cwd: process.cwd() });
  const engine = createEngine({
    config: config.detect,
    geo: opts.geoip === false ? noGeo : await openGeo(),
  });
  const detections: Detection[] = [];
  for await (const batch of readCollectedFile(file, {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  }))
    detections.push(...(await engine.process(batch)));
  const alerts = foldDetections(detections);
  if (opts.json === true) {
    for (const a of alerts) io.stdout.write(JSON.stringify(a) + '\n');
    return;
  }
  const stats = engine.stats();
  if (alerts.length === 0) io.stdout.write(`no alerts (${stats.events} events)\n`);
  for (const a of alerts)
    io.stdout.write(
      `${a.first_seen}  ${a.severity.padEnd(8)} ${a.rule.padEnd(34)} ${a.org}/${a.entity}  ×${a.count}  ${a.title}\n`,
    );
  if (alerts.length > 0) io.stdout.write(`${alerts.length} alerts from ${stats.events} events\n`);
}
