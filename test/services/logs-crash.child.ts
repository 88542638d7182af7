// The CLI as a separate process for the crash test (run with `node --import tsx`), so it can be SIGKILLed.
import { main } from '../../src/cli/index.js';

process.exitCode = await main(process.argv.slice(2));
