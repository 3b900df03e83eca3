/** FHIR identifier system for Organisation Data Service (ODS) codes. */
export const ODS_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
/** FHIR identifier system for ODS site codes. */
export const ODS_SITE_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-site-code';
/** FHIR identifier system for SDS user ids (Care Identity Service). */
export const SDS_USER_ID_SYSTEM = 'https://fhir.nhs.uk/Id/sds-user-id';
/** FHIR identifier system for SDS role profile ids. */
export const SDS_ROLE_PROFILE_SYSTEM = 'https://fhir.nhs.uk/Id/sds-role-profile-id';
/** FHIR identifier system for GMC numbers. */
export const GMC_NUMBER_SYSTEM = 'https://fhir.hl7.org.uk/Id/gmc-number';

/**
 * ODS organisation codes are 3 to 6 upper-case letters and digits (e.g. `RR8` for a trust, `B86001` for a GP
 * practice, `RR813` for a site). This checks the shape only; whether the code exists is for the ODS API.
 */
export function isOdsCodeShape(code: string): boolean {
  return /^[A-Z0-9]{3,6}$/.test(code);
}

/** The FHIR identifier system used for local identifiers issued by an assigning authority (e.g. a hospital MRN). */
export function localIdentifierSystem(assigningAuthority: string): string {
  return `https://openidcr.org/Id/local/${encodeURIComponent(assigningAuthority)}`;
}
