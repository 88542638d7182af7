#!/usr/bin/env node
// Thin bin (style.md §13): everything lives in the compiled CLI, loaded lazily.
import { main } from '../dist/cli/index.js';

process.exitCode = await main(process.argv.slice(2));
