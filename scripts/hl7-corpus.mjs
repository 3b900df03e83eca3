#!/usr/bin/env node
// Runs `openidcr ingest FILE --json` over every file of an HL7 v2 corpus folder (../shared/testdata/hl7-corpus in
// CI) and checks: well-formed messages accepted, broken ones rejected with a reason, and zero crashes. What counts as
// broken is read from the corpus's own SOURCES.md (rows whose description starts with MALFORMED, and ACKs sent as
// messages); files it lists as deliberately odd but repairable (MLLP-framed, non-HL7 dates) may go either way.
// The corpus is test input only: nothing from it is copied into this repository.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '../shared/testdata/hl7-corpus');
const cli = resolve(import.meta.dirname, '../packages/integration/dist/cli.js');
if (!existsSync(cli)) {
  console.error(`hl7-corpus: ${cli} not built`);
  process.exit(2);
}
const sources = existsSync(join(dir, 'SOURCES.md')) ? readFileSync(join(dir, 'SOURCES.md'), 'utf8') : '';
const expectation = new Map();
for (const line of sources.split('\n')) {
  const m = /^\| `([^`]+\.hl7)` \|.*\| ([^|]*) \|\s*$/.exec(line);
  if (!m) continue;
  const [, file, what] = m;
  if (/^MALFORMED/.test(what.trim()) || /__ACK__/.test(file)) expectation.set(file, 'reject');
  else if (/^MLLP-FRAMED/.test(what.trim()) || /non-HL7 date/.test(what)) expectation.set(file, 'either');
  else expectation.set(file, 'accept');
}

const rows = [];
let failures = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.hl7')).sort()) {
  const expected = expectation.get(file) ?? 'accept';
  // The in-memory sink: the check is of parsing, validation and mapping; the store paths have their own suites.
  const run = spawnSync('node', [cli, 'ingest', join(dir, file), '--json', '--store', 'memory'], { encoding: 'utf8', timeout: 120_000 });
  let summary;
  try {
    summary = JSON.parse(run.stdout.trim().split('\n').filter(Boolean).pop() ?? '');
  } catch {
    summary = undefined;
  }
  let verdict = 'ok';
  if (run.signal || run.status === null) verdict = `CRASH (signal ${run.signal ?? 'timeout'})`;
  else if (!summary || typeof summary.accepted !== 'number') verdict = `CRASH (exit ${run.status}, no JSON summary: ${(run.stderr || run.stdout).trim().split('\n').pop()})`;
  else if (run.status !== 0 && run.status !== 1) verdict = `CRASH (exit ${run.status})`;
  else if ((summary.rejected > 0) !== (run.status === 1)) verdict = `exit ${run.status} disagrees with ${summary.rejected} rejected`;
  else if (expected === 'accept' && (summary.rejected > 0 || summary.accepted + (summary.duplicates ?? 0) === 0)) verdict = 'well-formed but REJECTED';
  else if (expected === 'reject' && summary.rejected === 0) verdict = 'broken but ACCEPTED';
  else if (summary.rejected > 0 && !JSON.stringify(summary).match(/"(reason|error|errors|rejections)"/) && !run.stderr.trim()) verdict = 'rejected WITHOUT a reason';
  if (verdict !== 'ok') failures++;
  const reason = summary?.rejections?.[0]?.reason ?? summary?.errors?.[0]?.reason ?? summary?.errors?.[0] ?? '';
  rows.push({ file, expected, accepted: summary?.accepted ?? '-', rejected: summary?.rejected ?? '-', verdict, reason: String(typeof reason === 'string' ? reason : JSON.stringify(reason)).slice(0, 70) });
}
console.table(rows);
console.log(`hl7-corpus: ${rows.length} files, ${rows.length - failures} as expected, ${failures} not`);
process.exit(failures > 0 ? 1 : 0);
