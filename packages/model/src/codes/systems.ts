/** Canonical URIs of the code systems a UK shared care record uses. */
export const CodeSystems = {
  snomed: 'http://snomed.info/sct',
  /** NHS Dictionary of medicines and devices; dm+d concepts are SNOMED CT concepts in the UK edition. */
  dmd: 'https://dmd.nhs.uk',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  readV2: 'http://read.info/readv2',
  ctv3: 'http://read.info/ctv3',
  /** HL7 v3 Confidentiality (U, L, M, N, R, V): the record-level confidentiality of an item. */
  confidentiality: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  /** HL7 v3 ActCode: sensitivity categories used in security labels (HIV, PSY, SEX, ...). */
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  /** HL7 v3 ActReason: purposes of use (TREAT, ETREAT, BTG, ...). */
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  observationInterpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  encounterClass: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v2_0203: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  consentCategory: 'http://terminology.hl7.org/CodeSystem/consentcategorycodes',
  consentPolicy: 'http://terminology.hl7.org/CodeSystem/consentpolicycodes',
  auditEventType: 'http://dicom.nema.org/resources/ontology/DCM',
  restfulInteraction: 'http://hl7.org/fhir/restful-interaction',
  provenanceParticipant: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  documentClass: 'http://snomed.info/sct',
  sdsJobRole: 'https://fhir.nhs.uk/CodeSystem/NHSDigital-SDS-JobRoleCode',
  /** OpenIDCR's own code system for the record headings, used as `meta.tag` where a resource's type is ambiguous. */
  heading: 'https://openidcr.org/CodeSystem/heading',
  /** OpenIDCR's own code system for item-level sharing flags (share-out at the point of recording). */
  sharing: 'https://openidcr.org/CodeSystem/sharing',
} as const;

/** The URI of a code system by its short name. */
export type CodeSystemName = keyof typeof CodeSystems;
