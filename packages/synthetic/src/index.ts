export { generateLocality, sourceUri, SDS_ROLE_CODES } from './locality/locality.js';
export type {
  SyntheticLocality,
  SyntheticOrganisation,
  SyntheticUser,
  OrganisationKind,
  UserRole,
  FhirOrganization,
  FhirPractitioner,
} from './locality/locality.js';
export { generatePatients, generatePatient } from './population/population.js';
export type { SyntheticPatientRecord } from './population/population.js';
export { parseSyntheticOptions } from './population/options.js';
export type { SyntheticOptions, OptionIssue, OptionsResult, ResolvedOptions } from './population/options.js';
export { toFhirBundle, toLocalityBundle } from './fhir/bundle.js';
export type { FhirBundle } from './fhir/bundle.js';
export type { FhirResource } from './fhir/resources.js';
export { CARE_SERVICE_SYSTEM } from './fhir/resources.js';
export type { SyntheticHl7Message, Hl7Stream, Hl7Fault } from './hl7/messages.js';
export { escapeHl7, unescapeHl7 } from './hl7/encoding.js';
export { nhsNumberFor, MAX_PATIENTS } from './people/nhs-number.js';
export { MEDICINES } from './terminology/medicines.js';
export type { Medicine } from './terminology/medicines.js';
export { CONDITIONS } from './terminology/conditions.js';
export type { ConditionDef } from './terminology/conditions.js';
export { LAB_TESTS, LAB_PANELS } from './terminology/labs.js';
export type { LabTest, LabPanel } from './terminology/labs.js';
