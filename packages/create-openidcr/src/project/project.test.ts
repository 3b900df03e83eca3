import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineLocality, type LocalityInput } from '@openidcr/architecture';
import { ORGANISATION_KINDS, parseIsa, renderIsa } from '@openidcr/governance';
import { CONSENT_MODEL_KINDS, parseAnswers, type AnswersInput } from '../answers/answers.js';
import { buildProject } from './files.js';
import { localityInputOf } from './locality.js';
import { PACKAGES, PACKAGE_IDS, OPTIONAL_PACKAGES } from './packages.js';
import { buildDraftIsa } from './isa.js';

const now = new Date('2026-11-22T10:00:00Z');

const northshire: AnswersInput = {
  name: 'Northshire',
  directory: 'northshire',
  organisations: [
    { ods: 'Y90001', name: 'Riverside Surgery', kind: 'gp-practice', stage: 'live' },
    { ods: 'X9A', name: 'Northshire Hospitals NHS Foundation Trust', kind: 'acute-trust' },
    { ods: 'X9L', name: 'Northshire Council Social Care', kind: 'local-authority' },
    { ods: 'FA123', name: 'Canal Pharmacy', kind: 'community-pharmacy' },
  ],
  consentModel: 'practice-activation',
  topology: 'pooled',
  storage: 'pglite',
  auth: { mode: 'dev' },
  packages: ['citizen'],
};

function answers(input: AnswersInput) {
  const parsed = parseAnswers(input);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return parsed.answers;
}

const printableLine = (s: string) => s.trim().length > 0 && ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Any set of answers a person or a script could give that the answers schema accepts. */
const anyAnswers = fc
  .uniqueArray(
    fc.record({
      ods: fc.stringMatching(/^[A-Z0-9]{3,6}$/),
      name: fc.string({ minLength: 1, maxLength: 40 }).filter(printableLine),
      kind: fc.constantFrom(...ORGANISATION_KINDS),
      stage: fc.constantFrom('pilot' as const, 'staged' as const, 'live' as const),
    }),
    { minLength: 1, maxLength: 8, selector: (o) => o.ods },
  )
  .chain((organisations) =>
    fc.record({
      name: fc.string({ minLength: 1, maxLength: 80 }).filter(printableLine),
      directory: fc.constant('out'),
      organisations: fc.constant(organisations),
      consentModel: fc.constantFrom(...CONSENT_MODEL_KINDS),
      topology: fc.constantFrom('pooled' as const, 'federated' as const),
      sources: fc.subarray(organisations, { minLength: 1 }).map((orgs) => orgs.map((o) => ({ organisation: o.ods, baseUrl: `https://fhir.${o.ods.toLowerCase()}.example/R4` }))),
      storage: fc.constantFrom('pglite' as const, 'postgres' as const),
      packages: fc.subarray([...OPTIONAL_PACKAGES]),
      auth: fc.constantFrom({ mode: 'dev' as const }, { mode: 'oidc' as const, issuer: 'https://login.example.nhs.uk', jwksUrl: 'https://login.example.nhs.uk/jwks', audience: 'idcr' }),
      mllpPort: fc.constantFrom(null, 0, 2575, 64_000),
      // Near the MLLP ports on purpose: the HTTP port must never land on a channel's.
      httpPort: fc.oneof(fc.constantFrom(0, 8080, 2575, 2578, 64_003), fc.integer({ min: 0, max: 65_535 })),
    }),
  )
  // Answers whose HTTP port lands on an MLLP channel port are refused (tested below), so they are not generated.
  .filter((a) => a.topology !== 'pooled' || !a.mllpPort || a.httpPort < a.mllpPort || a.httpPort >= a.mllpPort + a.organisations.length)
  .map((a): AnswersInput => ({
    ...a,
    sources: a.topology === 'federated' ? a.sources : [],
    ...(a.storage === 'postgres' ? { databaseUrl: 'postgres://idcr@db.internal:5432/idcr' } : {}),
  }));

