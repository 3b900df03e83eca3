// Parses every message of an `openidcr-synthetic --format hl7` output folder with hl7-standard, streaming each file
// message by message (flat memory), checks BTS-1 against the count, and prints a table. Exits 1 on any failure.
//   node bench/parse-hl7-output.mjs ./feeds
import { createReadStream, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const HL7 = require('hl7-standard');
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/parse-hl7-output.mjs <output folder of openidcr-synthetic --format hl7>');
  process.exit(2);
}

async function checkFile(file) {
  let buffer = '';
  let parsed = 0;
  let failed = 0;
  let declared;
  const firstFailures = [];
  const take = (text) => {
    if (!text.startsWith('MSH|')) {
      const bts = /(?:^|\r)BTS\|(\d+)/.exec(text);
      if (bts) declared = Number(bts[1]);
      const head = text.split(/\r(?=MSH\|)/);
      return head.length > 1 ? head.slice(1).forEach(take) : undefined;
    }
    const end = text.search(/\r(?:BTS|FTS)\|/);
    const message = end >= 0 ? text.slice(0, end + 1) : text;
    if (end >= 0) {
      const bts = /\rBTS\|(\d+)/.exec(text);
      if (bts) declared = Number(bts[1]);
    }
    try {
      const hl7 = new HL7(message.endsWith('\r') ? message : `${message}\r`);
      hl7.transform();
      if (!hl7.get('MSH.10')) throw new Error('no MSH-10');
      parsed++;
    } catch (error) {
      failed++;
      if (firstFailures.length < 3) firstFailures.push(`${error.message}: ${message.slice(0, 120)}`);
    }
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    buffer += chunk;
    const parts = buffer.split(/\r(?=MSH\|)/);
    buffer = parts.pop() ?? '';
    for (const part of parts) take(part.startsWith('MSH|') ? `${part}\r` : part);
  }
  if (buffer) take(buffer);
  return { parsed, failed, declared, firstFailures };
}

const started = Date.now();
let ok = true;
console.log('| file | messages parsed | failed | BTS-1 |');
console.log('| --- | ---: | ---: | ---: |');
let total = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith('.hl7')).sort()) {
  const result = await checkFile(join(dir, name));
  total += result.parsed;
  if (result.failed > 0 || result.declared !== result.parsed) ok = false;
  console.log(`| ${name} | ${result.parsed} | ${result.failed} | ${result.declared} |`);
  for (const failure of result.firstFailures) console.log(`  ${failure}`);
}
const seconds = (Date.now() - started) / 1000;
console.log(`${total} messages in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s), peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB: ${ok ? 'all parse' : 'FAILURES'}`);
process.exit(ok ? 0 : 1);
