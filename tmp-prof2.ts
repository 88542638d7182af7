import { readFileSync } from 'node:fs';
const ev = JSON.parse(readFileSync('/tmp/fp-events.json','utf8'));
const { createEngine } = await import('./src/detect/engine.js');
const { openGeo, noGeo } = await import('./src/detect/geo.js');
for (const g of [noGeo]) {
  const engine = createEngine({ geo: g });
  const t1 = performance.now();
  for (let i = 0; i < ev.length; i += 1000) await engine.process(ev.slice(i, i + 1000));
  console.log('engine ms', Math.round(performance.now() - t1), engine.stats());
}
