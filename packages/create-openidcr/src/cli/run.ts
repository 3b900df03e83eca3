import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CONSENT_MODEL_KINDS, slugOf, type AnswersInput, type OrganisationAnswer } from '../answers/answers.js';
import { formatCsvIssue, kindOf, parseOrganisationsCsv } from '../answers/organisations-csv.js';
import { askAnswers, inquirerPrompter, type Prompter } from '../answers/prompts.js';
import { GeneratedConfigError } from '../project/locality.js';
import { OPTIONAL_PACKAGES, type PackageId } from '../project/packages.js';
import { AnswersError, PackagesFromError, scaffold, TargetNotEmptyError } from '../project/write.js';

export interface RunIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Whether a person is at a terminal to answer prompts (default: stdin and stdout are TTYs). */
  interactive: boolean;
  /** Who answers the prompts (default: `@inquirer/prompts` at the terminal). */
  prompter?: Prompter | undefined;
  /** Dates the ISA draft (tests). */
  now?: Date | undefined;
}

interface Flags {
  name?: string;
  org: string[];
  orgsCsv?: string;
  stage?: string;
  consent?: string;
  topology?: string;
  source: string[];
  storage?: string;
  databaseUrl?: string;
  packages?: string;
  auth?: string;
  oidcIssuer?: string;
  oidcJwks?: string;
  oidcAudience?: string;
  mllpPort?: string;
  port?: string;
  igContact?: string;
  privacyUrl?: string;
  yes?: boolean;
  force?: boolean;
  packagesFrom?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function program(): Command {
  return new Command('create-openidcr')
    .description('Creates a ready-to-run OpenIDCR shared care record for a locality: idcr.config.ts, a draft ISA, a README. Asks for what the flags leave out.')
    .argument('[directory]', 'folder to create (default: from the locality name)')
    .option('--name <name>', 'the locality\'s name, e.g. Northshire')
    .option('--org <ods:kind:name>', 'an organisation, e.g. "Y90001:gp-practice:Riverside Surgery" (repeat for each)', collect, [])
    .option('--orgs-csv <file>', 'organisations from a CSV file: header ods,name,kind[,stage]')
    .option('--stage <stage>', 'go-live stage of the --org organisations: pilot, staged or live', 'pilot')
    .addOption(new Option('--consent <model>', 'consent model').choices(CONSENT_MODEL_KINDS))
    .addOption(new Option('--topology <kind>', 'pooled (one shared store) or federated (ask the sources at view time)').choices(['pooled', 'federated']))
    .option('--source <ods=url>', 'federated: a source organisation\'s FHIR R4 endpoint (repeat for each)', collect, [])
    .addOption(new Option('--storage <kind>', 'pglite (embedded, ./data) or postgres').choices(['pglite', 'postgres']))
    .option('--database-url <url>', 'postgres: the URL without its password (give the password in DATABASE_URL at start)')
    .option('--packages <list>', `optional packages, comma-separated: ${OPTIONAL_PACKAGES.join(', ')} (or none)`)
    .addOption(new Option('--auth <mode>', 'dev (development issuer with demo users) or oidc').choices(['dev', 'oidc']))
    .option('--oidc-issuer <url>', 'oidc: issuer URL')
    .option('--oidc-jwks <url>', 'oidc: JWKS URL')
    .option('--oidc-audience <aud>', 'oidc: audience of the tokens')
    .option('--mllp-port <port|none>', 'pooled: first MLLP port, one a channel (0 for any free port; none for HTTP feeds only)')
    .option('--port <port>', 'HTTP port')
    .option('--ig-contact <contact>', 'information governance contact written into the ISA')
    .option('--privacy-url <url>', 'public privacy notice address written into the ISA')
    .option('-y, --yes', 'ask nothing: take defaults for what the flags leave out (also when there is no terminal)')
    .option('--force', 'write into a folder that already has files in it')
    .option('--packages-from <repo>', 'depend on the packages of a built OpenIDCR clone (file: paths) instead of registry versions')
    .exitOverride()
    .showHelpAfterError('(create-openidcr --help lists every flag)');
}

function integer(flag: string, value: string, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > max) throw new InvalidArgumentError(`${flag}: expected a whole number from 0 to ${max}, found "${value}"`);
  return Number(value);
}

