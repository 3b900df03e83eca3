import * as z from 'zod/mini';
import type { Bundle, OperationOutcome } from '@openidcr/model';

/**
 * The least the viewer needs from a server's answer, checked at the boundary. Deliberately loose: any FHIR R4
 * server's Bundle passes, extra elements are kept, and each resource is only required to name its type. Headings
 * read resources defensively, so one odd resource never blanks a record.
 */
const LooseResource = z.looseObject({ resourceType: z.string() });

const Link = z.looseObject({ relation: z.string(), url: z.string() });

export const BundleEnvelope = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.string(),
  total: z.optional(z.number()),
  link: z.optional(z.array(Link)),
  entry: z.optional(
    z.array(
      z.looseObject({
        fullUrl: z.optional(z.string()),
        resource: z.optional(LooseResource),
        search: z.optional(z.looseObject({ mode: z.optional(z.string()) })),
      }),
    ),
  ),
});

export const OutcomeEnvelope = z.looseObject({
  resourceType: z.literal('OperationOutcome'),
  issue: z.array(
    z.looseObject({
      severity: z.enum(['fatal', 'error', 'warning', 'information']),
      code: z.string(),
      diagnostics: z.optional(z.string()),
      details: z.optional(
        z.looseObject({
          text: z.optional(z.string()),
          coding: z.optional(z.array(z.looseObject({ system: z.optional(z.string()), code: z.optional(z.string()), display: z.optional(z.string()) }))),
        }),
      ),
    }),
  ),
});

export const ResourceEnvelope = LooseResource;

/** Where the answer did not look like FHIR: the first problem, named by its path. */
export function describeProblem(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected response';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${path ? path.replace(/^\./, '') + ': ' : ''}${issue.message}`;
}

export function asBundle(json: unknown): { ok: true; bundle: Bundle } | { ok: false; message: string } {
  const parsed = z.safeParse(BundleEnvelope, json);
  return parsed.success ? { ok: true, bundle: parsed.data as unknown as Bundle } : { ok: false, message: `Bundle.${describeProblem(parsed.error)}` };
}

export function asOutcome(json: unknown): OperationOutcome | undefined {
  const parsed = z.safeParse(OutcomeEnvelope, json);
  return parsed.success ? (parsed.data as unknown as OperationOutcome) : undefined;
}
