import { z } from 'zod';
import { OrganisationKindSchema } from '../roles/roles.js';
import { OdsCodeSchema } from '../isa/schema.js';

/**
 * The user as the policy enforcement point builds it from a bearer token (e.g. CIS2 `nhsid_nrbac_roles`: the selected
 * role's `org_code`, `role_code` and `activity_codes`) and the locality's directory. Parse at the boundary, then pass
 * the result to `decide`.
 */
export const DecisionUserSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  roleId: z.string().min(1),
  sdsRoleCode: z.string().regex(/^(?:[SGR]\d{4}:){0,2}R\d{4}$/, 'SDS role code like S8000:G8000:R8000 or R8000').optional(),
  organisation: z.object({ ods: OdsCodeSchema, kind: OrganisationKindSchema }),
  activityCodes: z.array(z.string().regex(/^B\d{4}$/, 'RBAC activity code like B0360')).default([]),
});

/** The person the request is about, as the record store or PDS knows them. */
export const DecisionPatientSchema = z.object({
  personId: z.string().min(1),
  registeredGpOds: OdsCodeSchema.optional(),
  sealed: z.boolean().optional(),
  restricted: z.boolean().optional(),
  nationalDataOptOut: z.boolean().optional(),
});
