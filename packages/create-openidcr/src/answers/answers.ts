import { z } from 'zod';
import { GO_LIVE_STAGES } from '@openidcr/architecture';
import { OdsCodeSchema, OrganisationKindSchema } from '@openidcr/governance';
import { PACKAGE_IDS, REQUIRED_PACKAGES, type PackageId } from '../project/packages.js';

/** The consent models a locality can choose, in the words a programme board would use. */
export const CONSENT_MODELS = {
  'implied-opt-out': 'Implied consent with opt-out: shared for direct care unless the person objects',
  'explicit-share': 'Explicit sharing: "share in / share out" recorded with the person',
  'practice-activation': 'Practice activation: each GP practice switches sharing on in its own system',
  'consent-to-view': 'Consent to view: the professional asks the person each time they open the record',
} as const;
export type ConsentModelKind = keyof typeof CONSENT_MODELS;
export const CONSENT_MODEL_KINDS = Object.keys(CONSENT_MODELS) as [ConsentModelKind, ...ConsentModelKind[]];

export const TOPOLOGIES = {
  pooled: 'Pooled: the sources send HL7 v2 feeds into one shared store',
  federated: 'Federated: no copy is kept; each view asks the sources\' FHIR endpoints',
} as const;
export type TopologyKind = keyof typeof TOPOLOGIES;

export const STORAGES = {
  pglite: 'Embedded (PGlite, in ./data): no database server needed; good for a pilot',
  postgres: 'PostgreSQL: give the URL in DATABASE_URL when starting',
} as const;
export type StorageKind = keyof typeof STORAGES;

const trimmed = z.string().trim();
/** Names go into generated files: one line, no control characters. */
const oneLine = trimmed.refine((text) => ![...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'one line, without control characters');

/** An http(s) address. */
export const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'an address starting http:// or https://' });
export const LocalityNameSchema = oneLine.min(1, 'the locality needs a name').max(80, 'at most 80 characters');
export const DirectorySchema = trimmed.min(1, 'give a folder');


/** One organisation of the locality, as typed at a prompt or read from a CSV row. */
export const OrganisationAnswerSchema = z.object({
  ods: trimmed.toUpperCase().pipe(OdsCodeSchema),
  name: oneLine.min(1, 'the organisation needs a name'),
  kind: OrganisationKindSchema,
  stage: z.enum(GO_LIVE_STAGES).default('pilot'),
});
export type OrganisationAnswer = z.output<typeof OrganisationAnswerSchema>;

/** A source organisation's FHIR endpoint (federated topology). */
export const SourceAnswerSchema = z.object({
  organisation: trimmed.toUpperCase().pipe(OdsCodeSchema),
  baseUrl: HttpUrlSchema,
});

export const PostgresUrlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
  .refine((url) => !/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(url), 'has a password in it: leave it out here and give the whole URL in DATABASE_URL when starting, so no password is written to the project');

