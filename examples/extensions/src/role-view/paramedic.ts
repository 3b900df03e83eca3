import {
  DEFAULT_ROLES,
  buildExampleIsa,
  createLocalityPolicy,
  EXAMPLE_ORGANISATIONS,
  type Isa,
  type LocalityPolicy,
  type RoleDefinitionInput,
} from '@openidcr/governance';
import type { HeadingId } from '@openidcr/model';

// #region role
/**
 * A paramedic at the ambulance service, attending a 999 or 111 call. They need what changes the next hour of care —
 * who the person is, alerts, problems, medicines, allergies, recent admissions, who else is involved — and not
 * the whole record (Caldicott principle 3: the minimum necessary).
 */
export const PARAMEDIC_HEADINGS = [
  'demographics',
  'care-team',
  'alerts',
  'problems',
  'medications',
  'allergies',
  'encounters',
  'social-care',
] as const satisfies readonly HeadingId[];

export const paramedicRole = {
  id: 'paramedic',
  title: 'Paramedic',
  description: 'An ambulance service paramedic attending the person on an emergency or urgent call.',
  // R8003 Health Professional Access Role: the national job role paramedics hold in NHS CIS2.
  sdsJobRoleCodes: ['R8003'],
  headings: [...PARAMEDIC_HEADINGS],
  clinicalAccess: true,
  // A crew has no registration or referral with the person: the call itself is declared (audited, alerted, expiring).
  requiresLegitimateRelationship: true,
  mayDeclareRelationship: true,
  // An unconscious patient who opted out can still be treated with what the record holds, with an alert.
  mayBreakGlass: true,
} satisfies RoleDefinitionInput;
// #endregion role

// #region isa
/** The ambulance trust that joins the locality's agreement (a made-up, shape-valid ODS code). */
export const AMBULANCE_TRUST = { ods: 'X9E', name: 'Northshire Ambulance Service NHS Trust', kind: 'ambulance-trust' } as const;

/**
 * The example agreement with the ambulance trust as a party, and one more sharing rule: every health and care
 * partner shares the paramedic headings with ambulance services, for paramedics only.
 */
export function isaWithAmbulanceService(): Isa {
  const isa = buildExampleIsa([...EXAMPLE_ORGANISATIONS, AMBULANCE_TRUST]);
  const partners = EXAMPLE_ORGANISATIONS.map((o) => o.ods);
  return {
    ...isa,
    sharing: [
      ...isa.sharing,
      {
        id: 'emergency-response',
        from: partners,
        headings: [...PARAMEDIC_HEADINGS],
        to: [{ organisationKinds: ['ambulance-trust'], roles: ['paramedic'] }],
        purposes: ['direct-care'],
        legalBases: ['art-6-1-e', 'art-9-2-h', 'cldc', 's251b'],
      },
    ],
  };
}
// #endregion isa

// #region policy
/** The locality's policy: the default roles plus the paramedic, and the agreement that shares with them. */
export function paramedicPolicy(): LocalityPolicy {
  const made = createLocalityPolicy({ isa: isaWithAmbulanceService(), roles: [...DEFAULT_ROLES, paramedicRole] });
  if (!made.ok) throw new Error(made.issues.map((issue) => issue.message).join('\n'));
  return made.policy;
}
// #endregion policy
