import { CodeSystems, isOdsCodeShape, Sensitivity, type SensitivityCode } from '@openidcr/model';
import { z } from 'zod';

/**
 * HL7 v2 coding-system names (CWE-3/6/12: HL7 table 0396 and the names UK senders use) and the FHIR system URIs
 * they mean (FHIR R4's terminology list and HL7 terminology, THO); a profile can add its own. A name not listed
 * keeps its own system under the sender (`codeSystemUri`), so a local code is never passed off as a standard one.
 */
export const DEFAULT_CODE_SYSTEMS: Readonly<Record<string, string>> = Object.freeze({
  SCT: CodeSystems.snomed,
  SNM: CodeSystems.snomed,
  SNM3: CodeSystems.snomed,
  SNOMED: CodeSystems.snomed,
  'SNOMED-CT': CodeSystems.snomed,
  SNOMEDCT: CodeSystems.snomed,
  'SNOMED CT': CodeSystems.snomed,
  LN: CodeSystems.loinc,
  LOINC: CodeSystems.loinc,
  I10: CodeSystems.icd10,
  ICD10: CodeSystems.icd10,
  'ICD-10': CodeSystems.icd10,
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  'ICD10CM': 'http://hl7.org/fhir/sid/icd-10-cm',
  I10P: 'http://www.cms.gov/Medicare/Coding/ICD10',
  I9: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  READ: CodeSystems.readV2,
  RD: CodeSystems.readV2,
  R2: CodeSystems.readV2,
  READ2: CodeSystems.readV2,
  CTV3: 'http://read.info/ctv3',
  R3: 'http://read.info/ctv3',
  UCUM: CodeSystems.ucum,
  DMD: CodeSystems.dmd,
  'NHS-DMD': CodeSystems.dmd,
  CVX: 'http://hl7.org/fhir/sid/cvx',
  MVX: 'http://hl7.org/fhir/sid/mvx',
  NDC: 'http://hl7.org/fhir/sid/ndc',
  NCIT: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl',
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  RXN: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  C4: 'http://www.ama-assn.org/go/cpt',
  CPT4: 'http://www.ama-assn.org/go/cpt',
  ISO3166: 'urn:iso:std:iso:3166',
  OPCS4: 'https://fhir.hl7.org.uk/Id/opcs-4',
  'OPCS-4': 'https://fhir.hl7.org.uk/Id/opcs-4',
});

const sensitivityCodes = Object.keys(Sensitivity) as [SensitivityCode, ...SensitivityCode[]];

/** What kind of organisation sends the feed: decides defaults such as how PV1 visits are read. */
export const SourceKind = z.enum(['gp', 'acute', 'mental-health', 'community', 'lims', 'social-care', 'other']);
export type SourceKind = z.infer<typeof SourceKind>;

/**
 * A per-sender configuration. Everything a locality must know about one feed to map it faithfully: who it is (ODS
 * code), how it identifies people (which PID-3 repetition is the NHS number, which assigning authority issues its
 * local numbers), what its coding-system names mean, and its quirks.
 */
export const SourceProfile = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected lower-case letters, digits and dashes' }),
  name: z.string().min(1),
  kind: SourceKind,
  /** The sender's ODS code, written into meta.source. Omit to take MSH-4 when it has the shape of an ODS code. */
  odsCode: z
    .string()
    .refine(isOdsCodeShape, { error: 'expected an ODS code: 3 to 6 upper-case letters and digits' })
    .optional(),
  /** Only accept messages whose MSH-3 / MSH-4 match (when set). */
  sendingApplication: z.string().optional(),
  sendingFacility: z.string().optional(),
  identifiers: z
    .strictObject({
      /** PID-3 assigning authorities (CX-4.1 or CX-4.2) whose values are NHS numbers. */
      nhsNumberAuthorities: z.array(z.string()).default(['NHS', 'NHSNMBR', 'NHS NUMBER', '2.16.840.1.113883.2.1.4.1']),
      /** PID-3 identifier type codes (CX-5) that mark an NHS number. */
      nhsNumberTypes: z.array(z.string()).default(['NH', 'NHS', 'NHSNMBR']),
      /** Also look for the NHS number in PID-2 (older v2.3 feeds put it there). */
      nhsNumberInPid2: z.boolean().default(true),
      /** Assigning authority for local ids that carry none in CX-4 (default: the ODS code). */
      localAuthority: z.string().optional(),
    })
    .prefault({}),
  /** Extra or overriding HL7 coding-system names → FHIR system URIs. */
  codeSystems: z.record(z.string(), z.url()).default({}),
  /** IANA time zone for timestamps sent without an offset. */
  timeZone: z.string().default('Europe/London'),
  /** Sensitivity labels every clinical item from this sender carries (on top of those its codes earn). */
  sensitivity: z.array(z.enum(sensitivityCodes)).default([]),
  /** Message types with no FHIR mapping: log and acknowledge (`accept`) or answer AR (`reject`). */
  unmappedMessages: z.enum(['accept', 'reject']).default('accept'),
  /** Processing ids (MSH-11) this channel takes; others get AR. */
  processingIds: z.array(z.string()).default(['P', 'T', 'D']),
  quirks: z
    .strictObject({
      /** PID-8 sent as NHS data dictionary digits (1 male, 2 female, 9 not specified, 0 not known). */
      numericSex: z.boolean().default(true),
      /** PV1 visits are social care involvements (EpisodeOfCare tagged social-care), not hospital encounters. */
      visitsAreEpisodes: z.boolean().default(false),
    })
    .prefault({}),
});
export type SourceProfile = z.infer<typeof SourceProfile>;
export type SourceProfileInput = z.input<typeof SourceProfile>;

export type ProfileResult = { ok: true; profile: SourceProfile } | { ok: false; issues: { path: string; message: string }[] };

/** Validates a profile written by a locality; issues name the field (`identifiers.localAuthority: ...`). */
export function defineSourceProfile(input: unknown): ProfileResult {
  const parsed = SourceProfile.safeParse(input);
  if (parsed.success) return { ok: true, profile: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(profile)', message: i.message })),
  };
}

/** Like `defineSourceProfile` but throws with every issue listed; for shipped and test profiles. */
export function sourceProfile(input: SourceProfileInput): SourceProfile {
  const r = defineSourceProfile(input);
  if (!r.ok) throw new Error(`Invalid source profile: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return r.profile;
}

/** The FHIR system for an HL7 coding-system name, or a local system scoped to the sender when unknown. */
export function codeSystemUri(profile: SourceProfile, name: string, ods: string): string | undefined {
  if (!name) return undefined;
  const key = name.trim();
  const found = profile.codeSystems[key] ?? DEFAULT_CODE_SYSTEMS[key.toUpperCase()];
  if (found) return found;
  if (/^(https?|urn):/.test(key)) return key;
  const table = /^HL7(\d{4})$/i.exec(key);
  if (table) return `http://terminology.hl7.org/CodeSystem/v2-${table[1]}`;
  return localCodeSystem(ods, key);
}

/** The system of a sender's own code list: `https://openidcr.org/CodeSystem/local/<ODS>/<name>`. */
export function localCodeSystem(ods: string, name: string): string {
  return `https://openidcr.org/CodeSystem/local/${encodeURIComponent(ods)}/${encodeURIComponent(name)}`;
}
