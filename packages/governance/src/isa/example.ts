import type { HeadingId } from '@openidcr/model';
import { IsaSchema, type Isa, type IsaInput } from './schema.js';
import type { OrganisationKind } from '../roles/roles.js';

/**
 * The synthetic locality used by the examples and the reference app: four GP practices, an acute trust, a mental
 * health trust, community services and council social care. The ODS codes are made up (shape-valid only).
 */
export const EXAMPLE_ORGANISATIONS = [
  { ods: 'Y90001', name: 'Riverside Surgery', kind: 'gp-practice' },
  { ods: 'Y90002', name: 'Hillview Medical Centre', kind: 'gp-practice' },
  { ods: 'Y90003', name: 'Market Street Practice', kind: 'gp-practice' },
  { ods: 'Y90004', name: 'Canal Side Health Centre', kind: 'gp-practice' },
  { ods: 'X9A', name: 'Northshire Hospitals NHS Foundation Trust', kind: 'acute-trust' },
  { ods: 'X9M', name: 'Northshire Mental Health NHS Trust', kind: 'mental-health-trust' },
  { ods: 'X9C', name: 'Northshire Community Health Services', kind: 'community-services' },
  { ods: 'X9L', name: 'Northshire Council Social Care', kind: 'local-authority' },
] as const satisfies ReadonlyArray<{ ods: string; name: string; kind: OrganisationKind }>;

const healthKinds: OrganisationKind[] = ['gp-practice', 'acute-trust', 'mental-health-trust', 'community-services'];
const socialCareRecipient = { organisationKinds: ['local-authority'] as OrganisationKind[], roles: ['social-worker', 'care-coordinator', 'administrator'] };
const directCare = ['direct-care'];
const bases = ['art-6-1-e', 'art-9-2-h', 'cldc', 's251b'];

/** What each kind of organisation shares in the example agreement. */
const SHARED_BY_KIND: Partial<Record<OrganisationKind, HeadingId[]>> = {
  'gp-practice': ['demographics', 'care-team', 'alerts', 'problems', 'medications', 'allergies', 'immunisations', 'results', 'appointments', 'referrals', 'documents'],
  'acute-trust': ['demographics', 'alerts', 'problems', 'medications', 'allergies', 'results', 'encounters', 'appointments', 'referrals', 'documents'],
  'mental-health-trust': ['care-team', 'alerts', 'problems', 'medications', 'encounters', 'appointments', 'referrals', 'documents'],
  'community-services': ['care-team', 'alerts', 'problems', 'medications', 'encounters', 'appointments', 'referrals', 'documents'],
  'local-authority': ['demographics', 'care-team', 'alerts', 'social-care'],
};

function sharingRules(organisations: ReadonlyArray<{ ods: string; kind: OrganisationKind }>): IsaInput['sharing'] {
  const rules: IsaInput['sharing'] = [];
  for (const [kind, headings] of Object.entries(SHARED_BY_KIND) as Array<[OrganisationKind, HeadingId[]]>) {
    const from = organisations.filter((o) => o.kind === kind).map((o) => o.ods);
    if (from.length === 0) continue;
    rules.push({
      id: `${kind}-record`,
      from,
      headings,
      // Council social care shares with everyone in the agreement; health shares with council staff in named roles only.
      to: kind === 'local-authority' ? [{ organisationKinds: [...healthKinds, 'local-authority'] }] : [{ organisationKinds: healthKinds }, socialCareRecipient],
      purposes: directCare,
      legalBases: bases,
    });
  }
  return rules;
}

/**
 * The example direct-care ISA for any locality's organisations (GP practices, trusts, community services, council):
 * every party active, implied consent with opt-out, each kind sharing the headings it holds. A starting point to edit,
 * not legal advice.
 */
export function buildExampleIsa(
  organisations: ReadonlyArray<{ ods: string; name: string; kind: OrganisationKind }>,
  options: { locality?: string; id?: string } = {},
): Isa {
  const locality = options.locality ?? 'Northshire';
  const input: IsaInput = {
    id: options.id ?? 'northshire-direct-care',
    version: '1.0',
    title: `${locality} Care Record: Information Sharing Agreement for Direct Care`,
    locality,
    status: 'active',
    validFrom: '2026-01-01',
    validTo: '2028-12-31',
    reviewDate: '2027-06-30',
    parties: organisations.map((org, index) => ({
      ods: org.ods,
      name: org.name,
      kind: org.kind,
      controllerRole: 'joint-controller' as const,
      signatory: { name: `Signatory ${index + 1}`, jobTitle: org.kind === 'gp-practice' ? 'Senior Partner' : 'Chief Executive', signedOn: '2025-12-01' },
      caldicottGuardian: { name: `Caldicott Guardian ${index + 1}`, jobTitle: 'Caldicott Guardian' },
      status: 'active' as const,
      activation: { at: '2026-01-05T09:00:00Z', by: `admin-${org.ods.toLowerCase()}` },
    })),
    purposes: [
      {
        id: 'direct-care',
        title: 'Direct care',
        description:
          'Looking after the person: diagnosis, treatment, care planning, safeguarding and arranging services, by the professionals caring for them.',
        direct: true,
        purposesOfUse: ['TREAT', 'ETREAT', 'BTG'],
        optOut: 'local-objection',
      },
    ],
    notCovered: ['research', 'service planning and commissioning', 'insurance or employment checks', 'marketing'],
    legalBases: [
      { id: 'art-6-1-e', kind: 'uk-gdpr-6-1-e' },
      { id: 'art-9-2-h', kind: 'uk-gdpr-9-2-h' },
      { id: 'cldc', kind: 'cldc-implied-consent' },
      { id: 's251b', kind: 'hsca-2012-s251b' },
    ],
    sharing: sharingRules(organisations),
    consentModel: { kind: 'implied-opt-out' },
    optOut: {
      howToObject: `Tell your GP practice, or use the "Your choices" page of the ${locality} Care Record portal.`,
      contact: `${locality} Care Record Information Governance Team, igteam@care-record.example`,
    },
    retention: {
      auditLogYears: 8,
      sharedRecord: 'The shared view holds a copy of each record only while the source organisation holds it.',
    },
    security: {
      measures: [
        'Every partner meets the Data Security and Protection Toolkit standard',
        'Data travels only over the Health and Social Care Network or encrypted connections (TLS 1.2 or later)',
        'Data at rest is encrypted',
        'Users sign in with NHS Care Identity Service or the partner\'s own strong authentication',
        'Every access is recorded in a tamper-evident log',
      ],
    },
    rights: {
      subjectAccess: 'Ask the organisation that recorded the information; each partner answers requests for its own records.',
      complaints: 'Contact any partner\'s Data Protection Officer, or the Information Commissioner\'s Office (ico.org.uk).',
    },
    breachNotificationHours: 72,
    fairProcessing: {
      url: 'https://care-record.example/privacy',
      commitments: [
        'Each partner publishes a privacy notice that explains the shared record',
        'People can see who has looked at their record',
        'Posters and leaflets in every GP practice and hospital reception',
      ],
    },
    dpiaRef: 'NS-DPIA-2025-014',
    termination: 'A partner may leave with three months\' written notice; its data stops flowing on the day it leaves.',
  };

  return IsaSchema.parse(input);
}

/** The example ISA for the synthetic Northshire locality (8 organisations, implied consent with opt-out). */
export const exampleIsa: Isa = buildExampleIsa(EXAMPLE_ORGANISATIONS);
