import { join } from 'node:path';
import type { Locality, LocalityInput } from '@openidcr/architecture';
import { CONSENT_MODELS, packagesOf, slugOf, type Answers } from '../answers/answers.js';
import { buildDraftIsa, renderDraftIsa, type IsaDraft } from './isa.js';
import { checkLocality, localityInputOf } from './locality.js';
import { tsLiteral } from './literal.js';
import { DEV_DEPENDENCIES, PACKAGES, TSX_RANGE } from './packages.js';

/** A project ready to write: file name → contents, the checked locality and the ISA draft. */
export interface Project {
  files: Record<string, string>;
  locality: Locality;
  isa: IsaDraft;
}

/** How the project depends on OpenIDCR: registry versions, or `file:` paths into a built clone (`packagesFrom`). */
export interface BuildOptions {
  packagesFrom?: string | undefined;
}

function packageJson(answers: Answers, options: BuildOptions): string {
  const name = slugOf(answers.name);
  const dependencies: Record<string, string> = {};
  for (const id of packagesOf(answers))
    dependencies[PACKAGES[id].name] = options.packagesFrom === undefined ? PACKAGES[id].range : `file:${join(options.packagesFrom, 'packages', id)}`;
  dependencies.tsx = TSX_RANGE;
  const scripts: Record<string, string> = {
    start: 'tsx start.ts',
    isa: 'tsx isa.ts',
    typecheck: 'tsc --noEmit',
  };
  if (answers.packages.includes('requirements'))
    scripts.conformance = 'tsx conformance.ts';
  const pkg = {
    name: `${name}-care-record`,
    version: '0.1.0',
    private: true,
    description: `${answers.name} shared care record (OpenIDCR)`,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts,
    dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))),
    devDependencies: DEV_DEPENDENCIES,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function configTs(answers: Answers, input: LocalityInput): string {
  const comments: Partial<Record<keyof LocalityInput, string>> = {
    consentModel: CONSENT_MODELS[answers.consentModel],
    isa: 'The agreement is checked when the record starts; `npm run isa` checks it and writes ISA.md.',
    auth: input.auth.mode === 'dev' ? 'The development issuer: demo users only, never with real data. Switch to mode: \'oidc\' for your identity provider.' : undefined,
    storage: 'DATABASE_URL overrides this when set (put PostgreSQL passwords there, never here).',
    ports: 'PORT and HOST override these when set.',
  };
  const fields = (Object.entries(input) as Array<[keyof LocalityInput, unknown]>)
    .map(([key, value]) => {
      const comment = comments[key] ? `  // ${comments[key]}\n` : '';
      return `${comment}  ${key}: ${key === 'isa' ? "isa as LocalityInput['isa']" : tsLiteral(value, '  ')},`;
    })
    .join('\n');
  return `import { defineLocality, type LocalityInput } from '@openidcr/architecture';
import isa from './isa.json' with { type: 'json' };

/**
 * The ${answers.name.replace(/\*\//g, '*\\/')} shared care record: its organisations, consent model, Information Sharing Agreement (isa.json),
 * sign-in, feeds, topology and storage. \`npm start\` reads this file and refuses to start, naming each bad field, if
 * anything in it is wrong. See https://github.com/openidcr/openidcr/tree/main/packages/architecture for every field.
 */
export default defineLocality({
${fields}
});
`;
}

const START_TS = `import { startFromConfig } from '@openidcr/architecture';

// Loads idcr.config.ts from this folder, applies DATABASE_URL, PORT and HOST, and starts the shared care record.
try {
  await startFromConfig({ config: import.meta.dirname });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
`;

