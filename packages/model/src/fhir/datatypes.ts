import { z } from 'zod';

/**
 * FHIR R4 primitive and complex data types, as zod schemas.
 * Objects are "loose": elements this model does not name (extensions, newer elements, vendor additions) are kept as
 * they came, so a record passes through OpenIDCR without losing anything.
 */

export const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, { error: 'expected a FHIR id (1-64 of A-Z a-z 0-9 - .)' });
export const fhirUri = z.string().min(1, { error: 'expected a non-empty URI' }).regex(/^\S*$/, { error: 'expected a URI without whitespace' });
export const fhirCode = z.string().regex(/^[^\s]+( [^\s]+)*$/, { error: 'expected a FHIR code (no leading, trailing or double spaces)' });
export const fhirDate = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, { error: 'expected YYYY-MM-DD (or YYYY-MM, YYYY)' });
export const fhirDateTime = z
  .string()
  .regex(
    /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/,
    { error: 'expected a FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm)' },
  );
export const fhirInstant = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/, {
    error: 'expected a FHIR instant: YYYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm)',
  });
export const fhirTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?$/, { error: 'expected hh:mm:ss' });
export const fhirString = z.string().min(1, { error: 'must not be empty (omit the element instead)' });
export const fhirMarkdown = fhirString;
export const fhirBase64 = z.string().regex(/^[A-Za-z0-9+/\s]*={0,2}\s*$/, { error: 'expected base64 content' });
export const fhirDecimal = z.number().finite();
export const fhirInteger = z.number().int({ error: 'expected an integer' });
export const fhirPositiveInt = z.number().int().min(1, { error: 'expected an integer of 1 or more' });
export const fhirUnsignedInt = z.number().int().min(0, { error: 'expected an integer of 0 or more' });

export const Extension: z.ZodType<{ url: string; [key: string]: unknown }> = z.looseObject({
  url: fhirUri,
});
export type Extension = z.infer<typeof Extension>;

const element = {
  id: z.string().optional(),
  extension: z.array(Extension).optional(),
};

export const Coding = z.looseObject({
  ...element,
  system: fhirUri.optional(),
  version: z.string().optional(),
  code: fhirCode.optional(),
  display: z.string().optional(),
  userSelected: z.boolean().optional(),
});
export type Coding = z.infer<typeof Coding>;

export const CodeableConcept = z.looseObject({
  ...element,
  coding: z.array(Coding).optional(),
  text: z.string().optional(),
});
export type CodeableConcept = z.infer<typeof CodeableConcept>;

export const Period = z.looseObject({
  ...element,
  start: fhirDateTime.optional(),
  end: fhirDateTime.optional(),
});
export type Period = z.infer<typeof Period>;

export const Quantity = z.looseObject({
  ...element,
  value: fhirDecimal.optional(),
  comparator: z.enum(['<', '<=', '>=', '>']).optional(),
  unit: z.string().optional(),
  system: fhirUri.optional(),
  code: fhirCode.optional(),
});
export type Quantity = z.infer<typeof Quantity>;

export const Range = z.looseObject({ ...element, low: Quantity.optional(), high: Quantity.optional() });
export type Range = z.infer<typeof Range>;

export const Ratio = z.looseObject({ ...element, numerator: Quantity.optional(), denominator: Quantity.optional() });
export type Ratio = z.infer<typeof Ratio>;

const referenceFields = {
  ...element,
  reference: z.string().optional(),
  type: fhirUri.optional(),
  display: z.string().optional(),
};

// An Identifier's assigner is a Reference whose own identifier is not followed further, which breaks the
// Identifier -> Reference -> Identifier cycle of the specification without losing data (objects are loose).
const AssignerReference = z.looseObject({ ...referenceFields, identifier: z.looseObject({}).optional() });

export const Identifier = z.looseObject({
  ...element,
  use: z.enum(['usual', 'official', 'temp', 'secondary', 'old']).optional(),
  type: CodeableConcept.optional(),
  system: fhirUri.optional(),
  value: z.string().optional(),
  period: Period.optional(),
  assigner: AssignerReference.optional(),
});
export type Identifier = z.infer<typeof Identifier>;

