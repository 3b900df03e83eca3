#!/usr/bin/env node
import { openDefaultStore, runCli } from './cli/run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
  openStore: openDefaultStore,
});
process.exitCode = code;
