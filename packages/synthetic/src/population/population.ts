import { generateLocality } from '../locality/locality.js';
import type { SyntheticLocality } from '../locality/locality.js';
import { indexLocality } from '../history/context.js';
import type { LocalityIndex } from '../history/context.js';
import { generatePerson } from '../history/generate.js';
import { personResources } from '../fhir/resources.js';
import type { Patient, Resource } from '@openidcr/model';
import { personMessages } from '../hl7/messages.js';
import type { SyntheticHl7Message } from '../hl7/messages.js';
import { parseIsoDate } from '../random/time.js';
import { parseSyntheticOptions } from './options.js';
import type { SyntheticOptions } from './options.js';

/** One synthetic person: their FHIR resources and the HL7 v2 messages their history made the source systems send. */
export interface SyntheticPatientRecord {
  index: number;
  nhsNumber: string;
  patient: Patient;
  /** Every FHIR resource of this person, the Patient first; each passes the model's `parseResource`. */
  resources: Resource[];
  /** In send order. */
  messages: SyntheticHl7Message[];
}

function record(seed: number, index: number, ctx: LocalityIndex, startMs: number, faultRate: number): SyntheticPatientRecord {
  const person = generatePerson(seed, index, ctx, startMs);
  // The builders write plain JSON; the tests prove every resource parses with the model's schemas.
  const resources = personResources(person) as unknown as Resource[];
  return { index, nhsNumber: person.nhsNumber, patient: resources[0] as Patient, resources, messages: personMessages(person, faultRate) };
}

/** The record of patient `index`: depends only on (seed, index), the locality, the end date and the fault rate. */
export function generatePatient(
  index: number,
  options: { seed?: number; faultRate?: number; start?: string } = {},
  locality?: SyntheticLocality,
): SyntheticPatientRecord {
  const parsed = parseSyntheticOptions({ ...options, patients: 1, offset: index });
  if (!parsed.ok) throw new RangeError(parsed.issues.map((i) => i.message).join('; '));
  const { seed, faultRate, start } = parsed.options;
  return record(seed, index, indexLocality(locality ?? generateLocality({ seed })), parseIsoDate(start), faultRate);
}

/**
 * Generates patients lazily, one at a time, so a population of any size streams in flat memory.
 * Throws a RangeError naming the field when an option is invalid.
 */
export function* generatePatients(options: SyntheticOptions, locality?: SyntheticLocality): Generator<SyntheticPatientRecord> {
  const parsed = parseSyntheticOptions(options);
  if (!parsed.ok) throw new RangeError(parsed.issues.map((i) => i.message).join('; '));
  const { seed, patients, offset, faultRate, start } = parsed.options;
  const ctx = indexLocality(locality ?? generateLocality({ seed }));
  const startMs = parseIsoDate(start);
  for (let i = offset; i < offset + patients; i++) yield record(seed, i, ctx, startMs, faultRate);
}