export const Reference = z.looseObject({ ...referenceFields, identifier: Identifier.optional() });
export type Reference = z.infer<typeof Reference>;

export const HumanName = z.looseObject({
  ...element,
  use: z.enum(['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden']).optional(),
  text: z.string().optional(),
  family: z.string().optional(),
  given: z.array(z.string()).optional(),
  prefix: z.array(z.string()).optional(),
  suffix: z.array(z.string()).optional(),
  period: Period.optional(),
});
export type HumanName = z.infer<typeof HumanName>;

export const Address = z.looseObject({
  ...element,
  use: z.enum(['home', 'work', 'temp', 'old', 'billing']).optional(),
  type: z.enum(['postal', 'physical', 'both']).optional(),
  text: z.string().optional(),
  line: z.array(z.string()).optional(),
  city: z.string().optional(),
  district: z.string().optional(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
  period: Period.optional(),
});
export type Address = z.infer<typeof Address>;

export const ContactPoint = z.looseObject({
  ...element,
  system: z.enum(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']).optional(),
  value: z.string().optional(),
  use: z.enum(['home', 'work', 'temp', 'old', 'mobile']).optional(),
  rank: fhirPositiveInt.optional(),
  period: Period.optional(),
});
export type ContactPoint = z.infer<typeof ContactPoint>;

export const Attachment = z.looseObject({
  ...element,
  contentType: fhirCode.optional(),
  language: fhirCode.optional(),
  data: fhirBase64.optional(),
  url: z.string().optional(),
  size: fhirUnsignedInt.optional(),
  hash: fhirBase64.optional(),
  title: z.string().optional(),
  creation: fhirDateTime.optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Annotation = z.looseObject({
  ...element,
  authorReference: Reference.optional(),
  authorString: z.string().optional(),
  time: fhirDateTime.optional(),
  text: z.string({ error: 'is required' }),
});
export type Annotation = z.infer<typeof Annotation>;

export const Narrative = z.looseObject({
  ...element,
  status: z.enum(['generated', 'extensions', 'additional', 'empty']),
  div: z.string().regex(/^\s*<div[\s>]/, { error: 'expected an XHTML <div>' }),
});
export type Narrative = z.infer<typeof Narrative>;

export const Meta = z.looseObject({
  ...element,
  versionId: fhirId.optional(),
  lastUpdated: fhirInstant.optional(),
  source: fhirUri.optional(),
  profile: z.array(fhirUri).optional(),
  security: z.array(Coding).optional(),
  tag: z.array(Coding).optional(),
});
export type Meta = z.infer<typeof Meta>;

export const Timing = z.looseObject({
  ...element,
  event: z.array(fhirDateTime).optional(),
  repeat: z.looseObject({}).optional(),
  code: CodeableConcept.optional(),
});
export type Timing = z.infer<typeof Timing>;

export const Dosage = z.looseObject({
  ...element,
  sequence: fhirInteger.optional(),
  text: z.string().optional(),
  patientInstruction: z.string().optional(),
  timing: Timing.optional(),
  asNeededBoolean: z.boolean().optional(),
  asNeededCodeableConcept: CodeableConcept.optional(),
  route: CodeableConcept.optional(),
  method: CodeableConcept.optional(),
  doseAndRate: z
    .array(
      z.looseObject({
        type: CodeableConcept.optional(),
        doseQuantity: Quantity.optional(),
        doseRange: Range.optional(),
        rateQuantity: Quantity.optional(),
      }),
    )
    .optional(),
});
export type Dosage = z.infer<typeof Dosage>;

/** Fields every resource has. */
export const resourceBase = {
  id: fhirId.optional(),
  meta: Meta.optional(),
  implicitRules: fhirUri.optional(),
  language: fhirCode.optional(),
};

/** Fields every domain resource has (narrative, contained, extensions). */
export const domainResourceBase = {
  ...resourceBase,
  text: Narrative.optional(),
  contained: z.array(z.looseObject({ resourceType: z.string() })).optional(),
  extension: z.array(Extension).optional(),
  modifierExtension: z.array(Extension).optional(),
};
