import { z } from 'zod';
import {
  Address,
  Annotation,
  Attachment,
  CodeableConcept,
  Coding,
  ContactPoint,
  Dosage,
  HumanName,
  Identifier,
  Period,
  Quantity,
  Range,
  Ratio,
  Reference,
  domainResourceBase,
  fhirBase64,
  fhirCode,
  fhirDate,
  fhirDateTime,
  fhirDecimal,
  fhirInstant,
  fhirInteger,
  fhirPositiveInt,
  fhirTime,
  fhirUnsignedInt,
  fhirUri,
  resourceBase,
} from './datatypes.js';

/**
 * FHIR R4 resources a UK shared care record uses, with the elements it needs and the cardinalities of the
 * base specification (1..1 and 1..* elements are required). Unknown elements are preserved.
 */

const oneOrMore = <T extends z.ZodType>(item: T) => z.array(item).min(1, { error: 'needs at least one entry' });
const choice = (base: string, fields: readonly string[], min: 0 | 1) =>
  (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const present = fields.filter((field) => value[field] !== undefined);
    if (present.length > 1)
      ctx.addIssue({ code: 'custom', path: [present[1]!], message: `only one of ${base}[x] may be present (found ${present.join(', ')})` });
    if (min === 1 && present.length === 0)
      ctx.addIssue({ code: 'custom', path: [`${base}[x]`], message: `is required (${fields.join(' or ')})` });
  };

const BackboneContact = z.looseObject({
  relationship: z.array(CodeableConcept).optional(),
  name: HumanName.optional(),
  telecom: z.array(ContactPoint).optional(),
  address: Address.optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  organization: Reference.optional(),
  period: Period.optional(),
});

export const Patient = z
  .looseObject({
    resourceType: z.literal('Patient'),
    ...domainResourceBase,
    identifier: z.array(Identifier).optional(),
    active: z.boolean().optional(),
    name: z.array(HumanName).optional(),
    telecom: z.array(ContactPoint).optional(),
    gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
    birthDate: fhirDate.optional(),
    deceasedBoolean: z.boolean().optional(),
    deceasedDateTime: fhirDateTime.optional(),
    address: z.array(Address).optional(),
    maritalStatus: CodeableConcept.optional(),
    multipleBirthBoolean: z.boolean().optional(),
    multipleBirthInteger: fhirInteger.optional(),
    contact: z.array(BackboneContact).optional(),
    communication: z.array(z.looseObject({ language: CodeableConcept, preferred: z.boolean().optional() })).optional(),
    generalPractitioner: z.array(Reference).optional(),
    managingOrganization: Reference.optional(),
    link: z.array(z.looseObject({ other: Reference, type: z.enum(['replaced-by', 'replaces', 'refer', 'seealso']) })).optional(),
  })
  .superRefine(choice('deceased', ['deceasedBoolean', 'deceasedDateTime'], 0));
export type Patient = z.infer<typeof Patient>;

