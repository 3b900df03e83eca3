import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAMES, defineLocality, loadLocalityConfig, type Locality, type LocalityInput } from '@openidcr/architecture';
import { buildExampleIsa, type OrganisationKind } from '@openidcr/governance';
import { generateLocality, generatePatient, type SyntheticLocality } from '@openidcr/synthetic';

/** What the reference app needs beyond the locality: how big a synthetic population to seed, and its seed. */
export interface ReferenceSettings {
  seed: number;
  patients: number;
  /** First MLLP port; each source organisation's channel listens on the next one. */
  mllpBasePort: number;
  httpPort: number;
  storageUrl: string;
  /**
   * The synthetic locality's "today" (YYYY-MM-DD): its histories end here, so people admitted in the last days are on
   * the wards now. Default for the app: the day it is first started; absent: the generator's fixed date (tests).
   */
  syntheticDate?: string | undefined;
  /** The consent model of the synthetic locality (`IDCR_CONSENT_MODEL`); default: the example ISA's (implied opt-out). */
  consentModel?: 'implied-opt-out' | 'explicit-share' | 'consent-to-view' | undefined;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReferenceSettings {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}: expected an integer from ${min} to ${max}, found ${JSON.stringify(raw)}`);
    return value;
  };
  return {
    seed: int('IDCR_SEED', 42, 0, 2 ** 31 - 1),
    patients: int('IDCR_PATIENTS', 2000, 0, 1_000_000),
    mllpBasePort: int('IDCR_MLLP_PORT', 2575, 1, 65_000),
    httpPort: int('PORT', 8080, 0, 65_535),
    storageUrl: env.DATABASE_URL || 'pglite:./data/idcr',
    syntheticDate: syntheticDateOf(env.IDCR_SYNTHETIC_DATE),
    consentModel: consentModelOf(env.IDCR_CONSENT_MODEL),
  };
}

const CONSENT_MODELS = ['implied-opt-out', 'explicit-share', 'consent-to-view'] as const;
function consentModelOf(raw: string | undefined): ReferenceSettings['consentModel'] {
  if (raw === undefined || raw === '') return undefined;
  if (!(CONSENT_MODELS as readonly string[]).includes(raw)) throw new Error(`IDCR_CONSENT_MODEL: expected one of ${CONSENT_MODELS.join(', ')}, found ${JSON.stringify(raw)}`);
  return raw as ReferenceSettings['consentModel'];
}

function syntheticDateOf(raw: string | undefined): string {
  if (raw === undefined || raw === '') return new Date().toISOString().slice(0, 10);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(raw) && new Date(`${raw}T00:00:00Z`).toISOString().slice(0, 10) === raw;
  if (!valid) throw new Error(`IDCR_SYNTHETIC_DATE: expected a date YYYY-MM-DD, found ${JSON.stringify(raw)}`);
  return raw;
}

const PROFILE_OF: Record<string, string> = {
  'gp-practice': 'gp',
  'acute-trust': 'acute-pas',
  'mental-health-trust': 'mental-health',
  'community-services': 'generic',
  'social-care': 'social-care',
};

/** The synthetic organisation kinds in governance's vocabulary (the council is a local authority). */
function governanceKind(kind: SyntheticLocality['organisations'][number]['kind']): OrganisationKind {
  return kind === 'social-care' ? 'local-authority' : kind;
}

/**
 * The reference locality: the synthetic locality's eight organisations (GP practices at staged go-live), its demo
 * users of every role, three demo citizens, the example direct-care ISA for those organisations, one HL7 v2 channel
 * per source organisation (plus the lab), the development issuer, and the embedded store.
 */
export function syntheticLocalityInput(settings: ReferenceSettings): { input: LocalityInput; synthetic: SyntheticLocality } {
  const synthetic = generateLocality({ seed: settings.seed });
  const organisations = synthetic.organisations.map((org, index) => ({
    ods: org.ods,
    name: org.name,
    kind: governanceKind(org.kind),
    // Start small: the first GP practice and the trusts are live, the others in staged roll-out.
    stage: org.kind === 'gp-practice' && index > 1 ? ('staged' as const) : ('live' as const),
  }));
  const isa = buildExampleIsa(organisations, { locality: synthetic.name, id: `${synthetic.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-direct-care` });
  const staff = synthetic.users.map((user) => ({ id: user.id, name: user.name, role: user.role, organisation: user.ods, sdsRoleCode: user.sdsRoleCode }));
  // Staged roll-out, enforced: at the practices still in roll-out only the pilot group (the first user of each role
  // there) sees the shared record; their colleagues are told why they see nothing.
  const inRollout = new Set(organisations.filter((o) => o.stage !== 'live').map((o) => o.ods));
  const pilotUsers = staff.filter((u) => inRollout.has(u.organisation) && u.id.endsWith('-1')).map((u) => u.id);
  const rollout = pilotUsers.length > 0 ? { groups: [{ id: 'pilot-clinicians', name: 'Pilot clinicians at practices in staged roll-out', stage: 'pilot' as const, users: pilotUsers }] } : undefined;
  const citizens = [0, 1, 2]
    .filter((i) => i < Math.max(settings.patients, 3))
    .map((i) => {
      const record = generatePatient(i, { seed: settings.seed, ...(settings.syntheticDate ? { start: settings.syntheticDate } : {}) }, synthetic);
      const name = record.patient.name?.[0];
      return { id: `citizen-${i + 1}`, name: `${name?.given?.[0] ?? ''} ${name?.family ?? ''}`.trim(), role: 'citizen', nhsNumber: record.nhsNumber };
    });
  const senders = [...synthetic.organisations.map((org) => ({ ods: org.ods, kind: org.kind }))];
  const channels = senders.map((org, i) => ({
    id: `${org.ods.toLowerCase()}-feed`,
    sender: org.ods,
    organisation: org.ods,
    profile: PROFILE_OF[org.kind] ?? 'generic',
    // Port 0 asks the OS for a free port per channel (tests); otherwise channels take consecutive ports.
    mllpPort: settings.mllpBasePort === 0 ? 0 : settings.mllpBasePort + i,
  }));
  const consentModel = settings.consentModel ? { kind: settings.consentModel } : undefined;
  const input = {
    name: synthetic.name,
    organisations,
    isa: consentModel ? { ...isa, consentModel } : isa,
    ...(consentModel ? { consentModel } : {}),
    // Consent capture: share-in / share-out, objections and consent to view recorded through the FHIR API.
    consentCapture: { consentToViewMinutes: 240 },
    auth: { mode: 'dev' as const, users: [...staff, ...citizens] },
    channels,
    ...(rollout ? { rollout } : {}),
    topology: { kind: 'pooled' as const },
    storage: { url: settings.storageUrl },
    ports: { http: settings.httpPort, host: '127.0.0.1' },
  } as unknown as LocalityInput;
  return { input, synthetic };
}

/** The locality from `idcr.config.*` in `dir` when there is one, otherwise the synthetic reference locality. */
export async function resolveLocality(dir: string, settings: ReferenceSettings): Promise<{ locality: Locality; synthetic?: SyntheticLocality; source: string }> {
  const file = CONFIG_FILE_NAMES.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (file) return { locality: await loadLocalityConfig(dir), source: file };
  const { input, synthetic } = syntheticLocalityInput(settings);
  return { locality: defineLocality(input), synthetic, source: 'synthetic locality' };
}
