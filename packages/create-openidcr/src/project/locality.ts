import { parseLocality, type Locality, type LocalityInput, type LocalityIssue } from '@openidcr/architecture';
import { DEFAULT_ROLES, type Isa, type OrganisationKind } from '@openidcr/governance';
import { completeNhsNumber } from '@openidcr/model';
import type { Answers } from '../answers/answers.js';

/** The demo professional each kind of organisation gets under the development issuer. */
const DEMO_ROLE_OF: Record<OrganisationKind, string> = {
  'gp-practice': 'gp',
  'acute-trust': 'hospital-clinician',
  'mental-health-trust': 'mental-health-clinician',
  'community-services': 'nurse',
  'local-authority': 'social-worker',
  'community-pharmacy': 'pharmacist',
  hospice: 'nurse',
  'ambulance-trust': 'hospital-clinician',
  other: 'administrator',
};

/** The HL7 v2 source profile each kind's feed is read with (pooled topology). */
const PROFILE_OF: Partial<Record<OrganisationKind, string>> = {
  'gp-practice': 'gp',
  'acute-trust': 'acute-pas',
  'mental-health-trust': 'mental-health',
  'local-authority': 'social-care',
};

const ROLE_TITLE = new Map(DEFAULT_ROLES.map((role) => [role.id, role.title]));
const SDS_CODE = new Map(DEFAULT_ROLES.map((role) => [role.id, role.sdsJobRoleCodes[0]]));

/** A test-range NHS number (999…), never a real person's. */
const DEMO_CITIZEN_NHS_NUMBER = completeNhsNumber('999000001')!;

type DevUser = Extract<LocalityInput['auth'], { mode: 'dev' }>['users'][number];

/** Demo users for the development issuer: one professional per organisation, a privacy officer, a citizen. */
export function demoUsers(answers: Pick<Answers, 'organisations'>): DevUser[] {
  const users: DevUser[] = answers.organisations.map((org) => {
    const role = DEMO_ROLE_OF[org.kind];
    return {
      id: `${role}-${org.ods.toLowerCase()}`,
      name: `Demo ${ROLE_TITLE.get(role) ?? role}, ${org.name}`,
      role,
      organisation: org.ods,
      ...(SDS_CODE.get(role) ? { sdsRoleCode: SDS_CODE.get(role) } : {}),
    };
  });
  const first = answers.organisations[0]!;
  users.push({ id: 'privacy-officer', name: `Demo Privacy officer, ${first.name}`, role: 'privacy-officer', organisation: first.ods, sdsRoleCode: SDS_CODE.get('privacy-officer') });
  users.push({ id: 'citizen-demo', name: 'Demo Citizen', role: 'citizen', nhsNumber: DEMO_CITIZEN_NHS_NUMBER });
  return users;
}

/** One channel per organisation (pooled only): sender = its ODS code, read with the profile for its kind. */
export function channelsOf(answers: Pick<Answers, 'organisations' | 'topology' | 'mllpPort'>): NonNullable<LocalityInput['channels']> {
  if (answers.topology !== 'pooled') return [];
  return answers.organisations.map((org, i) => ({
    id: `${org.ods.toLowerCase()}-feed`,
    sender: org.ods,
    organisation: org.ods,
    profile: PROFILE_OF[org.kind] ?? 'generic',
    ...(answers.mllpPort === null ? {} : { mllpPort: answers.mllpPort === 0 ? 0 : answers.mllpPort + i }),
  }));
}

/** The storage URL written in the configuration (`DATABASE_URL` still overrides it at start). */
export function storageUrlOf(answers: Pick<Answers, 'storage' | 'databaseUrl'>): string {
  return answers.storage === 'postgres' ? answers.databaseUrl! : 'pglite:./data/idcr';
}

/** The locality configuration the answers describe, with its ISA (kept apart, in `isa.json`). */
export function localityInputOf(answers: Answers, isa: Isa): LocalityInput {
  return {
    name: answers.name,
    organisations: answers.organisations.map((org) => ({ ods: org.ods, name: org.name, kind: org.kind, stage: org.stage })),
    consentModel: isa.consentModel,
    isa,
    auth:
      answers.auth.mode === 'dev'
        ? { mode: 'dev', users: demoUsers(answers) }
        : { mode: 'oidc', issuer: answers.auth.issuer, jwksUrl: answers.auth.jwksUrl, audience: answers.auth.audience },
    channels: channelsOf(answers),
    topology:
      answers.topology === 'federated'
        ? { kind: 'federated', sources: answers.sources.map((s) => ({ organisation: s.organisation, baseUrl: s.baseUrl })) }
        : { kind: 'pooled' },
    storage: { url: storageUrlOf(answers) },
    // Demo tokens are for anyone who can reach /dev/token: with the development issuer, listen on this machine only.
    ports: answers.auth.mode === 'dev' ? { http: answers.httpPort, host: '127.0.0.1' } : { http: answers.httpPort },
  };
}

/** Thrown when answers would make a configuration `defineLocality` refuses (a bug here, or answers not checked first). */
export class GeneratedConfigError extends Error {
  readonly issues: LocalityIssue[];
  constructor(issues: LocalityIssue[]) {
    super(`the configuration made from these answers is not valid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'GeneratedConfigError';
    this.issues = issues;
  }
}

/** Checks the configuration exactly as `npm start` will (`parseLocality`), before anything is written. */
export function checkLocality(input: LocalityInput): Locality {
  const result = parseLocality(input);
  if (!result.ok) throw new GeneratedConfigError(result.issues);
  return result.locality;
}
