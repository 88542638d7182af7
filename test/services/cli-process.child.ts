// The CLI as a separate OS process for tests that need two at once (run with `node --import tsx`).
import { main } from '../../src/cli/index.js';

// With an IPC channel the parent decides when the command starts: the modules are loaded first (seconds on a
// busy machine), so a test can start the command the moment it needs it, not a start-up later.
if (process.send !== undefined) {
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.('ready');
  });
  process.disconnect();
}

process.exitCode = await main(process.argv.slice(2));
