import { createEngine } from '../../src/detect/engine.js';
import { tenantEvents } from '../../src/detect/bench-mix.test-helpers.js';
import { toLine } from '../../src/detect/emulator-events.test-helpers.js';
import { openGeo } from '../../src/detect/geo.js';
import { parseCollectedLine } from '../../src/detect/replay.js';
import { vpnEgressNetwork } from '../../src/emulator/world/index.js';
import { MIX_SEED } from '../../src/detect/bench-mix.test-helpers.js';
const geo = await openGeo();
const lines = tenantEvents(true, 30).map(toLine);
const parsed = lines.map((l, i) => parseCollectedLine(l, i + 1));
const vpn = vpnEgressNetwork(MIX_SEED).cidr;
const config = { enabled: true, rules: {}, allow: { trustedNetworks: [vpn] }, orgs: {} };
const rounds = Number(process.env.ROUNDS ?? 5);
for (let r = 0; r < rounds; r++) {
  const c0 = process.cpuUsage();
  const engine = createEngine({ geo, config });
  let d = 0;
  for (let i = 0; i < parsed.length; i += 1000) d += (await engine.process(parsed.slice(i, i + 1000))).length;
  await engine.flush();
  const c = process.cpuUsage(c0);
  console.log(r, parsed.length, d, Math.round(parsed.length / ((c.user + c.system) / 1e6)), 'ev/cpu-s');
}
