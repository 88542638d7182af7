/**
 * Part 1 of bench/detect.bench.ts in a process of its own (detect-throughput.ts says why): prints its rows as one
 * JSON line.
 */
import { MIX_SEED } from '../src/detect/bench-mix.test-helpers.js';
import { openGeo } from '../src/detect/geo.js';
import { vpnEgressNetwork } from '../src/emulator/world/index.js';
import { throughputRows } from './detect-throughput.js';

const rows = await throughputRows(await openGeo(), vpnEgressNetwork(MIX_SEED).cidr);
process.stdout.write(`${JSON.stringify(rows)}\n`);
