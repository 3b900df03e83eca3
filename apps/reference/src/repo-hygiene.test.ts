import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const tracked = (): string[] => {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    return [];
  }
};

/** Shapes of secrets that must never be committed. Keys are generated at start; tokens are issued at run time. */
const SECRET_SHAPES: Array<[string, RegExp]> = [
  ['private key block', /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/],
  ['AWS access key id', /\bAKIA[0-9A-Z]{16}\b/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['Slack token', /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/],
  ['signed JWT', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}\b/],
  ['password in a connection string', /\b(?:postgres(?:ql)?|mysql|amqp|redis):\/\/[^\s:/@]+:[^\s@/]{3,}@/],
  ['JWK private exponent', /"d"\s*:\s*"[A-Za-z0-9_-]{32,}"/],
];

describe('repository hygiene [REQ-SEC-003]', () => {
  it('commits no secrets: no private keys, tokens or passwords in any tracked file', () => {
    const files = tracked().filter((f) => !/\.(png|jpe?g|gif|ico|pdf|woff2?|tgz)$/.test(f) && f !== 'package-lock.json');
    expect(files.length).toBeGreaterThan(50);
    const findings: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue;
      }
      for (const [what, shape] of SECRET_SHAPES) if (shape.test(text)) findings.push(`${file}: ${what}`);
    }
    expect(findings).toEqual([]);
  });

  it('the scan recognises each shape it looks for (so it cannot pass by matching nothing)', () => {
    // Built from pieces, so this file itself holds none of the shapes it scans for.
    const samples = [
      ['-----BEGIN', 'PRIVATE KEY-----'].join(' '),
      'AKIA' + 'ABCDEFGHIJKLMNOP',
      'ghp_' + 'a'.repeat(36),
      'npm_' + 'b'.repeat(36),
      'xoxb' + '-1234567890-abc',
      'eyJ' + 'a'.repeat(12) + '.eyJ' + 'b'.repeat(12) + '.' + 'c'.repeat(24),
      'postgres://admin' + ':hunter22@db.example/idcr',
      '"d": ' + `"${'x'.repeat(43)}"`,
    ];
    samples.forEach((sample, i) => expect(SECRET_SHAPES[i]![1].test(sample), SECRET_SHAPES[i]![0]).toBe(true));
  });
});