const ISA_TS = `import { readFileSync, writeFileSync } from 'node:fs';
import { checkIsa, escapeMarkdown, parseIsa, renderIsa } from '@openidcr/governance';

// Checks isa.json (schema, then contradictions and gaps) and writes its plain-English rendering to ISA.md.
const file = new URL('./isa.json', import.meta.url);
const parsed = parseIsa(JSON.parse(readFileSync(file, 'utf8')));
if (!parsed.ok) {
  for (const issue of parsed.issues) console.error(\`isa.json \${issue.path}: \${issue.message}\`);
  process.exit(1);
}
const findings = checkIsa(parsed.isa, new Date().toISOString());
const rendered = renderIsa(parsed.isa, 'markdown');
const table = findings.length === 0
  ? ['No contradictions or gaps.']
  : ['| Severity | Where | What |', '| --- | --- | --- |', ...findings.map((f) => \`| \${f.severity === 'error' ? 'Error' : 'Warning'} | \\\`\${f.path}\\\` | \${escapeMarkdown(f.message.replace(\`\${f.path}: \`, ''))} |\`)];
const notice = parsed.isa.status === 'draft' ? ['', '> **Draft for discussion: not in force.**'] : [];
const newline = rendered.indexOf('\\n');
writeFileSync(new URL('./ISA.md', import.meta.url), [rendered.slice(0, newline), ...notice, '', '### What the ISA check found', '', ...table, '', rendered.slice(newline + 1)].join('\\n'));
for (const f of findings) console.log(\`\${f.severity}: \${f.message}\`);
console.log(\`ISA.md written: \${findings.filter((f) => f.severity === 'error').length} errors, \${findings.filter((f) => f.severity === 'warning').length} warnings.\`);
process.exitCode = findings.some((f) => f.severity === 'error') ? 1 : 0;
`;

const CONFORMANCE_TS = `import { checkConformance, conformanceToMarkdown, loadCatalogue } from '@openidcr/requirements';
import locality from './idcr.config.js';

// What this configuration meets, turns off and leaves as gaps against the OpenIDCR requirements catalogue.
const report = checkConformance(loadCatalogue(), locality);
console.log(conformanceToMarkdown(report, locality.name));
process.exitCode = report.totals.mustGaps.length > 0 ? 1 : 0;
`;

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: { target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, resolveJsonModule: true, skipLibCheck: true, noEmit: true, types: ['node'] },
    include: ['*.ts'],
  },
  null,
  2,
)}\n`;

const GITIGNORE = 'node_modules/\ndata/\n.env\n';

function readme(answers: Answers, locality: Locality, draft: IsaDraft): string {
  const url = `http://localhost:${locality.ports.http}`;
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(`# ${answers.name} shared care record`, '');
  push(
    `An [OpenIDCR](https://github.com/openidcr/openidcr) Integrated Digital Care Record for ${answers.name}: one read-only, role-filtered view of a person's health and social care record, from ${locality.organisations.length === 1 ? 'the organisation' : `the ${locality.organisations.length} organisations`} below. Every access goes through the policy point and is audited.`,
    '',
  );
  push('## Start', '', '```sh', 'npm install', 'npm start', '```', '');
  push(
    `It listens on ${url} (\`/healthz\`, \`/readyz\`, the FHIR R4 API at \`/fhir\`, its CapabilityStatement at \`/fhir/metadata\`). ` +
      (locality.storage.url.startsWith('pglite:')
        ? 'The record is kept in the embedded store (PGlite) in `./data`: no database server is needed. Set `DATABASE_URL=postgres://…` to use PostgreSQL instead.'
        : 'The record is kept in PostgreSQL: set `DATABASE_URL` to the full URL, with its password, when starting.'),
    '',
  );
  push('| setting | default | what |', '| --- | --- | --- |');
  push(`| \`DATABASE_URL\` | \`${locality.storage.url}\` | where the record is kept: \`pglite:./folder\` or \`postgres://…\` |`);
  push(`| \`PORT\`, \`HOST\` | \`${locality.ports.http}\`, \`${locality.ports.host}\` | where HTTP listens |`);
  push('| `LOG_LEVEL` | `info` | pino log level |', '');

  push('## What is here', '');
  push('| file | what |', '| --- | --- |');
  push('| `idcr.config.ts` | the locality: organisations, consent model, sign-in, feeds, topology, storage (`defineLocality`) |');
  push('| `isa.json` | the Information Sharing Agreement, machine-readable: what the policy point enforces |');
  push('| `ISA.md` | the same agreement in plain English, with what is still to resolve |');
  push('| `start.ts` | what `npm start` runs (`startFromConfig` from `@openidcr/architecture`) |');
  push('| `isa.ts` | what `npm run isa` runs: checks `isa.json` and writes `ISA.md` again |');
  if (answers.packages.includes('requirements')) push('| `conformance.ts` | what `npm run conformance` runs: what this configuration meets, turns off and leaves as gaps against the requirements catalogue |');
  push('| `tsconfig.json` | `npm run typecheck` (and your editor) checks `idcr.config.ts` against the configuration\'s types |', '');

  push('## Organisations', '', '| ODS code | name | kind | go-live stage |', '| --- | --- | --- | --- |');
  for (const org of locality.organisations) push(`| ${org.ods} | ${org.name.replace(/\|/g, '\\|')} | ${org.kind} | ${org.stage} |`);
  push('');

  push('## The Information Sharing Agreement', '');
  push(
    `\`isa.json\` is a **draft**: every organisation is \`proposed\` and the agreement is not in force, so the record shows nobody's data to anybody until the partners sign it. The consent model is: ${CONSENT_MODELS[answers.consentModel].toLowerCase()}. \`ISA.md\` lists ${draft.todos.length} things to resolve and ${draft.findings.length} findings of the ISA check. To go live: edit \`isa.json\` with the partners, run \`npm run isa\` until it reports no errors, set each signed party's status to \`active\` and the agreement's to \`active\`, then restart.`,
    '',
  );

  push('## Signing in', '');
  if (locality.auth.mode === 'dev') {
    push(
      'Sign-in uses the **development issuer** with demo users. Anyone who can reach `/dev/token` can act as a demo user, so the record listens on this machine only (`127.0.0.1`): use it only with synthetic data, and switch `auth` in `idcr.config.ts` to your OpenID Connect provider (`mode: \'oidc\'`) before real data arrives or other machines connect.',
      '',
      '```sh',
      `curl -s -X POST ${url}/dev/token -H 'content-type: application/json' -d '{"userId":"${locality.auth.users[0]!.id}"}'`,
      '```',
      '',
      '| user id | name | role |',
      '| --- | --- | --- |',
      ...locality.auth.users.map((u) => `| \`${u.id}\` | ${u.name.replace(/\|/g, '\\|')} | ${u.role} |`),
      '',
    );
  } else {
    push(`Sign-in uses your OpenID Connect provider \`${locality.auth.issuer}\` (keys from \`${locality.auth.jwksUrl}\`, audience \`${locality.auth.audience}\`). Map its claim names in \`auth.claims\` if they differ from the defaults.`, '');
  }

  push('## Topology and feeds', '');
  if (locality.topology.kind === 'pooled') {
    push('**Pooled**: the source systems send HL7 v2 into one shared store (`POST /integration/hl7?channel=<id>` with a token carrying scope `system/hl7.write`, or MLLP).', '');
    push('| channel | organisation | profile | MLLP port |', '| --- | --- | --- | --- |');
    for (const c of locality.channels) push(`| \`${c.id}\` | ${c.organisation} | ${c.profile} | ${c.mllpPort === undefined ? 'HTTP only' : c.mllpPort === 0 ? 'any free port' : c.mllpPort} |`);
    push('');
  } else {
    push('**Federated**: no copy is kept. Each view asks the sources\' FHIR endpoints and says which answered.', '');
    push('| organisation | FHIR endpoint | timeout |', '| --- | --- | --- |');
    for (const s of locality.topology.sources) push(`| ${s.organisation} | ${s.baseUrl} | ${s.timeoutMs} ms |`);
    push('');
  }

  push('## Packages', '', '| package | what it gives you |', '| --- | --- |');
  for (const id of packagesOf(answers)) push(`| \`${PACKAGES[id].name}\` | ${PACKAGES[id].what} |`);
  push('', '`tsx` runs the TypeScript files on Node.js 20.', '');
  return `${lines.join('\n')}`;
}

