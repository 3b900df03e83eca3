import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GO_LIVE_STAGES } from '@openidcr/architecture';
import { ORGANISATION_KINDS, ORGANISATION_KIND_TITLES, OdsCodeSchema } from '@openidcr/governance';
import { OPTIONAL_PACKAGES, PACKAGES, type PackageId } from '../project/packages.js';
import { CONSENT_MODELS, CONSENT_MODEL_KINDS, STORAGES, TOPOLOGIES, DirectorySchema, HttpUrlSchema, LocalityNameSchema, PostgresUrlSchema, slugOf, type ConsentModelKind, type StorageKind, type TopologyKind, type AnswersInput, type OrganisationAnswer } from './answers.js';
import { formatCsvIssue, parseOrganisationsCsv } from './organisations-csv.js';

type Validate = (value: string) => true | string | Promise<true | string>;
export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
  checked?: boolean;
}

/** The four kinds of question asked. `@inquirer/prompts` answers them at a terminal; tests answer them from a script. */
export interface Prompter {
  input(question: { message: string; default?: string; validate?: Validate }): Promise<string>;
  select<T extends string>(question: { message: string; choices: Array<Choice<T>>; default?: T }): Promise<T>;
  checkbox<T extends string>(question: { message: string; choices: Array<Choice<T>> }): Promise<T[]>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
}

/** The terminal prompter (`@inquirer/prompts`), loaded only when a person is answering. */
export async function inquirerPrompter(): Promise<Prompter> {
  const prompts = await import('@inquirer/prompts');
  return {
    input: (q) => prompts.input(q),
    select: (q) => prompts.select(q),
    checkbox: (q) => prompts.checkbox(q),
    confirm: (q) => prompts.confirm(q),
  };
}

/** The answers already given (flags), and where a CSV path is resolved from. */
export interface AskOptions {
  cwd?: string | undefined;
}

const fieldCheck = (schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }) => (value: string): true | string => {
  const result = schema.safeParse(value);
  return result.success ? true : (result.error?.issues[0]?.message ?? 'not valid');
};

async function askOrganisations(prompter: Prompter, cwd: string): Promise<OrganisationAnswer[]> {
  const how = await prompter.select({
    message: 'How will you give the organisations?',
    choices: [
      { value: 'csv', name: 'Import a CSV file of ODS codes and kinds', description: 'A header row with ods,name,kind (and optionally stage), then one organisation a row' },
      { value: 'type', name: 'Type them in, one at a time' },
    ],
  });
  if (how === 'csv') {
    let organisations: OrganisationAnswer[] = [];
    await prompter.input({
      message: 'Path to the CSV file',
      validate: async (path) => {
        let text: string;
        try {
          text = await readFile(resolve(cwd, path.trim()), 'utf8');
        } catch (error) {
          return `Cannot read ${path.trim() || '(nothing given)'}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`;
        }
        const result = parseOrganisationsCsv(text);
        if (!result.ok) return result.issues.map(formatCsvIssue).join('\n');
        organisations = result.organisations;
        return true;
      },
    });
    return organisations;
  }
  const organisations: OrganisationAnswer[] = [];
  do {
    const n = organisations.length + 1;
    const ods = (
      await prompter.input({
        message: `Organisation ${n}: ODS code`,
        validate: (value) => {
          const code = value.trim().toUpperCase();
          if (!OdsCodeSchema.safeParse(code).success) return 'An ODS code is 3 to 6 letters and digits, e.g. Y90001 or RR8';
          if (organisations.some((o) => o.ods === code)) return `${code} is already in the list`;
          return true;
        },
      })
    )
      .trim()
      .toUpperCase();
    const name = (await prompter.input({ message: `Organisation ${n}: name`, validate: (value) => (value.trim() ? true : 'Give the organisation\'s name') })).trim();
    const kind = await prompter.select({ message: `Organisation ${n}: kind`, choices: ORGANISATION_KINDS.map((k) => ({ value: k, name: ORGANISATION_KIND_TITLES[k] })) });
    const stage = await prompter.select({
      message: `Organisation ${n}: go-live stage`,
      choices: GO_LIVE_STAGES.map((s) => ({ value: s, name: s })),
      default: 'pilot',
    });
    organisations.push({ ods, name, kind, stage });
  } while (await prompter.confirm({ message: 'Add another organisation?', default: organisations.length < 2 }));
  return organisations;
}

/**
 * Asks for every answer not already given in `preset` (flags), then returns the lot for `scaffold`. Each typed
 * answer is checked as it is given, with the same schemas the project is checked with.
 */
