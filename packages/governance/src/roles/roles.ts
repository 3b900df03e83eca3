import { z } from 'zod';
import { HEADING_IDS, headingIds, isHeadingId, Sensitivity, type HeadingId, type SensitivityCode } from '@openidcr/model';

/** The kinds of organisation that take part in a locality's shared record. */
export const ORGANISATION_KINDS = [
  'gp-practice',
  'acute-trust',
  'mental-health-trust',
  'community-services',
  'local-authority',
  'community-pharmacy',
  'hospice',
  'ambulance-trust',
  'other',
] as const;

/** A kind of organisation, e.g. `gp-practice`. */
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** Plain-English names of the organisation kinds, for the ISA text and admin screens. */
export const ORGANISATION_KIND_TITLES: Record<OrganisationKind, string> = {
  'gp-practice': 'GP practice',
  'acute-trust': 'hospital (acute) trust',
  'mental-health-trust': 'mental health trust',
  'community-services': 'community health services',
  'local-authority': 'council social care',
  'community-pharmacy': 'community pharmacy',
  hospice: 'hospice',
  'ambulance-trust': 'ambulance service',
  other: 'other care organisation',
};

export const OrganisationKindSchema = z.enum(ORGANISATION_KINDS);
/** A heading id known to the registry when parsed: built in, or added with `registerHeading` from @openidcr/model. */
export const HeadingIdSchema = z.custom<HeadingId>((value) => typeof value === 'string' && isHeadingId(value), {
  error: (issue) => `unknown heading ${JSON.stringify(issue.input)}; known: ${headingIds().join(', ')}`,
});
const SENSITIVITY_CODES = Object.keys(Sensitivity) as [SensitivityCode, ...SensitivityCode[]];
export const SensitivityCodeSchema = z.enum(SENSITIVITY_CODES);

/**
 * What a role may do with a patient's record. Localities start from `DEFAULT_ROLES` and change what they need;
 * `parseRoles` checks a locality's list.
 */
export const RoleDefinitionSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'role id: lower-case letters, digits and hyphens'),
  title: z.string().min(1),
  description: z.string().min(1),
  /**
   * NHS national RBAC job role codes (the `R` part of `S8000:G8000:R8000`) that qualify a user for this role.
   * Empty together with `activityCodes` means the locality's own user directory is trusted alone.
   */
  sdsJobRoleCodes: z.array(z.string().regex(/^R\d{4}$/, 'SDS job role code like R8000')).default([]),
  /** NHS national RBAC activity codes (B0360, ...) any one of which also qualifies a user. */
  activityCodes: z.array(z.string().regex(/^B\d{4}$/, 'RBAC activity code like B0360')).default([]),
  /** The record headings this role may see (Caldicott principle 3: the minimum necessary). */
  headings: z.array(HeadingIdSchema),
  /** False for roles that never see patient data (the privacy officer sees the audit log only). */
  clinicalAccess: z.boolean(),
  /** May read the audit log and receive alerts. */
  auditAccess: z.boolean().default(false),
  /** Sensitivity labels whose items this role may see from other organisations. */
  clearedSensitivities: z.array(SensitivityCodeSchema).default([]),
  /** Highest confidentiality of another organisation's item this role may see (V is only ever seen at source). */
  maxConfidentiality: z.enum(['N', 'R']).default('N'),
  /** Caldicott principle 4: a legitimate relationship with the person is needed. */
  requiresLegitimateRelationship: z.boolean().default(true),
  /** May declare a legitimate relationship with a reason (audited, alerted, expiring). */
  mayDeclareRelationship: z.boolean().default(false),
  /** May use break-glass (emergency access with a reason, alerted). */
  mayBreakGlass: z.boolean().default(false),
});

/** A role definition after parsing (defaults filled in). */
export type RoleDefinition = z.output<typeof RoleDefinitionSchema>;
/** A role definition as a locality writes it. */
export type RoleDefinitionInput = z.input<typeof RoleDefinitionSchema>;

const allClinical: HeadingId[] = [...HEADING_IDS];

/**
 * The default role-based views (see README for the matrix and the codes checked). SDS job role codes come from the
 * national RBAC database (R8000 Clinical Practitioner, R8001 Nurse, R8002 Nurse Manager, R8003 Health Professional,
 * R8008 Admin/Clinical Support, R8009 Receptionist, R8010 Clerical, R8014 Social Worker, R1290 Pharmacist,
 * R0001 Privacy Officer).
 */
