import { headingOf, type Bundle, type HeadingId, type OperationOutcome, type Resource } from '@openidcr/model';
import { isUnansweredSourceIssue, isWithheldIssue, unansweredFrom, withheldFrom, type UnansweredSource, type WithheldNotice } from './outcome.js';

/** A resource as the viewer reads it: any FHIR R4 resource, typed where the model knows it. */
export type AnyResource = Resource | { resourceType: string; id?: string; meta?: Resource['meta']; [key: string]: unknown };

/** What one or more search or `$everything` Bundles hold, read once and shared by every heading. */
export interface RecordContent {
  /** Record content (not outcome entries), in Bundle order. */
  resources: AnyResource[];
  /** Every resource by `Type/id` and by `fullUrl`, to resolve references (organisations, practitioners). */
  byReference: ReadonlyMap<string, AnyResource>;
  withheld: WithheldNotice[];
  unanswered: UnansweredSource[];
  /** Other warnings from outcome entries, in plain words. */
  warnings: string[];
}

/** The record content of Bundles; outcome entries (search.mode `outcome`, or an OperationOutcome entry) become notices. */
export function readRecordBundles(bundles: readonly (Bundle | undefined)[]): RecordContent {
  const resources: AnyResource[] = [];
  const byReference = new Map<string, AnyResource>();
  const withheld: WithheldNotice[] = [];
  const unanswered: UnansweredSource[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const bundle of bundles) {
    for (const entry of bundle?.entry ?? []) {
      const resource = entry.resource as AnyResource | undefined;
      if (!resource) continue;
      if (resource.resourceType === 'OperationOutcome' || entry.search?.mode === 'outcome') {
        if (resource.resourceType !== 'OperationOutcome') continue;
        for (const issue of (resource as OperationOutcome).issue ?? []) {
          if (isWithheldIssue(issue)) withheld.push(withheldFrom(issue));
          else if (isUnansweredSourceIssue(issue)) unanswered.push(unansweredFrom(issue));
          else if (issue.severity !== 'information') {
            const text = issue.details?.text ?? issue.diagnostics;
            if (text) warnings.push(text);
          }
        }
        continue;
      }
      const key = resource.id ? `${resource.resourceType}/${resource.id}` : undefined;
      if (key && seen.has(key)) continue;
      if (key) {
        seen.add(key);
        byReference.set(key, resource);
      }
      if (entry.fullUrl) byReference.set(entry.fullUrl, resource);
      resources.push(resource);
    }
  }
  return { resources, byReference, withheld, unanswered, warnings };
}

/** The record content of one Bundle. */
export function readRecordBundle(bundle: Bundle | undefined): RecordContent {
  return readRecordBundles([bundle]);
}

/** The resources of one heading. */
export function resourcesOfHeading<T = AnyResource>(content: RecordContent, heading: HeadingId): T[] {
  return content.resources.filter((r) => headingOf(r) === heading) as T[];
}

/** Resolves a reference (`Organization/x`, an absolute URL ending in it, or a fullUrl) to a resource in the record. */
export function resolveReference(content: Pick<RecordContent, 'byReference'>, reference: string | undefined): AnyResource | undefined {
  if (!reference) return undefined;
  const direct = content.byReference.get(reference);
  if (direct) return direct;
  const match = /([A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return match ? content.byReference.get(match[1]!) : undefined;
}
