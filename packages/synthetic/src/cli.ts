#!/usr/bin/env node
import { runCli } from './cli/run.js';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, now: () => Date.now() }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`openidcr-synthetic: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
