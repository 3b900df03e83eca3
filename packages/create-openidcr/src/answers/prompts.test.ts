import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { scaffold } from '../project/write.js';
import type { Choice, Prompter } from './prompts.js';
import { askAnswers } from './prompts.js';

type Step = [RegExp, string | boolean | string[]];

/**
 * Answers prompts from a script, in order, as a person at the terminal would: each question must be the one the
 * script expects next; an answer the prompt's own check refuses is recorded and the same question is asked again.
 */
function scripted(steps: Step[]): Prompter & { refused: string[]; asked: string[]; remaining: () => number } {
  const queue = [...steps];
  const refused: string[] = [];
  const asked: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    const step = queue.shift();
    if (!step) throw new Error(`unexpected question: ${message}`);
    if (!step[0].test(message)) throw new Error(`expected a question matching ${step[0]}, was asked: ${message}`);
    return step[1];
  };
  const pick = <T extends string>(message: string, choices: Array<Choice<T>>, answer: unknown): T => {
    const choice = choices.find((c) => c.value === answer);
    if (!choice) throw new Error(`${message}: ${String(answer)} is not a choice (${choices.map((c) => c.value).join(', ')})`);
    return choice.value;
  };
  return {
    refused,
    asked,
    remaining: () => queue.length,
    async input(q) {
      for (;;) {
        const answer = next(q.message);
        const value = typeof answer === 'string' && answer === '' && q.default !== undefined ? q.default : String(answer);
        const verdict = q.validate ? await q.validate(value) : true;
        if (verdict === true) return value;
        refused.push(verdict);
      }
    },
    async select(q) {
      return pick(q.message, q.choices, next(q.message));
    },
    async checkbox(q) {
      const answer = next(q.message) as string[];
      return answer.map((a) => pick(q.message, q.choices, a));
    },
    async confirm(q) {
      return next(q.message) as boolean;
    },
  };
}

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('prompts', () => {
  it('asks everything for a typed-in pooled locality, re-asks what its checks refuse, and the answers scaffold a project', async () => {
    const prompter = scripted([
      [/Name of the locality/, 'Dales'],
      [/Folder to create/, ''],
      [/How will you give the organisations/, 'type'],
      [/Organisation 1: ODS code/, 'B8-2'],
      [/Organisation 1: ODS code/, 'b82001'],
      [/Organisation 1: name/, 'Dales Medical Practice'],
      [/Organisation 1: kind/, 'gp-practice'],
      [/Organisation 1: go-live stage/, 'live'],
      [/Add another organisation/, true],
      [/Organisation 2: ODS code/, 'B82001'],
      [/Organisation 2: ODS code/, 'RCF'],
      [/Organisation 2: name/, 'Airedale NHS Foundation Trust'],
      [/Organisation 2: kind/, 'acute-trust'],
      [/Organisation 2: go-live stage/, 'pilot'],
      [/Add another organisation/, false],
      [/Consent model/, 'explicit-share'],
      [/Topology/, 'pooled'],
      [/First MLLP port/, 'lots'],
      [/First MLLP port/, 'none'],
      [/Where is the record kept/, 'pglite'],
      [/How do users sign in/, 'dev'],
      [/Packages to include/, ['model', 'viewer']],
      [/Information governance contact/, 'dales.ig@nhs.example'],
      [/privacy notice/, 'not a url'],
      [/privacy notice/, 'https://dales.example/privacy'],
    ]);
    const input = await askAnswers(prompter, {});
    expect(prompter.remaining()).toBe(0);
    expect(prompter.refused).toEqual([
      'An ODS code is 3 to 6 letters and digits, e.g. Y90001 or RR8',
      'B82001 is already in the list',
      'A port number from 0 to 65000, or none',
      'an address starting http:// or https://',
    ]);
    expect(input).toMatchObject({
      name: 'Dales',
      directory: 'dales',
      organisations: [
        { ods: 'B82001', name: 'Dales Medical Practice', kind: 'gp-practice', stage: 'live' },
        { ods: 'RCF', name: 'Airedale NHS Foundation Trust', kind: 'acute-trust', stage: 'pilot' },
      ],
      consentModel: 'explicit-share',
      topology: 'pooled',
      mllpPort: null,
      storage: 'pglite',
      auth: { mode: 'dev' },
      packages: ['model', 'viewer'],
      igContact: 'dales.ig@nhs.example',
      privacyUrl: 'https://dales.example/privacy',
    });
    const cwd = await mkdtemp(join(tmpdir(), 'create-openidcr-prompts-'));
    dirs.push(cwd);
    const done = await scaffold(input, { cwd, now: new Date('2026-11-22T10:00:00Z') });
    expect(done.locality.channels.every((c) => c.mllpPort === undefined)).toBe(true);
    expect(done.locality.isa.consentModel).toEqual({ kind: 'explicit-share', itemShareOutRequired: false });
    expect(JSON.parse(await readFile(join(done.directory, 'package.json'), 'utf8')).dependencies).toHaveProperty('@openidcr/viewer');
  });

  it('imports the organisations from a CSV, showing every row problem of a bad file before taking a good one; federated with OIDC', async () => {
    const prompter = scripted([
      [/Name of the locality/, 'Northshire'],
      [/Folder to create/, 'ns'],
      [/How will you give the organisations/, 'csv'],
      [/Path to the CSV file/, 'no-such.csv'],
      [/Path to the CSV file/, 'organisations-bad.csv'],
      [/Path to the CSV file/, 'organisations.csv'],
      [/Consent model/, 'consent-to-view'],
      [/Topology/, 'federated'],
      [/FHIR R4 endpoint of Riverside Surgery/, ''],
      [/FHIR R4 endpoint of Hillview/, ''],
      [/FHIR R4 endpoint of Northshire Hospitals/, 'https://fhir.x9a.example/R4'],
      [/FHIR R4 endpoint of Northshire Mental Health/, 'ftp://x9m'],
      [/FHIR R4 endpoint of Northshire Mental Health/, ''],
      [/FHIR R4 endpoint of Northshire Council/, ''],
      [/FHIR R4 endpoint of Canal Pharmacy/, ''],
      [/Where is the record kept/, 'postgres'],
      [/PostgreSQL URL/, 'postgres://idcr:hunter2@db/idcr'], // secrets-scan: allow (made-up password the code must refuse)
      [/PostgreSQL URL/, 'postgres://idcr@db/idcr'],
      [/How do users sign in/, 'oidc'],
      [/Issuer URL/, 'https://login.northshire.example'],
      [/JWKS URL/, 'https://login.northshire.example/jwks'],
      [/Audience/, ''],
      [/Packages to include/, []],
      [/Information governance contact/, ''],
      [/privacy notice/, ''],
    ]);
    const input = await askAnswers(prompter, {}, { cwd: fixtures });
    expect(prompter.remaining()).toBe(0);
    expect(prompter.refused[0]).toBe('Cannot read no-such.csv: no such file');
    expect(prompter.refused[1]!.split('\n')).toEqual([
      'Row 3, column ods: "Y9-001" is not an ODS code (3 to 6 letters and digits, e.g. Y90001 or RR8)',
      expect.stringMatching(/^Row 4, column kind: "hospital" is not an organisation kind/),
      'Row 5, column name: is empty: every organisation needs a name',
      'Row 6, column stage: "soon" is not a go-live stage (pilot, staged, live)',
    ]);
    expect(prompter.refused.slice(2)).toEqual([
      'an address starting http:// or https://',
      'has a password in it: leave it out here and give the whole URL in DATABASE_URL when starting, so no password is written to the project',
    ]);
    expect(input.organisations).toHaveLength(6);
    expect(input.sources).toEqual([{ organisation: 'X9A', baseUrl: 'https://fhir.x9a.example/R4' }]);
    expect(input.auth).toEqual({ mode: 'oidc', issuer: 'https://login.northshire.example', jwksUrl: 'https://login.northshire.example/jwks', audience: 'openidcr' });
    expect(input).not.toHaveProperty('igContact');
    const cwd = await mkdtemp(join(tmpdir(), 'create-openidcr-prompts-'));
    dirs.push(cwd);
    const done = await scaffold(input, { cwd });
    expect(done.locality.topology).toMatchObject({ kind: 'federated', sources: [{ organisation: 'X9A', baseUrl: 'https://fhir.x9a.example/R4' }] });
    expect(done.locality.channels).toEqual([]);
    expect(done.locality.storage.url).toBe('postgres://idcr@db/idcr');
  });

  it('asks only what the flags left out', async () => {
    const prompter = scripted([
      [/Folder to create/, ''],
      [/Packages to include/, ['requirements']],
      [/Information governance contact/, ''],
      [/privacy notice/, ''],
    ]);
    const input = await askAnswers(prompter, {
      name: 'Wolds',
      organisations: [{ ods: 'B81001', name: 'Wolds Surgery', kind: 'gp-practice' }],
      consentModel: 'implied-opt-out',
      topology: 'pooled',
      mllpPort: 0,
      storage: 'pglite',
      auth: { mode: 'dev' },
    });
    expect(prompter.asked).toHaveLength(4);
    expect(input).toMatchObject({ name: 'Wolds', directory: 'wolds', mllpPort: 0, packages: ['requirements'] });
  });
});
