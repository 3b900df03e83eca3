import { DEFAULT_ROLES, createLocalityPolicy, type LocalityPolicy } from '@openidcr/governance';
import { PARAMEDIC_HEADINGS, isaWithAmbulanceService, paramedicRole } from '../role-view/paramedic.js';
import { hospiceProfile } from '../source-profile/hospice.js';

// #region policy
/** The hospice as a party to the agreement: the source of most advance care plans. */
export const HOSPICE = { ods: hospiceProfile.odsCode!, name: 'Northshire Hospice', kind: 'hospice' } as const;

/**
 * Who sees the new heading is a decision, not a default: here GPs, hospital clinicians and paramedics, from the
 * hospice and the GP practices. Every other role keeps its view without it (Caldicott principle 3).
 */
export function advanceCarePlansPolicy(): LocalityPolicy {
  const base = isaWithAmbulanceService();
  const hospiceParty = { ...base.parties.find((p) => p.kind === 'acute-trust')!, ods: HOSPICE.ods, name: HOSPICE.name, kind: HOSPICE.kind };
  const gpPractices = base.parties.filter((p) => p.kind === 'gp-practice').map((p) => p.ods);
  const isa = {
    ...base,
    parties: [...base.parties, hospiceParty],
    sharing: [
      ...base.sharing,
      {
        id: 'advance-care-plans',
        from: [HOSPICE.ods, ...gpPractices],
        headings: ['advance-care-plans'],
        to: [{ organisationKinds: ['gp-practice', 'acute-trust', 'hospice'] }, { organisationKinds: ['ambulance-trust'], roles: ['paramedic'] }],
        purposes: ['direct-care'],
        legalBases: ['art-6-1-e', 'art-9-2-h', 'cldc', 's251b'],
      },
    ],
  };
  const seesPlans = new Set(['gp', 'hospital-clinician']);
  const roles = [
    ...DEFAULT_ROLES.map((role) => (seesPlans.has(role.id) ? { ...role, headings: [...role.headings, 'advance-care-plans'] } : role)),
    { ...paramedicRole, headings: [...PARAMEDIC_HEADINGS, 'advance-care-plans'] },
  ];
  const made = createLocalityPolicy({ isa, roles });
  if (!made.ok) throw new Error(made.issues.map((issue) => issue.message).join('\n'));
  return made.policy;
}
// #endregion policy