export const DEFAULT_ROLES: readonly RoleDefinition[] = (
  [
    {
      id: 'gp',
      title: 'GP',
      description: 'A general practitioner caring for the person.',
      sdsJobRoleCodes: ['R8000'],
      activityCodes: ['B0360', 'B0380'],
      headings: allClinical,
      clinicalAccess: true,
      clearedSensitivities: ['PSY', 'MH'],
      mayDeclareRelationship: true,
      mayBreakGlass: true,
    },
    {
      id: 'hospital-clinician',
      title: 'Hospital clinician',
      description: 'A doctor or other clinician in a hospital, including A&E.',
      sdsJobRoleCodes: ['R8000', 'R8003'],
      activityCodes: ['B0360', 'B0380'],
      headings: allClinical,
      clinicalAccess: true,
      mayDeclareRelationship: true,
      mayBreakGlass: true,
    },
    {
      id: 'nurse',
      title: 'Nurse',
      description: 'A registered nurse or midwife.',
      sdsJobRoleCodes: ['R8001', 'R8002', 'R8016', 'R8017'],
      activityCodes: ['B0360', 'B0380'],
      headings: allClinical,
      clinicalAccess: true,
      mayDeclareRelationship: true,
      mayBreakGlass: true,
    },
    {
      id: 'pharmacist',
      title: 'Pharmacist',
      description: 'A pharmacist reconciling or supplying medicines.',
      sdsJobRoleCodes: ['R1290', 'R8003'],
      activityCodes: ['B0570', 'B0572', 'B0401'],
      headings: ['demographics', 'medications', 'allergies', 'problems', 'results'],
      clinicalAccess: true,
    },
    {
      id: 'mental-health-clinician',
      title: 'Mental health clinician',
      description: 'A psychiatrist, mental health nurse or psychologist in a mental health service.',
      sdsJobRoleCodes: ['R8000', 'R8001', 'R8003'],
      activityCodes: ['B0360', 'B0380'],
      headings: allClinical,
      clinicalAccess: true,
      clearedSensitivities: ['PSY', 'MH', 'ETH'],
      mayDeclareRelationship: true,
      mayBreakGlass: true,
    },
    {
      id: 'social-worker',
      title: 'Social worker',
      description: 'A council social worker with an allocated case.',
      sdsJobRoleCodes: ['R8014'],
      headings: ['demographics', 'care-team', 'alerts', 'social-care', 'problems', 'allergies', 'medications', 'immunisations'],
      clinicalAccess: true,
      clearedSensitivities: ['SDV'],
    },
    {
      id: 'care-coordinator',
      title: 'Care coordinator',
      description: 'A care coordinator or case manager arranging care across services.',
      sdsJobRoleCodes: ['R8003'],
      headings: ['demographics', 'care-team', 'alerts', 'problems', 'medications', 'allergies', 'appointments', 'referrals', 'encounters', 'social-care'],
      clinicalAccess: true,
    },
    {
      id: 'administrator',
      title: 'Administrator',
      description: 'Reception, clerical and admin staff booking and arranging care.',
      sdsJobRoleCodes: ['R8008', 'R8009', 'R8010'],
      headings: ['demographics', 'care-team', 'appointments'],
      clinicalAccess: true,
    },
    {
      id: 'privacy-officer',
      title: 'Privacy officer',
      description: 'Reviews the audit log and alerts; sees no clinical data.',
      sdsJobRoleCodes: ['R0001'],
      activityCodes: ['B0015', 'B0016', 'B0018'],
      headings: [],
      clinicalAccess: false,
      auditAccess: true,
      requiresLegitimateRelationship: false,
    },
  ] satisfies RoleDefinitionInput[]
).map((role) => RoleDefinitionSchema.parse(role));

/** A user-causable configuration problem, naming the field. */
export interface ConfigIssue {
  code: string;
  path: string;
  message: string;
}

/** Parse a locality's role list: each role valid, ids unique. */
export function parseRoles(input: unknown): { ok: true; roles: RoleDefinition[] } | { ok: false; issues: ConfigIssue[] } {
  const parsed = z.array(RoleDefinitionSchema).safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, 'roles') };
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  parsed.data.forEach((role, index) => {
    if (seen.has(role.id)) issues.push({ code: 'duplicate-role', path: `roles[${index}].id`, message: `roles[${index}].id: "${role.id}" is defined twice` });
    seen.add(role.id);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, roles: parsed.data };
}

/** zod issues as ConfigIssues with a dotted path under `root`. */
export function zodIssues(error: z.ZodError, root: string): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = [root, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '');
    return { code: `invalid-${issue.code}`, path, message: `${path}: ${issue.message}` };
  });
}

/** The job role code part of an SDS role code: `S8000:G8000:R8000` → `R8000`; a bare `R8000` is returned as is. */
export function jobRoleCodeOf(sdsRoleCode: string | undefined): string | undefined {
  if (!sdsRoleCode) return undefined;
  if (sdsRoleCode.indexOf(':') < 0) return sdsRoleCode;
  const at = sdsRoleCode.indexOf(':R');
  if (at >= 0) {
    const end = sdsRoleCode.indexOf(':', at + 1);
    return sdsRoleCode.slice(at + 1, end < 0 ? undefined : end);
  }
  return sdsRoleCode.slice(sdsRoleCode.lastIndexOf(':') + 1);
}

/** True when the user's SDS role code or activity codes qualify them for the role (see `sdsJobRoleCodes`). */
export function roleQualifies(role: RoleDefinition, user: { sdsRoleCode?: string | undefined; activityCodes: readonly string[] }): boolean {
  if (role.sdsJobRoleCodes.length === 0 && role.activityCodes.length === 0) return true;
  const jobRole = jobRoleCodeOf(user.sdsRoleCode);
  if (jobRole !== undefined && role.sdsJobRoleCodes.includes(jobRole)) return true;
  for (const activity of user.activityCodes) if (role.activityCodes.includes(activity)) return true;
  return false;
}
