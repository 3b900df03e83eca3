import { z } from 'zod';

/** The areas a requirement belongs to: the six open offers plus the cross-cutting qualities. */
export const CATEGORIES = ['requirements', 'governance', 'citizen', 'viewer', 'integration', 'architecture', 'security', 'performance'] as const;
export type Category = (typeof CATEGORIES)[number];

/** MoSCoW priority. */
export const PRIORITIES = ['must', 'should', 'could', 'wont'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A requirement id: `REQ-<AREA>-<three digits>`, e.g. `REQ-GOV-007`. Localities use their own area code. */
export const REQUIREMENT_ID = /^REQ-[A-Z]{2,6}-\d{3}$/;

/**
 * A condition on a locality's configuration, addressed by a dot path (`consent.model`, `topology.kind`).
 * `exists` checks presence, `equals`/`in` the value, `nonEmpty` an array or string with content.
 */
export const ConfigConditionSchema = z
  .strictObject({
    path: z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, { error: 'expected a dot path such as consent.model' }),
    exists: z.boolean().optional(),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
    nonEmpty: z.boolean().optional(),
    /** Plain English, shown in the conformance report when the condition does not hold. */
    explain: z.string().min(1),
  })
  .refine((c) => [c.exists, c.equals, c.in, c.nonEmpty].filter((x) => x !== undefined).length === 1, {
    error: 'give exactly one of exists, equals, in, nonEmpty',
  });
export type ConfigCondition = z.infer<typeof ConfigConditionSchema>;

export const RequirementSchema = z.strictObject({
  id: z.string().regex(REQUIREMENT_ID, { error: 'expected an id such as REQ-GOV-007' }),
  title: z.string().min(3).max(120),
  statement: z.string().min(10),
  /** Why, with the real-world evidence behind it. */
  rationale: z.string().min(10),
  category: z.enum(CATEGORIES),
  priority: z.enum(PRIORITIES),
  acceptance: z.array(z.string().min(5)).min(1, { error: 'needs at least one acceptance criterion' }),
  /** The requirement applies only to localities whose configuration meets all of these (otherwise it is turned off). */
  appliesWhen: z.array(ConfigConditionSchema).default([]),
  /** What the configuration must provide for the requirement to be met (otherwise it is a gap). */
  needs: z.array(ConfigConditionSchema).default([]),
});
export type Requirement = z.infer<typeof RequirementSchema>;
export type RequirementInput = z.input<typeof RequirementSchema>;

/** A locality's own requirements file: new requirements, overrides of catalogue entries, and removals. */
export const RequirementsExtensionSchema = z.strictObject({
  /** New requirements; their ids must not already be in the catalogue. */
  add: z.array(RequirementSchema).default([]),
  /** Partial changes to catalogue requirements, by id (e.g. raise a Should to a Must). */
  override: z
    .array(RequirementSchema.partial().extend({ id: z.string().regex(REQUIREMENT_ID, { error: 'expected an id such as REQ-GOV-007' }) }))
    .default([]),
  /** Catalogue requirements this locality does not adopt, with the reason recorded in the report. */
  remove: z.array(z.strictObject({ id: z.string().regex(REQUIREMENT_ID), reason: z.string().min(5) })).default([]),
});
export type RequirementsExtension = z.infer<typeof RequirementsExtensionSchema>;

/** A problem with a catalogue or extension, naming the place. */
export interface CatalogueIssue {
  path: string;
  message: string;
}

export function formatZodIssues(prefix: string, error: z.ZodError): CatalogueIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, ''),
    message: issue.message,
  }));
}
