import type { Reference } from '@openidcr/model';
import { formatProfessionalName } from '../format/clinical.js';
import { resolveReference, type AnyResource, type RecordContent } from './record-bundle.js';

/** Where an item came from, as a person reads it. */
export interface SourceLabel {
  /** A stable key to group by: the Organization reference, or the raw `meta.source`. */
  key: string;
  name: string;
}

type Lookup = Pick<RecordContent, 'byReference' | 'resources'>;

/** The display name of a referenced Organization, Practitioner or PractitionerRole, or the reference's display. */
export function referenceName(content: Pick<RecordContent, 'byReference'>, ref: Reference | undefined): string | undefined {
  if (!ref) return undefined;
  // A logical reference by ODS code (as HL7 v2 feeds give) resolves to an Organization whose id is that code.
  const logical = !ref.reference && ref.identifier?.value ? `Organization/${ref.identifier.value}` : undefined;
  const target = resolveReference(content, ref.reference ?? logical) as (AnyResource & Record<string, unknown>) | undefined;
  if (['Organization', 'Location', 'HealthcareService'].includes(target?.resourceType ?? '') && typeof target?.['name'] === 'string') return target['name'];
  if (target?.resourceType === 'Practitioner') {
    const name = formatProfessionalName(target['name'] as never);
    if (name) return name;
  }
  if (target?.resourceType === 'PractitionerRole') {
    const practitioner = referenceName(content, target['practitioner'] as Reference | undefined);
    if (practitioner) return practitioner;
  }
  return ref.display?.trim() || ref.identifier?.value || undefined;
}

function organisationByCode(content: Lookup, code: string): (AnyResource & { name?: string }) | undefined {
  return content.resources.find(
    (r) => r.resourceType === 'Organization' && ((r as { identifier?: { value?: string }[] }).identifier ?? []).some((i) => i.value === code),
  ) as (AnyResource & { name?: string }) | undefined;
}

const ORG_FIELDS = ['performer', 'recorder', 'asserter', 'author', 'custodian', 'serviceProvider', 'managingOrganization', 'informationSource', 'requester'];

/**
 * The source organisation of an item. `meta.source` first (an Organization reference, a URL ending in one, or a URI
 * ending in an ODS code of an Organization in the record), then the organisation fields the resource has.
 */
export function sourceOf(content: Lookup, resource: AnyResource): SourceLabel | undefined {
  const metaSource = resource.meta?.source;
  if (metaSource) {
    const org = resolveReference(content, metaSource) as (AnyResource & { name?: string }) | undefined;
    if (org?.resourceType === 'Organization') return { key: `Organization/${org.id}`, name: org.name ?? metaSource };
    // A URI naming the organisation by code: `urn:ods:RXX`, `...ods-organization-code|RXX`, or with the sending
    // system after it (`urn:ods:F16021:GPSYSTEM-A`): try each segment from the end.
    const segments = metaSource.split(/[/:#|]/).filter(Boolean).reverse();
    for (const code of segments) {
      const byCode = organisationByCode(content, code);
      if (byCode?.name) return { key: `Organization/${byCode.id}`, name: byCode.name };
    }
  }
  const record = resource as Record<string, unknown>;
  for (const field of ORG_FIELDS) {
    const value = record[field];
    for (const ref of (Array.isArray(value) ? value : [value]) as (Reference | undefined)[]) {
      if (!ref || typeof ref !== 'object') continue;
      const target = resolveReference(content, ref.reference) as (AnyResource & { name?: string }) | undefined;
      if (target?.resourceType === 'Organization') return { key: `Organization/${target.id}`, name: target.name ?? ref.display ?? 'Organisation' };
      if (ref.type === 'Organization' && ref.display) return { key: ref.reference ?? ref.display, name: ref.display };
    }
  }
  if (metaSource) return { key: metaSource, name: metaSource };
  return undefined;
}

/** Each source organisation of the record with how many items it gave. */
export interface SourceSummary {
  key: string;
  name: string;
  items: number;
}

/** The sources that answered, most items first. Organisations and practitioners themselves are not counted. */
export function summariseSources(content: Lookup): SourceSummary[] {
  const counts = new Map<string, SourceSummary>();
  for (const resource of content.resources) {
    if (['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Medication', 'Provenance', 'Patient'].includes(resource.resourceType)) continue;
    const source = sourceOf(content, resource);
    if (!source) continue;
    const entry = counts.get(source.key) ?? { key: source.key, name: source.name, items: 0 };
    entry.items += 1;
    counts.set(source.key, entry);
  }
  return [...counts.values()].sort((a, b) => b.items - a.items || a.name.localeCompare(b.name));
}
