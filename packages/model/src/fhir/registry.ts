import type { z } from 'zod';
import * as R from './resources.js';

/** The schema of every resource type the model knows, by `resourceType`. */
export const ResourceSchemas = {
  Patient: R.Patient,
  Practitioner: R.Practitioner,
  PractitionerRole: R.PractitionerRole,
  Organization: R.Organization,
  Location: R.Location,
  Encounter: R.Encounter,
  EpisodeOfCare: R.EpisodeOfCare,
  Condition: R.Condition,
  AllergyIntolerance: R.AllergyIntolerance,
  MedicationStatement: R.MedicationStatement,
  MedicationRequest: R.MedicationRequest,
  Observation: R.Observation,
  DiagnosticReport: R.DiagnosticReport,
  DocumentReference: R.DocumentReference,
  ServiceRequest: R.ServiceRequest,
  Appointment: R.Appointment,
  Immunization: R.Immunization,
  CareTeam: R.CareTeam,
  Flag: R.Flag,
  Consent: R.Consent,
  Provenance: R.Provenance,
  AuditEvent: R.AuditEvent,
  Bundle: R.Bundle,
  OperationOutcome: R.OperationOutcome,
  CapabilityStatement: R.CapabilityStatement,
} as const;

/** A resource type the model knows. */
export type ResourceType = keyof typeof ResourceSchemas;

/** The resource types the model knows, in a stable order. */
export const RESOURCE_TYPES = Object.keys(ResourceSchemas) as ResourceType[];

/** Any resource the model knows, discriminated on `resourceType`. */
export type Resource = { [K in ResourceType]: z.infer<(typeof ResourceSchemas)[K]> }[ResourceType];

/** The resource of a given type. */
export type ResourceOf<K extends ResourceType> = z.infer<(typeof ResourceSchemas)[K]>;

/** True when the string names a resource type the model knows. */
export function isResourceType(value: unknown): value is ResourceType {
  return typeof value === 'string' && Object.hasOwn(ResourceSchemas, value);
}
