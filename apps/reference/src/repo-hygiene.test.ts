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
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['Stripe secret key', /\b[sr]k_live_[0-9A-Za-z]{20,}\b/],
  ['Azure storage account key', /AccountKey=[A-Za-z0-9+/]{40,}={0,2}/],
  ['npm registry auth token', /_authToken\s*=\s*[^\s$]{16,}/],
  ['password assigned in config', /\b(?:password|passwd|client_secret|secret_key|api_key)\b["']?\s*[:=]\s*["'][^"'\s$]{8,}["']/i],
];

/** Marks a line whose secret-shaped value is made up (a fixture the code must refuse). */
const ALLOW = /secrets-scan:\s*allow/;

/** Files whose name says they hold a secret: never tracked, whatever they contain. */
const SECRET_FILES = /(?:^|\/)(?:\.env(?:\.[\w-]+)?|[^/]+\.(?:pem|key|p12|pfx|jks|keystore)|id_(?:rsa|dsa|ecdsa|ed25519)|\.pgpass|credentials\.json)$/i;
/** Example files that document variables without values. */
const SECRET_FILE_EXAMPLES = /(?:\.example|\.sample|\.template)$/i;

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
      for (const [what, shape] of SECRET_SHAPES) {
        if (!shape.test(text)) continue;
        // A made-up value in a test (a password the code must refuse) is marked on its line, as gitleaks:allow is.
        const lines = text.split('\n').filter((line) => shape.test(line) && !ALLOW.test(line));
        if (lines.length > 0 || !text.split('\n').some((line) => shape.test(line))) findings.push(`${file}: ${what}`);
      }
    }
    expect(findings).toEqual([]);
  });

  it('tracks no file whose name says it holds a secret (.env, *.pem, *.key, id_rsa, .pgpass, credentials.json)', () => {
    const files = tracked();
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => SECRET_FILES.test(f) && !SECRET_FILE_EXAMPLES.test(f))).toEqual([]);
    for (const name of ['.env', 'config/.env.production', 'certs/server.pem', 'keys/signing.key', 'home/.ssh/id_ed25519', '.pgpass', 'gcp/credentials.json']) expect(SECRET_FILES.test(name), name).toBe(true);
    for (const name of ['.env.example', 'src/keys.ts', 'docs/environment.md']) expect(SECRET_FILES.test(name) && !SECRET_FILE_EXAMPLES.test(name), name).toBe(false);
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
      'AIza' + 'B'.repeat(35),
      'sk_' + 'live_' + 'c'.repeat(24),
      'AccountKey' + '=' + 'd'.repeat(44) + '==',
      '//registry.npmjs.org/:_auth' + 'Token=' + 'e'.repeat(36),
      'pass' + 'word: "' + 'correct-horse-battery' + '"',
    ];
    samples.forEach((sample, i) => expect(SECRET_SHAPES[i]![1].test(sample), SECRET_SHAPES[i]![0]).toBe(true));
    expect(samples.length).toBe(SECRET_SHAPES.length);
    expect(ALLOW.test(`${samples[6]} // secrets-scan: allow`)).toBe(true);
    expect(ALLOW.test(samples[6]!)).toBe(false);
  });
});