/** The answers the flags give; anything not given is left out (asked, or defaulted with --yes). */
async function presetOf(flags: Flags, directory: string | undefined, cwd: string): Promise<{ ok: true; preset: Partial<AnswersInput> } | { ok: false; errors: string[] }> {
  const preset: Partial<AnswersInput> = {};
  const errors: string[] = [];
  if (flags.name !== undefined) preset.name = flags.name;
  if (directory !== undefined) preset.directory = directory;
  const organisations: NonNullable<AnswersInput['organisations']> = [];
  for (const spec of flags.org) {
    const [ods, kind, ...rest] = spec.split(':');
    const name = rest.join(':').trim();
    if (!ods || !kind || !name) errors.push(`--org ${JSON.stringify(spec)}: expected ODS:kind:name, e.g. "Y90001:gp-practice:Riverside Surgery"`);
    // Unknown kinds and stages go through as typed, so the answers check names them.
    else organisations.push({ ods, name, kind: (kindOf(kind) ?? kind) as OrganisationAnswer['kind'], stage: flags.stage as OrganisationAnswer['stage'] });
  }
  if (flags.orgsCsv) {
    const file = resolve(cwd, flags.orgsCsv);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      errors.push(`--orgs-csv ${flags.orgsCsv}: cannot read it (${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message})`);
    }
    if (text !== undefined) {
      const result = parseOrganisationsCsv(text);
      if (result.ok) organisations.push(...result.organisations);
      else errors.push(...result.issues.map((issue) => `${flags.orgsCsv}: ${formatCsvIssue(issue)}`));
    }
  }
  if (organisations.length > 0) preset.organisations = organisations;
  if (flags.consent) preset.consentModel = flags.consent as AnswersInput['consentModel'];
  if (flags.topology) preset.topology = flags.topology as AnswersInput['topology'];
  if (flags.source.length > 0) {
    preset.sources = [];
    for (const spec of flags.source) {
      const at = spec.indexOf('=');
      if (at < 1) errors.push(`--source ${JSON.stringify(spec)}: expected ODS=URL, e.g. "X9A=https://fhir.x9a.example/R4"`);
      else preset.sources.push({ organisation: spec.slice(0, at), baseUrl: spec.slice(at + 1) });
    }
  }
  if (flags.storage) preset.storage = flags.storage as AnswersInput['storage'];
  if (flags.databaseUrl) {
    preset.databaseUrl = flags.databaseUrl;
    preset.storage ??= 'postgres';
  }
  if (flags.packages !== undefined) {
    const list = flags.packages.trim() === 'none' ? [] : flags.packages.split(',').map((p) => p.trim().replace(/^@openidcr\//, '')).filter(Boolean);
    const unknown = list.filter((p) => !(OPTIONAL_PACKAGES as string[]).includes(p) && p !== 'architecture' && p !== 'governance');
    if (unknown.length > 0) errors.push(`--packages: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a package' : 'are not packages'} you can add (${OPTIONAL_PACKAGES.join(', ')})`);
    preset.packages = list.filter((p) => (OPTIONAL_PACKAGES as string[]).includes(p)) as PackageId[];
  }
  const oidcGiven = flags.oidcIssuer || flags.oidcJwks || flags.oidcAudience;
  if (flags.auth === 'oidc' || (!flags.auth && oidcGiven)) {
    preset.auth = { mode: 'oidc', issuer: flags.oidcIssuer ?? '', jwksUrl: flags.oidcJwks ?? '', audience: flags.oidcAudience ?? '' };
    for (const [flag, value] of [['--oidc-issuer', flags.oidcIssuer], ['--oidc-jwks', flags.oidcJwks], ['--oidc-audience', flags.oidcAudience]] as const)
      if (!value) errors.push(`${flag}: needed for --auth oidc`);
  } else if (flags.auth === 'dev') preset.auth = { mode: 'dev' };
  try {
    if (flags.mllpPort !== undefined) preset.mllpPort = flags.mllpPort.trim() === 'none' ? null : integer('--mllp-port', flags.mllpPort, 65_000);
    if (flags.port !== undefined) preset.httpPort = integer('--port', flags.port, 65_535);
  } catch (error) {
    errors.push((error as Error).message);
  }
  if (flags.igContact) preset.igContact = flags.igContact;
  if (flags.privacyUrl) preset.privacyUrl = flags.privacyUrl;
  return errors.length > 0 ? { ok: false, errors } : { ok: true, preset };
}

/** Without prompts: what the flags leave out takes its default; the name and organisations have none. */
function withDefaults(preset: Partial<AnswersInput>): { ok: true; answers: AnswersInput } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (!preset.name) errors.push('--name: the locality\'s name is needed when nothing is asked (e.g. --name Northshire)');
  if (!preset.organisations?.length) errors.push('--org or --orgs-csv: at least one organisation is needed when nothing is asked');
  if (errors.length > 0) return { ok: false, errors };
  const topology = preset.topology ?? (preset.sources?.length ? 'federated' : 'pooled');
  return {
    ok: true,
    answers: {
      directory: slugOf(preset.name!),
      consentModel: 'implied-opt-out',
      storage: 'pglite',
      auth: { mode: 'dev' },
      packages: [],
      ...preset,
      name: preset.name!,
      organisations: preset.organisations!,
      topology,
      mllpPort: preset.mllpPort !== undefined ? preset.mllpPort : topology === 'pooled' ? 2575 : null,
    },
  };
}

