// The CLI as a separate OS process for tests that need two at once (run with `node --import tsx`).
import { main } from '../../src/cli/index.js';

process.exitCode = await main(process.argv.slice(2));
