import { z } from 'zod';
import { isOdsCodeShape, PurposeOfUse, type PurposeOfUseCode } from '@openidcr/model';
import { HeadingIdSchema, OrganisationKindSchema, zodIssues, type ConfigIssue } from '../roles/roles.js';

const PURPOSE_CODES = Object.keys(PurposeOfUse) as [PurposeOfUseCode, ...PurposeOfUseCode[]];
export const PurposeOfUseCodeSchema = z.enum(PURPOSE_CODES);

export const OdsCodeSchema = z.string().refine(isOdsCodeShape, 'ODS code: 3 to 6 upper-case letters and digits');
const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });
const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id: lower-case letters, digits and hyphens');

export const PersonSchema = z.object({ name: z.string().min(1), jobTitle: z.string().min(1), email: z.string().optional() });

/** One organisation that is party to the agreement. */
export const IsaPartySchema = z.object({
  ods: OdsCodeSchema,
  name: z.string().min(1),
  kind: OrganisationKindSchema,
  /** Its role under UK GDPR for the shared record. */
  controllerRole: z.enum(['controller', 'joint-controller', 'processor']),
  signatory: PersonSchema.extend({ signedOn: isoDate.optional() }).optional(),
  caldicottGuardian: PersonSchema.optional(),
  dataProtectionOfficer: PersonSchema.optional(),
  /** proposed → signed → active; suspended stops all flows from and to it. */
  status: z.enum(['proposed', 'signed', 'active', 'suspended', 'withdrawn']),
  /** When the organisation switched sharing on in its own system (practice activation), and who did it. */
  activation: z.object({ at: isoDateTime, by: z.string().min(1) }).optional(),
});

/** Why data is shared. Direct care is the usual purpose; indirect purposes need National Data Opt-out handling. */
export const IsaPurposeSchema = z.object({
  id,
  title: z.string().min(1),
  description: z.string().min(1),
  direct: z.boolean(),
  purposesOfUse: z.array(PurposeOfUseCodeSchema).min(1),
  /** How people's objections are honoured: a local objection for direct care; the National Data Opt-out otherwise. */
  optOut: z.enum(['local-objection', 'national-data-opt-out', 'none']),
});

export const LEGAL_BASIS_KINDS = [
  'uk-gdpr-6-1-e',
  'uk-gdpr-9-2-h',
  'cldc-implied-consent',
  'hsca-2012-s251b',
  'uk-gdpr-6-1-c',
  'uk-gdpr-9-2-g',
  'other',
] as const;

export const IsaLegalBasisSchema = z.object({
  id,
  kind: z.enum(LEGAL_BASIS_KINDS),
  /** Required for `other`; otherwise overrides the standard plain-English wording. */
  description: z.string().optional(),
});

/** A recipient group: organisation kinds, optionally narrowed to role ids. */
export const IsaRecipientSchema = z.object({
  organisationKinds: z.array(OrganisationKindSchema).min(1),
  roles: z.array(z.string().min(1)).optional(),
});

/** Which parties share which headings with whom, for which purposes, on which legal bases. */
export const IsaSharingRuleSchema = z.object({
  id,
  from: z.array(OdsCodeSchema).min(1),
  headings: z.array(HeadingIdSchema).min(1),
  to: z.array(IsaRecipientSchema),
  purposes: z.array(z.string().min(1)).min(1),
  legalBases: z.array(z.string()),
});

export const ConsentModelConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('implied-opt-out') }),
  z.object({
    kind: z.literal('explicit-share'),
    /** When true, an item from another organisation is shown only if flagged share-out at recording. */
    itemShareOutRequired: z.boolean().default(false),
  }),
  z.object({ kind: z.literal('practice-activation') }),
  z.object({
    kind: z.literal('consent-to-view'),
    /** Longest a consent-to-view answer lasts, in minutes (one consultation by default). */
    maxMinutes: z.number().int().positive().default(480),
  }),
]);
export type ConsentModelConfig = z.output<typeof ConsentModelConfigSchema>;

/** An Information Sharing Agreement as data: what the partners sign and what the policy point enforces. */
export const IsaSchema = z.object({
  id,
  version: z.string().min(1),
  title: z.string().min(1),
  locality: z.string().min(1),
  status: z.enum(['draft', 'signed', 'active', 'suspended', 'terminated']),
  validFrom: isoDate,
  validTo: isoDate.optional(),
  reviewDate: isoDate,
  parties: z.array(IsaPartySchema).min(1),
  purposes: z.array(IsaPurposeSchema).min(1),
  /** Uses the agreement does not cover, said plainly (e.g. research, commissioning, insurance). */
  notCovered: z.array(z.string().min(1)).default([]),
  legalBases: z.array(IsaLegalBasisSchema),
  sharing: z.array(IsaSharingRuleSchema),
  consentModel: ConsentModelConfigSchema,
  optOut: z.object({
    howToObject: z.string().min(1),
    contact: z.string().min(1),
  }),
  retention: z.object({
    /** Years the access log is kept (EHDS Art 9(2) asks for at least 3). */
    auditLogYears: z.number().int().positive(),
    sharedRecord: z.string().min(1),
  }),
  security: z.object({ measures: z.array(z.string().min(1)) }),
  rights: z.object({ subjectAccess: z.string().min(1), complaints: z.string().min(1) }),
  breachNotificationHours: z.number().int().positive(),
  fairProcessing: z.object({ url: z.url(), commitments: z.array(z.string().min(1)) }),
  dpiaRef: z.string().optional(),
  termination: z.string().min(1),
});

export type Isa = z.output<typeof IsaSchema>;
export type IsaInput = z.input<typeof IsaSchema>;
export type IsaParty = z.output<typeof IsaPartySchema>;
export type IsaPurpose = z.output<typeof IsaPurposeSchema>;
export type IsaSharingRule = z.output<typeof IsaSharingRuleSchema>;
export type IsaLegalBasis = z.output<typeof IsaLegalBasisSchema>;

/** Parse an ISA document (e.g. from JSON) into a checked `Isa`, or issues naming each bad field. */
export function parseIsa(input: unknown): { ok: true; isa: Isa } | { ok: false; issues: ConfigIssue[] } {
  const parsed = IsaSchema.safeParse(input);
  return parsed.success ? { ok: true, isa: parsed.data } : { ok: false, issues: zodIssues(parsed.error, 'isa') };
}