/** Runs the command line; returns the exit code (0 done, 1 refused, 130 cancelled). */
export async function run(argv: readonly string[], io: RunIo): Promise<number> {
  const command = program().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const flags = command.opts<Flags>();
  const directory = command.args[0];
  const preset = await presetOf(flags, directory, io.cwd);
  if (!preset.ok) {
    io.stderr(`${preset.errors.join('\n')}\n`);
    return 1;
  }
  let answers: AnswersInput;
  if (io.interactive && !flags.yes) {
    try {
      answers = await askAnswers(io.prompter ?? (await inquirerPrompter()), preset.preset, { cwd: io.cwd });
    } catch (error) {
      if ((error as Error).name === 'ExitPromptError') {
        io.stderr('Cancelled: nothing was written.\n');
        return 130;
      }
      throw error;
    }
  } else {
    const filled = withDefaults(preset.preset);
    if (!filled.ok) {
      io.stderr(`${filled.errors.join('\n')}\n`);
      return 1;
    }
    answers = filled.answers;
  }
  try {
    const done = await scaffold(answers, { cwd: io.cwd, force: flags.force, now: io.now, packagesFrom: flags.packagesFrom });
    const where = relative(io.cwd, done.directory) || '.';
    const errors = done.isa.findings.filter((f) => f.severity === 'error').length;
    io.stdout(
      [
        '',
        `Created the ${done.locality.name} shared care record in ${where}: ${Object.keys(done.files).sort().join(', ')}.`,
        '',
        `  ${done.locality.organisations.length} organisation${done.locality.organisations.length === 1 ? '' : 's'}, ${done.locality.topology.kind} topology, ${done.locality.storage.url.startsWith('pglite:') ? 'embedded store (PGlite)' : 'PostgreSQL'}, sign-in: ${done.locality.auth.mode === 'dev' ? 'development issuer with demo users' : done.locality.auth.issuer}.`,
        `  The ISA is a draft: ${done.isa.todos.length} things to resolve and ${done.isa.findings.length} findings (${errors} errors) are listed in ISA.md.`,
        '  The record shares nobody\'s data until the partners sign the agreement and it is made active.',
        '',
        'Next:',
        ...(where === '.' ? [] : [`  cd ${where}`]),
        '  npm install',
        '  npm start',
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (error instanceof AnswersError || error instanceof TargetNotEmptyError || error instanceof GeneratedConfigError || error instanceof PackagesFromError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
