// #region imports
import { impliedOptOutModel, latestConsent, type ConsentFinding, type ConsentModel, type ConsentParty } from '@openidcr/governance';
// #endregion imports

// #region finding
/** The reason code a locality's own model uses must start with `custom:`, so it can never clash with ours. */
export const SOCIAL_CARE_OPT_IN_MISSING = 'custom:social-care-opt-in-missing';

/** Health organisations: every organisation kind but the council. */
const isHealth = (party: ConsentParty): boolean => party.kind !== 'local-authority';

function optInMissing(council: ConsentParty): ConsentFinding {
  return {
    code: SOCIAL_CARE_OPT_IN_MISSING,
    text: `${council.name} shares social care records with health staff only when the person has agreed to it, and they have not.`,
    breakGlassOverrides: true,
  };
}
// #endregion finding

// #region model
/**
 * Mendip Vale's consent model: implied consent with opt-out for direct care (as Leeds and Bristol run it), except that
 * the council's social care records reach health staff only after the person has opted in. The opt-in is a FHIR
 * Consent recorded by the council: `provision.type: permit`, action `disclose`, organisation the council's ODS code.
 * Social care staff see health records as under implied consent, and every objection still applies.
 */
export function socialCareOptInModel(): ConsentModel {
  const implied = impliedOptOutModel();
  return {
    kind: 'social-care-opt-in',
    description:
      'Implied consent with the right to object: information is shared for your direct care unless you tell us you object. ' +
      'Your social care record is different: the council shares it with doctors, nurses and other health staff only if you have told the council that you agree.',
    assess(input) {
      const assessment = implied.assess(input); // objections: the whole record, or one organisation's data
      if (!isHealth(input.viewer)) return assessment;
      return {
        ...assessment,
        sourceFinding(source) {
          const objection = assessment.sourceFinding(source);
          if (objection || source.kind !== 'local-authority') return objection;
          const optIn = latestConsent(input.consents, input.patient.personId, 'disclose', source.ods, input.purposeOfUse, input.now);
          return optIn?.decision === 'permit' ? undefined : optInMissing(source);
        },
      };
    },
  };
}
// #endregion model

// #region opt-in
/**
 * The person's opt-in as the council records it: a FHIR R4 Consent that the policy point reads with governance's
 * `consentFromFhir` (`provision.type` permit, action `disclose`, the council as the organisation).
 */
export function socialCareOptInConsent(options: { id: string; patientId: string; councilOds: string; recordedAt: string; recordedBy: string }) {
  return {
    resourceType: 'Consent',
    id: options.id,
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${options.patientId}` },
    dateTime: options.recordedAt,
    performer: [{ display: options.recordedBy }],
    organization: [{ identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: options.councilOds } }],
    provision: {
      type: 'permit',
      action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'disclose' }] }],
    },
  } as const;
}
// #endregion opt-in
