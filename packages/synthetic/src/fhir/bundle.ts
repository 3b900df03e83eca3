import type { SyntheticLocality } from '../locality/locality.js';
import type { SyntheticPatientRecord } from '../population/population.js';
import type { FhirResource } from './resources.js';

/** A FHIR R4 Bundle as the generator writes it. */
export interface FhirBundle {
  resourceType: 'Bundle';
  id: string;
  type: 'transaction' | 'collection';
  timestamp?: string;
  entry: Array<{ resource: FhirResource | Record<string, unknown>; request?: { method: 'PUT'; url: string } }>;
}

/**
 * A person's resources as one Bundle. `transaction` (the default) carries a conditional-free `PUT Type/id` per
 * entry, so loading it twice into any FHIR R4 server leaves one copy; `collection` is the bare set.
 */
export function toFhirBundle(record: SyntheticPatientRecord, type: 'transaction' | 'collection' = 'transaction'): FhirBundle {
  return {
    resourceType: 'Bundle',
    id: `bundle-${record.patient.id}`,
    type,
    entry: record.resources.map((resource) =>
      type === 'transaction' ? { resource, request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` } } : { resource },
    ),
  };
}

/** The locality's Organizations and Practitioners as one Bundle, to load before the patients that refer to them. */
export function toLocalityBundle(locality: SyntheticLocality, type: 'transaction' | 'collection' = 'transaction'): FhirBundle {
  const resources: Array<{ resourceType: string; id: string }> = [
    ...locality.organisations.map((org) => org.resource),
    ...locality.users.map((user) => user.practitioner),
  ];
  return {
    resourceType: 'Bundle',
    id: `bundle-locality-${locality.seed}`,
    type,
    entry: resources.map((resource) =>
      type === 'transaction' ? { resource: { ...resource }, request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` } } : { resource: { ...resource } },
    ),
  };
}
