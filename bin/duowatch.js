#!/usr/bin/env node
// Thin bin (docs/conventions.md §13): everything lives in the compiled CLI, loaded lazily.
import { main } from '../dist/cli/index.js';

// `duowatch … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