/** Everything `create-openidcr` asks. Every answer set that passes here makes a configuration `defineLocality` accepts. */
export const AnswersSchema = z
  .object({
    /** The locality's name, e.g. "Northshire". */
    name: LocalityNameSchema,
    /** The folder to create (default: the name in lower case with hyphens). */
    directory: DirectorySchema,
    organisations: z.array(OrganisationAnswerSchema).min(1, 'add at least one organisation'),
    consentModel: z.enum(CONSENT_MODEL_KINDS),
    topology: z.enum(['pooled', 'federated']),
    /** Federated only: the organisations' FHIR endpoints. */
    sources: z.array(SourceAnswerSchema).default([]),
    storage: z.enum(['pglite', 'postgres']),
    /** PostgreSQL only: the URL without a password (the password goes in DATABASE_URL at start). */
    databaseUrl: PostgresUrlSchema.optional(),
    /** Optional packages to depend on (architecture and governance are always included). */
    packages: z.array(z.enum(PACKAGE_IDS)).default([]),
    /** Sign-in: the development issuer with demo users, or the locality's OpenID Connect provider. */
    auth: z.discriminatedUnion('mode', [
      z.object({ mode: z.literal('dev') }),
      z.object({ mode: z.literal('oidc'), issuer: HttpUrlSchema, jwksUrl: HttpUrlSchema, audience: trimmed.min(1) }),
    ]),
    /** Pooled only: the first MLLP port (one channel per organisation, numbered on from it; 0 for any free port), or none for HTTP feeds only. */
    mllpPort: z.number().int().min(0).max(65_000).nullable().default(2575),
    httpPort: z.number().int().min(0).max(65_535).default(8080),
    /** Who people contact about the sharing (information governance team), written into the ISA. */
    igContact: trimmed.min(1).optional(),
    /** The public privacy notice (fair processing) page, written into the ISA. */
    privacyUrl: HttpUrlSchema.optional(),
  })
  .superRefine((answers, ctx) => {
    const seen = new Map<string, number>();
    answers.organisations.forEach((org, i) => {
      const first = seen.get(org.ods);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['organisations', i, 'ods'], message: `${org.ods} is listed twice (also organisation ${first + 1})` });
      else seen.set(org.ods, i);
    });
    if (answers.topology === 'federated') {
      if (answers.sources.length === 0) ctx.addIssue({ code: 'custom', path: ['sources'], message: 'a federated locality needs at least one source FHIR endpoint (--source ODS=URL)' });
      const endpoints = new Set<string>();
      answers.sources.forEach((source, i) => {
        if (!seen.has(source.organisation)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'organisation'], message: `${source.organisation} is not one of the organisations` });
        if (endpoints.has(source.organisation)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'organisation'], message: `${source.organisation} has two endpoints` });
        endpoints.add(source.organisation);
      });
    } else if (answers.sources.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'source endpoints are for the federated topology only' });
    }
    if (answers.topology === 'pooled' && answers.mllpPort) {
      // One MLLP port a channel, numbered on from the first: they must fit, and miss the HTTP port.
      const last = answers.mllpPort + answers.organisations.length - 1;
      if (last > 65_535) ctx.addIssue({ code: 'custom', path: ['mllpPort'], message: `${answers.organisations.length} channels from port ${answers.mllpPort} run past 65535: choose a lower first port` });
      if (answers.httpPort >= answers.mllpPort && answers.httpPort <= last)
        ctx.addIssue({ code: 'custom', path: ['httpPort'], message: `${answers.httpPort} is one of the MLLP channel ports (${answers.mllpPort}–${last}): choose another HTTP port or first MLLP port` });
    }
    if (answers.storage === 'postgres' && !answers.databaseUrl) ctx.addIssue({ code: 'custom', path: ['databaseUrl'], message: 'PostgreSQL storage needs a URL (without the password)' });
    if (answers.storage === 'pglite' && answers.databaseUrl) ctx.addIssue({ code: 'custom', path: ['databaseUrl'], message: 'is for PostgreSQL storage only' });
  });

export type Answers = z.output<typeof AnswersSchema>;
export type AnswersInput = z.input<typeof AnswersSchema>;

/** One problem with the answers, naming the answer (`organisations[2].ods`). */
export interface AnswerIssue {
  path: string;
  message: string;
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  return out || '(answers)';
}

/** Checks a set of answers; each issue names its answer. */
export function parseAnswers(input: unknown): { ok: true; answers: Answers } | { ok: false; issues: AnswerIssue[] } {
  const parsed = AnswersSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message })) };
  return { ok: true, answers: parsed.data };
}

/** The folder name a locality's name suggests: `Northshire ICS` → `northshire-ics`. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'idcr';
}

/** The packages a project depends on: the required ones, then the chosen ones, in catalogue order, once each. */
export function packagesOf(answers: Pick<Answers, 'packages'>): PackageId[] {
  const chosen = new Set<PackageId>([...REQUIRED_PACKAGES, ...answers.packages]);
  return PACKAGE_IDS.filter((id) => chosen.has(id));
}