export async function askAnswers(prompter: Prompter, preset: Partial<AnswersInput> = {}, options: AskOptions = {}): Promise<AnswersInput> {
  const cwd = options.cwd ?? process.cwd();
  const url = fieldCheck(HttpUrlSchema);
  const name = preset.name ?? (await prompter.input({ message: 'Name of the locality (e.g. Northshire)', validate: fieldCheck(LocalityNameSchema) })).trim();
  const directory = preset.directory ?? (await prompter.input({ message: 'Folder to create', default: slugOf(name), validate: fieldCheck(DirectorySchema) })).trim();
  const organisations = preset.organisations ?? (await askOrganisations(prompter, cwd));
  const consentModel =
    preset.consentModel ??
    (await prompter.select<ConsentModelKind>({ message: 'Consent model', choices: CONSENT_MODEL_KINDS.map((k) => ({ value: k, name: CONSENT_MODELS[k] })), default: 'implied-opt-out' }));
  const topology =
    preset.topology ??
    (await prompter.select<TopologyKind>({ message: 'Topology', choices: (Object.keys(TOPOLOGIES) as Array<keyof typeof TOPOLOGIES>).map((k) => ({ value: k, name: TOPOLOGIES[k] })), default: 'pooled' }));

  let sources = preset.sources;
  let mllpPort = preset.mllpPort;
  if (topology === 'federated' && !sources?.length) {
    sources = [];
    while (sources.length === 0) {
      for (const org of organisations) {
        const endpoint = (
          await prompter.input({
            message: `FHIR R4 endpoint of ${org.name} (${org.ods}); leave blank if it has none`,
            validate: (value) => (value.trim() === '' ? true : url(value.trim())),
          })
        ).trim();
        if (endpoint) sources.push({ organisation: org.ods, baseUrl: endpoint });
      }
      if (sources.length === 0) await prompter.confirm({ message: 'A federated record needs at least one source endpoint. Try again?', default: true });
    }
  }
  if (topology === 'pooled' && mllpPort === undefined) {
    const answer = (
      await prompter.input({
        message: 'First MLLP port for the HL7 v2 feeds (one a channel, numbered on; "none" for HTTP only)',
        default: '2575',
        validate: (value) => (value.trim() === 'none' || (/^\d+$/.test(value.trim()) && Number(value) <= 65_000) ? true : 'A port number from 0 to 65000, or none'),
      })
    ).trim();
    mllpPort = answer === 'none' ? null : Number(answer);
  }

  const storage =
    preset.storage ??
    (await prompter.select<StorageKind>({ message: 'Where is the record kept?', choices: (Object.keys(STORAGES) as Array<keyof typeof STORAGES>).map((k) => ({ value: k, name: STORAGES[k] })), default: 'pglite' }));
  const databaseUrl =
    storage === 'postgres'
      ? (preset.databaseUrl ??
        (await prompter.input({ message: 'PostgreSQL URL, without the password (e.g. postgres://idcr@db.internal:5432/idcr)', validate: fieldCheck(PostgresUrlSchema) })).trim())
      : preset.databaseUrl;

  let auth = preset.auth;
  if (!auth) {
    const mode = await prompter.select({
      message: 'How do users sign in?',
      choices: [
        { value: 'dev', name: 'Development issuer with demo users (to try it out; never with real data)' },
        { value: 'oidc', name: 'Our OpenID Connect provider' },
      ],
      default: 'dev',
    });
    if (mode === 'dev') auth = { mode: 'dev' };
    else {
      const issuer = (await prompter.input({ message: 'Issuer URL (iss)', validate: url })).trim();
      const jwksUrl = (await prompter.input({ message: 'JWKS URL (its signing keys)', validate: url })).trim();
      const audience = (await prompter.input({ message: 'Audience (aud) of its tokens for this record', default: 'openidcr', validate: (v) => (v.trim() ? true : 'Give the audience') })).trim();
      auth = { mode: 'oidc', issuer, jwksUrl, audience };
    }
  }

  const packages =
    preset.packages ??
    (await prompter.checkbox<PackageId>({
      message: `Packages to include (${PACKAGES.architecture.name} and ${PACKAGES.governance.name} always are)`,
      choices: OPTIONAL_PACKAGES.map((id) => ({ value: id, name: PACKAGES[id].name, description: PACKAGES[id].what })),
    }));
  const igContact =
    preset.igContact ??
    ((await prompter.input({ message: 'Information governance contact people can object to (email or phone; blank to fill in later)' })).trim() || undefined);
  const privacyUrl =
    preset.privacyUrl ??
    ((
      await prompter.input({
        message: 'Address of the public privacy notice (blank to fill in later)',
        validate: (value) => (value.trim() === '' ? true : url(value.trim())),
      })
    ).trim() || undefined);

  return {
    name,
    directory,
    organisations,
    consentModel,
    topology,
    sources: sources ?? [],
    storage,
    ...(databaseUrl ? { databaseUrl } : {}),
    packages,
    auth,
    mllpPort: mllpPort === undefined ? (topology === 'pooled' ? 2575 : null) : mllpPort,
    ...(preset.httpPort === undefined ? {} : { httpPort: preset.httpPort }),
    ...(igContact ? { igContact } : {}),
    ...(privacyUrl ? { privacyUrl } : {}),
  };
}