export const Practitioner = z.looseObject({
  resourceType: z.literal('Practitioner'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  active: z.boolean().optional(),
  name: z.array(HumanName).optional(),
  telecom: z.array(ContactPoint).optional(),
  address: z.array(Address).optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  birthDate: fhirDate.optional(),
  qualification: z.array(z.looseObject({ identifier: z.array(Identifier).optional(), code: CodeableConcept, period: Period.optional(), issuer: Reference.optional() })).optional(),
});
export type Practitioner = z.infer<typeof Practitioner>;

export const PractitionerRole = z.looseObject({
  resourceType: z.literal('PractitionerRole'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  active: z.boolean().optional(),
  period: Period.optional(),
  practitioner: Reference.optional(),
  organization: Reference.optional(),
  code: z.array(CodeableConcept).optional(),
  specialty: z.array(CodeableConcept).optional(),
  location: z.array(Reference).optional(),
  telecom: z.array(ContactPoint).optional(),
});
export type PractitionerRole = z.infer<typeof PractitionerRole>;

export const Organization = z.looseObject({
  resourceType: z.literal('Organization'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  active: z.boolean().optional(),
  type: z.array(CodeableConcept).optional(),
  name: z.string().optional(),
  alias: z.array(z.string()).optional(),
  telecom: z.array(ContactPoint).optional(),
  address: z.array(Address).optional(),
  partOf: Reference.optional(),
});
export type Organization = z.infer<typeof Organization>;

/** A place care is given: a ward, a clinic, a bay (FHIR R4 Location; reference data, not a person's record). */
export const Location = z.looseObject({
  resourceType: z.literal('Location'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  status: z.enum(['active', 'suspended', 'inactive']).optional(),
  name: z.string().optional(),
  alias: z.array(z.string()).optional(),
  description: z.string().optional(),
  mode: z.enum(['instance', 'kind']).optional(),
  type: z.array(CodeableConcept).optional(),
  telecom: z.array(ContactPoint).optional(),
  address: Address.optional(),
  physicalType: CodeableConcept.optional(),
  managingOrganization: Reference.optional(),
  partOf: Reference.optional(),
});
export type Location = z.infer<typeof Location>;

export const Encounter = z.looseObject({
  resourceType: z.literal('Encounter'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  status: z.enum(['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled', 'entered-in-error', 'unknown']),
  statusHistory: z.array(z.looseObject({ status: fhirCode, period: Period })).optional(),
  class: Coding,
  type: z.array(CodeableConcept).optional(),
  serviceType: CodeableConcept.optional(),
  priority: CodeableConcept.optional(),
  subject: Reference.optional(),
  episodeOfCare: z.array(Reference).optional(),
  basedOn: z.array(Reference).optional(),
  participant: z.array(z.looseObject({ type: z.array(CodeableConcept).optional(), period: Period.optional(), individual: Reference.optional() })).optional(),
  appointment: z.array(Reference).optional(),
  period: Period.optional(),
  length: Quantity.optional(),
  reasonCode: z.array(CodeableConcept).optional(),
  reasonReference: z.array(Reference).optional(),
  diagnosis: z.array(z.looseObject({ condition: Reference, use: CodeableConcept.optional(), rank: fhirPositiveInt.optional() })).optional(),
  hospitalization: z
    .looseObject({
      admitSource: CodeableConcept.optional(),
      dischargeDisposition: CodeableConcept.optional(),
      destination: Reference.optional(),
      origin: Reference.optional(),
    })
    .optional(),
  location: z
    .array(z.looseObject({ location: Reference, status: z.enum(['planned', 'active', 'reserved', 'completed']).optional(), period: Period.optional() }))
    .optional(),
  serviceProvider: Reference.optional(),
  partOf: Reference.optional(),
});
export type Encounter = z.infer<typeof Encounter>;

export const EpisodeOfCare = z.looseObject({
  resourceType: z.literal('EpisodeOfCare'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  status: z.enum(['planned', 'waitlist', 'active', 'onhold', 'finished', 'cancelled', 'entered-in-error']),
  type: z.array(CodeableConcept).optional(),
  diagnosis: z.array(z.looseObject({ condition: Reference, role: CodeableConcept.optional(), rank: fhirPositiveInt.optional() })).optional(),
  patient: Reference,
  managingOrganization: Reference.optional(),
  period: Period.optional(),
  referralRequest: z.array(Reference).optional(),
  careManager: Reference.optional(),
  team: z.array(Reference).optional(),
});
export type EpisodeOfCare = z.infer<typeof EpisodeOfCare>;

export const Condition = z
  .looseObject({
    resourceType: z.literal('Condition'),
    ...domainResourceBase,
    identifier: z.array(Identifier).optional(),
    clinicalStatus: CodeableConcept.optional(),
    verificationStatus: CodeableConcept.optional(),
    category: z.array(CodeableConcept).optional(),
    severity: CodeableConcept.optional(),
    code: CodeableConcept.optional(),
    bodySite: z.array(CodeableConcept).optional(),
    subject: Reference,
    encounter: Reference.optional(),
    onsetDateTime: fhirDateTime.optional(),
    onsetPeriod: Period.optional(),
    onsetString: z.string().optional(),
    abatementDateTime: fhirDateTime.optional(),
    abatementPeriod: Period.optional(),
    abatementString: z.string().optional(),
    recordedDate: fhirDateTime.optional(),
    recorder: Reference.optional(),
    asserter: Reference.optional(),
    note: z.array(Annotation).optional(),
  })
  .superRefine(choice('onset', ['onsetDateTime', 'onsetPeriod', 'onsetString'], 0))
  .superRefine(choice('abatement', ['abatementDateTime', 'abatementPeriod', 'abatementString'], 0));
export type Condition = z.infer<typeof Condition>;

const Reaction = z.looseObject({
  substance: CodeableConcept.optional(),
  manifestation: oneOrMore(CodeableConcept),
  description: z.string().optional(),
  onset: fhirDateTime.optional(),
  severity: z.enum(['mild', 'moderate', 'severe']).optional(),
  note: z.array(Annotation).optional(),
});

export const AllergyIntolerance = z.looseObject({
  resourceType: z.literal('AllergyIntolerance'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  clinicalStatus: CodeableConcept.optional(),
  verificationStatus: CodeableConcept.optional(),
  type: z.enum(['allergy', 'intolerance']).optional(),
  category: z.array(z.enum(['food', 'medication', 'environment', 'biologic'])).optional(),
  criticality: z.enum(['low', 'high', 'unable-to-assess']).optional(),
  code: CodeableConcept.optional(),
  patient: Reference,
  encounter: Reference.optional(),
  onsetDateTime: fhirDateTime.optional(),
  recordedDate: fhirDateTime.optional(),
  recorder: Reference.optional(),
  asserter: Reference.optional(),
  lastOccurrence: fhirDateTime.optional(),
  note: z.array(Annotation).optional(),
  reaction: z.array(Reaction).optional(),
});
export type AllergyIntolerance = z.infer<typeof AllergyIntolerance>;

export const MedicationStatement = z
  .looseObject({
    resourceType: z.literal('MedicationStatement'),
    ...domainResourceBase,
    identifier: z.array(Identifier).optional(),
    basedOn: z.array(Reference).optional(),
    partOf: z.array(Reference).optional(),
    status: z.enum(['active', 'completed', 'entered-in-error', 'intended', 'stopped', 'on-hold', 'unknown', 'not-taken']),
    statusReason: z.array(CodeableConcept).optional(),
    category: CodeableConcept.optional(),
    medicationCodeableConcept: CodeableConcept.optional(),
    medicationReference: Reference.optional(),
    subject: Reference,
    context: Reference.optional(),
    effectiveDateTime: fhirDateTime.optional(),
    effectivePeriod: Period.optional(),
    dateAsserted: fhirDateTime.optional(),
    informationSource: Reference.optional(),
    derivedFrom: z.array(Reference).optional(),
    reasonCode: z.array(CodeableConcept).optional(),
    reasonReference: z.array(Reference).optional(),
    note: z.array(Annotation).optional(),
    dosage: z.array(Dosage).optional(),
  })
  .superRefine(choice('medication', ['medicationCodeableConcept', 'medicationReference'], 1))
  .superRefine(choice('effective', ['effectiveDateTime', 'effectivePeriod'], 0));
export type MedicationStatement = z.infer<typeof MedicationStatement>;

export const MedicationRequest = z
  .looseObject({
    resourceType: z.literal('MedicationRequest'),
    ...domainResourceBase,
    identifier: z.array(Identifier).optional(),
    status: z.enum(['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown']),
    statusReason: CodeableConcept.optional(),
    intent: z.enum(['proposal', 'plan', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']),
    category: z.array(CodeableConcept).optional(),
    priority: z.enum(['routine', 'urgent', 'asap', 'stat']).optional(),
    medicationCodeableConcept: CodeableConcept.optional(),
    medicationReference: Reference.optional(),
    subject: Reference,
    encounter: Reference.optional(),
    authoredOn: fhirDateTime.optional(),
    requester: Reference.optional(),
    recorder: Reference.optional(),
    reasonCode: z.array(CodeableConcept).optional(),
    reasonReference: z.array(Reference).optional(),
    courseOfTherapyType: CodeableConcept.optional(),
    note: z.array(Annotation).optional(),
    dosageInstruction: z.array(Dosage).optional(),
    dispenseRequest: z
      .looseObject({
        validityPeriod: Period.optional(),
        numberOfRepeatsAllowed: fhirUnsignedInt.optional(),
        quantity: Quantity.optional(),
        expectedSupplyDuration: Quantity.optional(),
      })
      .optional(),
  })
  .superRefine(choice('medication', ['medicationCodeableConcept', 'medicationReference'], 1));
export type MedicationRequest = z.infer<typeof MedicationRequest>;

const ReferenceRange = z.looseObject({
  low: Quantity.optional(),
  high: Quantity.optional(),
  type: CodeableConcept.optional(),
  appliesTo: z.array(CodeableConcept).optional(),
  age: Range.optional(),
  text: z.string().optional(),
});

const observationValues = {
  valueQuantity: Quantity.optional(),
  valueCodeableConcept: CodeableConcept.optional(),
  valueString: z.string().optional(),
  valueBoolean: z.boolean().optional(),
  valueInteger: fhirInteger.optional(),
  valueRange: Range.optional(),
  valueRatio: Ratio.optional(),
  valueTime: fhirTime.optional(),
  valueDateTime: fhirDateTime.optional(),
  valuePeriod: Period.optional(),
};
const observationValueFields = Object.keys(observationValues);

export const Observation = z
  .looseObject({
    resourceType: z.literal('Observation'),
    ...domainResourceBase,
    identifier: z.array(Identifier).optional(),
    basedOn: z.array(Reference).optional(),
    partOf: z.array(Reference).optional(),
    status: z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown']),
    category: z.array(CodeableConcept).optional(),
    code: CodeableConcept,
    subject: Reference.optional(),
    encounter: Reference.optional(),
    effectiveDateTime: fhirDateTime.optional(),
    effectivePeriod: Period.optional(),
    effectiveInstant: fhirInstant.optional(),
    issued: fhirInstant.optional(),
    performer: z.array(Reference).optional(),
    ...observationValues,
    dataAbsentReason: CodeableConcept.optional(),
    interpretation: z.array(CodeableConcept).optional(),
    note: z.array(Annotation).optional(),
    method: CodeableConcept.optional(),
    specimen: Reference.optional(),
    referenceRange: z.array(ReferenceRange).optional(),
    hasMember: z.array(Reference).optional(),
    derivedFrom: z.array(Reference).optional(),
    component: z.array(z.looseObject({ code: CodeableConcept, ...observationValues, interpretation: z.array(CodeableConcept).optional(), referenceRange: z.array(ReferenceRange).optional() })).optional(),
  })
  .superRefine(choice('value', observationValueFields, 0))
  .superRefine(choice('effective', ['effectiveDateTime', 'effectivePeriod', 'effectiveInstant'], 0));
export type Observation = z.infer<typeof Observation>;

export const DiagnosticReport = z.looseObject({
  resourceType: z.literal('DiagnosticReport'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  basedOn: z.array(Reference).optional(),
  status: z.enum(['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown']),
  category: z.array(CodeableConcept).optional(),
  code: CodeableConcept,
  subject: Reference.optional(),
  encounter: Reference.optional(),
  effectiveDateTime: fhirDateTime.optional(),
  effectivePeriod: Period.optional(),
  issued: fhirInstant.optional(),
  performer: z.array(Reference).optional(),
  resultsInterpreter: z.array(Reference).optional(),
  specimen: z.array(Reference).optional(),
  result: z.array(Reference).optional(),
  conclusion: z.string().optional(),
  conclusionCode: z.array(CodeableConcept).optional(),
  presentedForm: z.array(Attachment).optional(),
});
export type DiagnosticReport = z.infer<typeof DiagnosticReport>;

export const DocumentReference = z.looseObject({
  resourceType: z.literal('DocumentReference'),
  ...domainResourceBase,
  masterIdentifier: Identifier.optional(),
  identifier: z.array(Identifier).optional(),
  status: z.enum(['current', 'superseded', 'entered-in-error']),
  docStatus: z.enum(['preliminary', 'final', 'amended', 'entered-in-error']).optional(),
  type: CodeableConcept.optional(),
  category: z.array(CodeableConcept).optional(),
  subject: Reference.optional(),
  date: fhirInstant.optional(),
  author: z.array(Reference).optional(),
  authenticator: Reference.optional(),
  custodian: Reference.optional(),
  relatesTo: z.array(z.looseObject({ code: z.enum(['replaces', 'transforms', 'signs', 'appends']), target: Reference })).optional(),
  description: z.string().optional(),
  securityLabel: z.array(CodeableConcept).optional(),
  content: oneOrMore(z.looseObject({ attachment: Attachment, format: Coding.optional() })),
  context: z
    .looseObject({
      encounter: z.array(Reference).optional(),
      event: z.array(CodeableConcept).optional(),
      period: Period.optional(),
      facilityType: CodeableConcept.optional(),
      practiceSetting: CodeableConcept.optional(),
      related: z.array(Reference).optional(),
    })
    .optional(),
});
export type DocumentReference = z.infer<typeof DocumentReference>;

export const ServiceRequest = z.looseObject({
  resourceType: z.literal('ServiceRequest'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  basedOn: z.array(Reference).optional(),
  replaces: z.array(Reference).optional(),
  requisition: Identifier.optional(),
  status: z.enum(['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown']),
  intent: z.enum(['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']),
  category: z.array(CodeableConcept).optional(),
  priority: z.enum(['routine', 'urgent', 'asap', 'stat']).optional(),
  code: CodeableConcept.optional(),
  subject: Reference,
  encounter: Reference.optional(),
  occurrenceDateTime: fhirDateTime.optional(),
  occurrencePeriod: Period.optional(),
  authoredOn: fhirDateTime.optional(),
  requester: Reference.optional(),
  performerType: CodeableConcept.optional(),
  performer: z.array(Reference).optional(),
  reasonCode: z.array(CodeableConcept).optional(),
  reasonReference: z.array(Reference).optional(),
  note: z.array(Annotation).optional(),
  patientInstruction: z.string().optional(),
});
export type ServiceRequest = z.infer<typeof ServiceRequest>;

export const Appointment = z.looseObject({
  resourceType: z.literal('Appointment'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  status: z.enum(['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist']),
  cancelationReason: CodeableConcept.optional(),
  serviceCategory: z.array(CodeableConcept).optional(),
  serviceType: z.array(CodeableConcept).optional(),
  specialty: z.array(CodeableConcept).optional(),
  appointmentType: CodeableConcept.optional(),
  reasonCode: z.array(CodeableConcept).optional(),
  reasonReference: z.array(Reference).optional(),
  priority: fhirUnsignedInt.optional(),
  description: z.string().optional(),
  start: fhirInstant.optional(),
  end: fhirInstant.optional(),
  minutesDuration: fhirPositiveInt.optional(),
  created: fhirDateTime.optional(),
  comment: z.string().optional(),
  patientInstruction: z.string().optional(),
  basedOn: z.array(Reference).optional(),
  participant: oneOrMore(
    z.looseObject({
      type: z.array(CodeableConcept).optional(),
      actor: Reference.optional(),
      required: z.enum(['required', 'optional', 'information-only']).optional(),
      status: z.enum(['accepted', 'declined', 'tentative', 'needs-action']),
      period: Period.optional(),
    }),
  ),
});
export type Appointment = z.infer<typeof Appointment>;

export const Immunization = z
  .looseObject({
    resourceType: z.literal('Immunization'),
    ...domainResourceBase,
    identifier: z.array(Identifier).optional(),
    status: z.enum(['completed', 'entered-in-error', 'not-done']),
    statusReason: CodeableConcept.optional(),
    vaccineCode: CodeableConcept,
    patient: Reference,
    encounter: Reference.optional(),
    occurrenceDateTime: fhirDateTime.optional(),
    occurrenceString: z.string().optional(),
    recorded: fhirDateTime.optional(),
    primarySource: z.boolean().optional(),
    location: Reference.optional(),
    manufacturer: Reference.optional(),
    lotNumber: z.string().optional(),
    expirationDate: fhirDate.optional(),
    site: CodeableConcept.optional(),
    route: CodeableConcept.optional(),
    doseQuantity: Quantity.optional(),
    performer: z.array(z.looseObject({ function: CodeableConcept.optional(), actor: Reference })).optional(),
    note: z.array(Annotation).optional(),
    reasonCode: z.array(CodeableConcept).optional(),
    protocolApplied: z.array(z.looseObject({ series: z.string().optional(), doseNumberPositiveInt: fhirPositiveInt.optional(), doseNumberString: z.string().optional() })).optional(),
  })
  .superRefine(choice('occurrence', ['occurrenceDateTime', 'occurrenceString'], 1));
export type Immunization = z.infer<typeof Immunization>;

export const CareTeam = z.looseObject({
  resourceType: z.literal('CareTeam'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  status: z.enum(['proposed', 'active', 'suspended', 'inactive', 'entered-in-error']).optional(),
  category: z.array(CodeableConcept).optional(),
  name: z.string().optional(),
  subject: Reference.optional(),
  encounter: Reference.optional(),
  period: Period.optional(),
  participant: z.array(z.looseObject({ role: z.array(CodeableConcept).optional(), member: Reference.optional(), onBehalfOf: Reference.optional(), period: Period.optional() })).optional(),
  reasonCode: z.array(CodeableConcept).optional(),
  managingOrganization: z.array(Reference).optional(),
  telecom: z.array(ContactPoint).optional(),
  note: z.array(Annotation).optional(),
});
export type CareTeam = z.infer<typeof CareTeam>;

export const Flag = z.looseObject({
  resourceType: z.literal('Flag'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  status: z.enum(['active', 'inactive', 'entered-in-error']),
  category: z.array(CodeableConcept).optional(),
  code: CodeableConcept,
  subject: Reference,
  period: Period.optional(),
  encounter: Reference.optional(),
  author: Reference.optional(),
});
export type Flag = z.infer<typeof Flag>;

const ConsentProvision: z.ZodType<Record<string, unknown>> = z.looseObject({
  type: z.enum(['deny', 'permit']).optional(),
  period: Period.optional(),
  actor: z.array(z.looseObject({ role: CodeableConcept, reference: Reference })).optional(),
  action: z.array(CodeableConcept).optional(),
  securityLabel: z.array(Coding).optional(),
  purpose: z.array(Coding).optional(),
  class: z.array(Coding).optional(),
  code: z.array(CodeableConcept).optional(),
  dataPeriod: Period.optional(),
  data: z.array(z.looseObject({ meaning: z.enum(['instance', 'related', 'dependents', 'authoredby']), reference: Reference })).optional(),
  get provision() {
    return z.array(ConsentProvision).optional();
  },
});

export const Consent = z.looseObject({
  resourceType: z.literal('Consent'),
  ...domainResourceBase,
  identifier: z.array(Identifier).optional(),
  status: z.enum(['draft', 'proposed', 'active', 'rejected', 'inactive', 'entered-in-error']),
  scope: CodeableConcept,
  category: oneOrMore(CodeableConcept),
  patient: Reference.optional(),
  dateTime: fhirDateTime.optional(),
  performer: z.array(Reference).optional(),
  organization: z.array(Reference).optional(),
  sourceAttachment: Attachment.optional(),
  sourceReference: Reference.optional(),
  policy: z.array(z.looseObject({ authority: fhirUri.optional(), uri: fhirUri.optional() })).optional(),
  policyRule: CodeableConcept.optional(),
  verification: z.array(z.looseObject({ verified: z.boolean(), verifiedWith: Reference.optional(), verificationDate: fhirDateTime.optional() })).optional(),
  provision: ConsentProvision.optional(),
});
export type Consent = z.infer<typeof Consent>;

export const Provenance = z.looseObject({
  resourceType: z.literal('Provenance'),
  ...domainResourceBase,
  target: oneOrMore(Reference),
  occurredPeriod: Period.optional(),
  occurredDateTime: fhirDateTime.optional(),
  recorded: fhirInstant,
  policy: z.array(fhirUri).optional(),
  location: Reference.optional(),
  reason: z.array(CodeableConcept).optional(),
  activity: CodeableConcept.optional(),
  agent: oneOrMore(z.looseObject({ type: CodeableConcept.optional(), role: z.array(CodeableConcept).optional(), who: Reference, onBehalfOf: Reference.optional() })),
  entity: z.array(z.looseObject({ role: z.enum(['derivation', 'revision', 'quotation', 'source', 'removal']), what: Reference })).optional(),
  signature: z.array(z.looseObject({})).optional(),
});
export type Provenance = z.infer<typeof Provenance>;

export const AuditEvent = z.looseObject({
  resourceType: z.literal('AuditEvent'),
  ...domainResourceBase,
  type: Coding,
  subtype: z.array(Coding).optional(),
  action: z.enum(['C', 'R', 'U', 'D', 'E']).optional(),
  period: Period.optional(),
  recorded: fhirInstant,
  outcome: z.enum(['0', '4', '8', '12']).optional(),
  outcomeDesc: z.string().optional(),
  purposeOfEvent: z.array(CodeableConcept).optional(),
  agent: oneOrMore(
    z.looseObject({
      type: CodeableConcept.optional(),
      role: z.array(CodeableConcept).optional(),
      who: Reference.optional(),
      altId: z.string().optional(),
      name: z.string().optional(),
      requestor: z.boolean(),
      location: Reference.optional(),
      policy: z.array(fhirUri).optional(),
      network: z.looseObject({ address: z.string().optional(), type: z.enum(['1', '2', '3', '4', '5']).optional() }).optional(),
      purposeOfUse: z.array(CodeableConcept).optional(),
    }),
  ),
  source: z.looseObject({ site: z.string().optional(), observer: Reference, type: z.array(Coding).optional() }),
  entity: z
    .array(
      z.looseObject({
        what: Reference.optional(),
        type: Coding.optional(),
        role: Coding.optional(),
        lifecycle: Coding.optional(),
        securityLabel: z.array(Coding).optional(),
        name: z.string().optional(),
        description: z.string().optional(),
        query: fhirBase64.optional(),
        detail: z.array(z.looseObject({ type: z.string(), valueString: z.string().optional(), valueBase64Binary: fhirBase64.optional() })).optional(),
      }),
    )
    .optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const OperationOutcomeIssue = z.looseObject({
  severity: z.enum(['fatal', 'error', 'warning', 'information']),
  code: fhirCode,
  details: CodeableConcept.optional(),
  diagnostics: z.string().optional(),
  location: z.array(z.string()).optional(),
  expression: z.array(z.string()).optional(),
});
export type OperationOutcomeIssue = z.infer<typeof OperationOutcomeIssue>;

export const OperationOutcome = z.looseObject({
  resourceType: z.literal('OperationOutcome'),
  ...domainResourceBase,
  issue: oneOrMore(OperationOutcomeIssue),
});
export type OperationOutcome = z.infer<typeof OperationOutcome>;

const CapabilityResource = z.looseObject({
  type: fhirCode,
  profile: fhirUri.optional(),
  interaction: z.array(z.looseObject({ code: z.enum(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type']), documentation: z.string().optional() })).optional(),
  versioning: z.enum(['no-version', 'versioned', 'versioned-update']).optional(),
  readHistory: z.boolean().optional(),
  searchInclude: z.array(z.string()).optional(),
  searchParam: z.array(z.looseObject({ name: z.string(), definition: fhirUri.optional(), type: z.enum(['number', 'date', 'string', 'token', 'reference', 'composite', 'quantity', 'uri', 'special']), documentation: z.string().optional() })).optional(),
  operation: z.array(z.looseObject({ name: z.string(), definition: fhirUri, documentation: z.string().optional() })).optional(),
});

export const CapabilityStatement = z.looseObject({
  resourceType: z.literal('CapabilityStatement'),
  ...domainResourceBase,
  url: fhirUri.optional(),
  version: z.string().optional(),
  name: z.string().optional(),
  title: z.string().optional(),
  status: z.enum(['draft', 'active', 'retired', 'unknown']),
  date: fhirDateTime,
  publisher: z.string().optional(),
  description: z.string().optional(),
  kind: z.enum(['instance', 'capability', 'requirements']),
  software: z.looseObject({ name: z.string(), version: z.string().optional(), releaseDate: fhirDateTime.optional() }).optional(),
  implementation: z.looseObject({ description: z.string(), url: z.string().optional() }).optional(),
  fhirVersion: z.string().regex(/^\d+\.\d+\.\d+/, { error: 'expected a FHIR version such as 4.0.1' }),
  format: oneOrMore(fhirCode),
  rest: z
    .array(
      z.looseObject({
        mode: z.enum(['client', 'server']),
        documentation: z.string().optional(),
        security: z.looseObject({ cors: z.boolean().optional(), service: z.array(CodeableConcept).optional(), description: z.string().optional() }).optional(),
        resource: z.array(CapabilityResource).optional(),
        operation: z.array(z.looseObject({ name: z.string(), definition: fhirUri })).optional(),
      }),
    )
    .optional(),
});
export type CapabilityStatement = z.infer<typeof CapabilityStatement>;

export const BundleEntry = z.looseObject({
  link: z.array(z.looseObject({ relation: z.string(), url: fhirUri })).optional(),
  fullUrl: fhirUri.optional(),
  resource: z.looseObject({ resourceType: z.string({ error: 'is required (every entry resource needs a resourceType)' }) }).optional(),
  search: z.looseObject({ mode: z.enum(['match', 'include', 'outcome']).optional(), score: fhirDecimal.optional() }).optional(),
  request: z
    .looseObject({
      method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']),
      url: fhirUri,
      ifNoneMatch: z.string().optional(),
      ifModifiedSince: fhirInstant.optional(),
      ifMatch: z.string().optional(),
      ifNoneExist: z.string().optional(),
    })
    .optional(),
  response: z.looseObject({ status: z.string(), location: fhirUri.optional(), etag: z.string().optional(), lastModified: fhirInstant.optional(), outcome: z.looseObject({ resourceType: z.string() }).optional() }).optional(),
});

export const Bundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  ...resourceBase,
  identifier: Identifier.optional(),
  type: z.enum(['document', 'message', 'transaction', 'transaction-response', 'batch', 'batch-response', 'history', 'searchset', 'collection']),
  timestamp: fhirInstant.optional(),
  total: fhirUnsignedInt.optional(),
  link: z.array(z.looseObject({ relation: z.string(), url: fhirUri })).optional(),
  entry: z.array(BundleEntry).optional(),
});
export type Bundle = z.infer<typeof Bundle>;
/** One entry of a Bundle. */
export type BundleEntry = z.infer<typeof BundleEntry>;