/**
 * Builds a project from checked answers: the configuration is checked with `parseLocality` exactly as `npm start`
 * will check it, before any file exists. `now` dates the ISA draft.
 */
export function buildProject(answers: Answers, now: Date = new Date(), options: BuildOptions = {}): Project {
  const draft = buildDraftIsa(answers, now);
  const input = localityInputOf(answers, draft.isa);
  const locality = checkLocality(input);
  const files: Record<string, string> = {
    'package.json': packageJson(answers, options),
    'idcr.config.ts': configTs(answers, input),
    'isa.json': `${JSON.stringify(draft.isa, null, 2)}\n`,
    'ISA.md': renderDraftIsa(draft, now),
    'start.ts': START_TS,
    'isa.ts': ISA_TS,
    'tsconfig.json': TSCONFIG,
    '.gitignore': GITIGNORE,
    'README.md': readme(answers, locality, draft),
  };
  if (answers.packages.includes('requirements')) files['conformance.ts'] = CONFORMANCE_TS;
  if (answers.storage === 'postgres') files['.env.example'] = `# Copy to .env (never committed) or set in the environment.\nDATABASE_URL=${answers.databaseUrl!.replace(/^(postgres(ql)?:\/\/)([^@/]*@)?/, '$1user:password@')}\n`;
  return { files, locality, isa: draft };
}
