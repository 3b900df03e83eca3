import { hash } from 'node:crypto';
import type { LocalIdentifier, PersonDemographics, ResourceLike } from '@openidcr/model';
import type { Hl7Message, Hl7Segment } from '../hl7/message.js';
import type { Hl7Problem } from '../hl7/problems.js';
import type { SourceProfile } from '../profiles/profile.js';
import { FieldReader } from './datatypes.js';

/** A resource produced by a mapping, with the id it must have. */
export type MappedResource = ResourceLike & { id: string };

/** Everything a message mapper needs. Mappers are pure: no I/O, output depends on this only. */
export interface MappingContext {
  message: Hl7Message;
  profile: SourceProfile;
  /** ODS code (or sender key) of the source organisation. */
  ods: string;
  /** The MPI person this message is about: `Patient/<personId>`. */
  personId: string;
  /** The source's own key for the patient (its local id, or the NHS number), used in stable ids. */
  patientSourceKey: string;
  /** EVN-2 or MSH-7 as FHIR dateTime. */
  sourceTime: string | undefined;
  /** Business errors: any makes the message AE. */
  problems: Hl7Problem[];
  /** Things worth a human's attention that do not stop the message. */
  warnings: string[];
}

export function reader(ctx: MappingContext, segment: Hl7Segment): FieldReader {
  return new FieldReader(segment, ctx.profile, ctx.ods, ctx.problems, ctx.warnings);
}

export function patientRef(ctx: MappingContext): { reference: string } {
  return { reference: `Patient/${ctx.personId}` };
}

/**
 * A stable FHIR id from the source's own keys: the same source key always gives the same id, so an update replaces
 * the resource instead of adding a second one. Keys are hashed (they may hold any character) under the sender.
 */
export function stableId(prefix: string, ctx: Pick<MappingContext, 'ods'>, ...keys: (string | number | undefined)[]): string {
  // SHA-1 is enough for ids (not a security boundary) and the one-shot hash is several times faster than createHash.
  return `${prefix}-${hash('sha1', [ctx.ods, prefix, ...keys.map((k) => String(k ?? ''))].join('\u001f'), 'hex')}`;
}

/** Facts about the person read from PID (and PD1), before the MPI has decided who they are. */
export interface PatientFacts {
  nhsNumber?: string | undefined;
  localIds: LocalIdentifier[];
  demographics: PersonDemographics;
  /** The Patient resource content (without id and identifiers, which the MPI decides). */
  resource: Omit<ResourceLike, 'id'>;
}