describe('the project made from the answers', () => {
  it('is a configuration defineLocality accepts, whatever valid answers are given (property)', () => {
    fc.assert(
      fc.property(anyAnswers, (input) => {
        const checked = answers(input);
        const project = buildProject(checked, now);
        const locality = defineLocality(JSON.parse(JSON.stringify(localityInputOf(checked, project.isa.isa))) as LocalityInput);
        expect(locality.organisations.map((o) => o.ods)).toEqual(checked.organisations.map((o) => o.ods));
        expect(locality.topology.kind).toBe(checked.topology);
        expect(locality.isa.consentModel.kind).toBe(checked.consentModel);
        // Demo sign-in never listens beyond this machine.
        expect(locality.ports.host).toBe(checked.auth.mode === 'dev' ? '127.0.0.1' : '0.0.0.0');
        // The channels never collide with the HTTP port or each other, so it also starts.
        expect(parseIsa(JSON.parse(project.files['isa.json']!)).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('writes the configuration, the ISA in both forms, the start and ISA scripts and a README', () => {
    const project = buildProject(answers(northshire), now);
    expect(Object.keys(project.files).sort()).toEqual(['.gitignore', 'ISA.md', 'README.md', 'idcr.config.ts', 'isa.json', 'isa.ts', 'package.json', 'start.ts', 'tsconfig.json']);
    const pkg = JSON.parse(project.files['package.json']!) as { name: string; scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.name).toBe('northshire-care-record');
    expect(pkg.scripts).toEqual({ start: 'tsx start.ts', isa: 'tsx isa.ts', typecheck: 'tsc --noEmit' });
    expect(Object.keys((pkg as unknown as { devDependencies: object }).devDependencies)).toEqual(['@types/node', 'typescript']);
    expect(Object.keys(pkg.dependencies)).toEqual(['@openidcr/architecture', '@openidcr/citizen', '@openidcr/governance', 'tsx']);
    const config = project.files['idcr.config.ts']!;
    expect(config).toContain("import { defineLocality, type LocalityInput } from '@openidcr/architecture';");
    expect(config).toContain("import isa from './isa.json' with { type: 'json' };");
    expect(config).toContain("  consentModel: {\n    kind: 'practice-activation',\n  },");
    expect(config).toContain("ods: 'FA123',");
    expect(project.files['start.ts']).toContain('startFromConfig');
    expect(project.files['README.md']).toContain('| FA123 | Canal Pharmacy | community-pharmacy | pilot |');
    expect(project.files['README.md']).toContain('"userId":"gp-y90001"');
    // Demo users: one professional per organisation in the role its kind suggests, a privacy officer, a test-range citizen.
    const users = project.locality.auth.mode === 'dev' ? project.locality.auth.users : [];
    expect(users.map((u) => `${u.id}:${u.role}`)).toEqual([
      'gp-y90001:gp',
      'hospital-clinician-x9a:hospital-clinician',
      'social-worker-x9l:social-worker',
      'pharmacist-fa123:pharmacist',
      'privacy-officer:privacy-officer',
      'citizen-demo:citizen',
    ]);
    expect(users.at(-1)!.nhsNumber).toMatch(/^999\d{7}$/);
    expect(project.locality.channels.map((c) => `${c.id}:${c.profile}:${c.mllpPort}`)).toEqual([
      'y90001-feed:gp:2575',
      'x9a-feed:acute-pas:2576',
      'x9l-feed:social-care:2577',
      'fa123-feed:generic:2578',
    ]);
  });

  it('drafts the ISA from the answers: draft, every party proposed, the chosen consent model, dated from today', () => {
    const { isa, findings, todos } = buildDraftIsa(answers({ ...northshire, igContact: 'ig@northshire.example', privacyUrl: 'https://northshire.example/privacy' }), now);
    expect(isa.status).toBe('draft');
    expect(isa.consentModel).toEqual({ kind: 'practice-activation' });
    expect([isa.validFrom, isa.reviewDate, isa.validTo]).toEqual(['2026-11-22', '2027-11-22', '2029-11-22']);
    expect(isa.parties.map((p) => `${p.ods}:${p.status}`)).toEqual(['Y90001:proposed', 'X9A:proposed', 'X9L:proposed', 'FA123:proposed']);
    // No invented signatories, guardians or activations: the partners name their own.
    expect(isa.parties.every((p) => !p.signatory && !p.caldicottGuardian && !p.activation)).toBe(true);
    expect(isa.optOut.contact).toBe('ig@northshire.example');
    expect(isa.fairProcessing.url).toBe('https://northshire.example/privacy');
    // The pharmacy is a recipient of the health records, but shares nothing until the partners decide what.
    expect(isa.sharing.find((r) => r.id === 'gp-practice-record')!.to[0]!.organisationKinds).toContain('community-pharmacy');
    expect(todos.map((t) => t.path)).toEqual([
      '(agreement)',
      'parties[0]',
      'parties[1]',
      'parties[2]',
      'parties[3]',
      'parties[3]',
      'parties[].activation',
      'dpiaRef',
      'status',
    ]);
    expect(findings.map((f) => `${f.severity}:${f.code}:${f.path}`)).toContain('warning:no-active-parties:parties');
  });

  it('renders the draft in plain English with what is still to resolve and each ISA check finding', () => {
    const project = buildProject(answers(northshire), now);
    const md = project.files['ISA.md']!;
    expect(md.startsWith('# Northshire Care Record: Information Sharing Agreement for Direct Care\n\n> **Draft for discussion: not in force.**')).toBe(true);
    expect(md).toContain('## Still to resolve');
    expect(md).toContain('- [ ] Canal Pharmacy shares nothing in this draft: decide which headings a community pharmacy shares, and add a sharing rule. (`parties[3]`)');
    expect(md).toContain('| Warning | `parties` | no party is active, so nothing is shared |');
    expect(md).toContain('- [ ] Publish the privacy notice and put its address here (the draft says https://northshire.example/privacy). (`fairProcessing.url`)');
    // The whole of governance's plain-English rendering follows.
    const rendered = renderIsa(project.isa.isa, 'markdown');
    expect(md.endsWith(rendered.slice(rendered.indexOf('\n') + 1))).toBe(true);
  });

  it('never writes a PostgreSQL password: the URL is refused, and .env.example shows where it goes', () => {
    const refused = parseAnswers({ ...northshire, storage: 'postgres', databaseUrl: 'postgres://idcr:s3cret@db.internal/idcr' }); // secrets-scan: allow (made-up password the code must refuse)
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.issues[0]!.path).toBe('databaseUrl');
    const project = buildProject(answers({ ...northshire, storage: 'postgres', databaseUrl: 'postgres://idcr@db.internal:5432/idcr' }), now);
    expect(project.locality.storage.url).toBe('postgres://idcr@db.internal:5432/idcr');
    expect(project.files['.env.example']).toBe('# Copy to .env (never committed) or set in the environment.\nDATABASE_URL=postgres://user:password@db.internal:5432/idcr\n'); // secrets-scan: allow (a placeholder, not a password)
  });

  it('refuses answers that cannot make a locality, naming each answer', () => {
    const result = parseAnswers({
      ...northshire,
      name: ' ',
      organisations: [northshire.organisations[0]!, { ...northshire.organisations[0]!, name: 'Again' }, { ods: 'NOT-ODS', name: 'Bad', kind: 'surgery' }],
      topology: 'federated',
      sources: [{ organisation: 'X9Z', baseUrl: 'ftp://x' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(['name', 'organisations[2].ods', 'organisations[2].kind', 'sources[0].baseUrl']);
    const ports = parseAnswers({ ...northshire, mllpPort: 8078, httpPort: 8080 });
    expect(ports.ok ? [] : ports.issues).toEqual([{ path: 'httpPort', message: '8080 is one of the MLLP channel ports (8078–8081): choose another HTTP port or first MLLP port' }]);
    const cross = parseAnswers({ ...northshire, organisations: [northshire.organisations[0]!, { ...northshire.organisations[0]!, name: 'Again' }], topology: 'federated', sources: [] });
    expect(cross.ok ? [] : cross.issues).toEqual([
      { path: 'organisations[1].ods', message: 'Y90001 is listed twice (also organisation 1)' },
      { path: 'sources', message: 'a federated locality needs at least one source FHIR endpoint (--source ODS=URL)' },
    ]);
  });

  it('depends on version ranges that the packages in this repository satisfy', () => {
    for (const id of PACKAGE_IDS) {
      const pkg = JSON.parse(readFileSync(new URL(`../../../${id}/package.json`, import.meta.url), 'utf8')) as { name: string; version: string };
      expect(pkg.name).toBe(PACKAGES[id].name);
      const [major, minor, patch] = pkg.version.split('.').map(Number) as [number, number, number];
      const [rMajor, rMinor, rPatch] = PACKAGES[id].range.slice(1).split('.').map(Number) as [number, number, number];
      // ^0.y.z allows 0.y.*; ^x.y.z (x > 0) allows x.*.*
      const atLeast = major !== rMajor ? major > rMajor : minor !== rMinor ? minor > rMinor : patch >= rPatch;
      const inRange = major === rMajor && (major > 0 || minor === rMinor) && atLeast;
      expect(inRange, `${pkg.name} ${pkg.version} is outside ${PACKAGES[id].range}: update src/project/packages.ts`).toBe(true);
    }
  });
});
