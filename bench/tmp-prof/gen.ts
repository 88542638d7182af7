import { writeFileSync } from 'node:fs';
import { tenantEvents, MIX_SEED } from '../../src/detect/bench-mix.test-helpers.js';
import { toLine } from '../../src/detect/emulator-events.test-helpers.js';
import { vpnEgressNetwork } from '../../src/emulator/world/index.js';
writeFileSync('/tmp/prof/mix.ndjson', tenantEvents(true, 30).map(toLine).join('\n') + '\n');
writeFileSync('/tmp/prof/vpn.txt', vpnEgressNetwork(MIX_SEED).cidr);
