import { z } from 'zod';
import { CodeSystems } from '../codes/systems.js';
import { isResourceType } from '../fhir/registry.js';

/** The identifiers of the built-in record headings, in their default order (`headingIds()` adds registered ones). */
export const HEADING_IDS = [
  'demographics',
  'care-team',
  'alerts',
  'problems',
  'medications',
  'allergies',
  'immunisations',
  'results',
  'encounters',
  'appointments',
  'referrals',
  'documents',
  'social-care',
] as const;

/** A built-in heading id, e.g. `medications`. */
export type BuiltInHeadingId = (typeof HEADING_IDS)[number];

/**
 * Heading ids added with `registerHeading`, declared for the type checker by module augmentation:
 *
 * ```ts
 * declare module '@openidcr/model' {
 *   interface CustomHeadings { 'advance-care-plans': true }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CustomHeadings {}

/** A record heading id: built in (`medications`) or registered (see `CustomHeadings`). */
export type HeadingId = BuiltInHeadingId | Extract<keyof CustomHeadings, string>;

/** One column a heading shows in a summary table; `path` is a plain-English pointer into the FHIR resource. */
export interface HeadingColumn {
  id: string;
  title: string;
  path: string;
}

/** A record heading: the single definition the API, the policy, the viewer and the fixtures all read. */
export interface Heading {
  id: HeadingId;
  title: string;
  /** What a member of the public or a partner reading the ISA is told this heading holds. */
  description: string;
  /** FHIR resource types that belong to this heading (see `headingOf` for the types shared by several headings). */
  resourceTypes: readonly string[];
  /** The element holding the clinically relevant date, for date search and sorting. */
  dateElement?: string;
  columns: readonly HeadingColumn[];
  order: number;
}

const h = (heading: Omit<Heading, 'order'>): Omit<Heading, 'order'> => heading;

const definitions: Record<BuiltInHeadingId, Omit<Heading, 'order'>> = {
  demographics: h({
    id: 'demographics',
    title: 'Demographics',
    description: 'Name, NHS number, date of birth, gender, address and contact details.',
    resourceTypes: ['Patient'],
    columns: [
      { id: 'name', title: 'Name', path: 'Patient.name' },
      { id: 'nhsNumber', title: 'NHS No.', path: 'Patient.identifier' },
      { id: 'born', title: 'Born', path: 'Patient.birthDate' },
      { id: 'gender', title: 'Gender', path: 'Patient.gender' },
      { id: 'address', title: 'Address', path: 'Patient.address' },
    ],
  }),
  'care-team': h({
    id: 'care-team',
    title: 'Care team and GP',
    description: 'The registered GP practice and the professionals and teams involved in the person\'s care.',
    resourceTypes: ['CareTeam', 'EpisodeOfCare', 'PractitionerRole'],
    dateElement: 'period.start',
    columns: [
      { id: 'team', title: 'Team or service', path: 'CareTeam.name' },
      { id: 'organisation', title: 'Organisation', path: 'CareTeam.managingOrganization' },
      { id: 'members', title: 'Professionals', path: 'CareTeam.participant' },
      { id: 'since', title: 'Since', path: 'CareTeam.period.start' },
    ],
  }),
  alerts: h({
    id: 'alerts',
    title: 'Alerts',
    description: 'Warnings that every professional should see first, such as risks to staff or special requirements.',
    resourceTypes: ['Flag'],
    dateElement: 'period.start',
    columns: [
      { id: 'alert', title: 'Alert', path: 'Flag.code' },
      { id: 'since', title: 'Since', path: 'Flag.period.start' },
      { id: 'source', title: 'Recorded by', path: 'Flag.author' },
    ],
  }),
  problems: h({
    id: 'problems',
    title: 'Problems and diagnoses',
    description: 'Current and past diagnoses and health problems.',
    resourceTypes: ['Condition'],
    dateElement: 'onsetDateTime',
    columns: [
      { id: 'problem', title: 'Problem', path: 'Condition.code' },
      { id: 'status', title: 'Status', path: 'Condition.clinicalStatus' },
      { id: 'onset', title: 'Onset', path: 'Condition.onsetDateTime' },
      { id: 'source', title: 'Source', path: 'Condition.meta.source' },
    ],
  }),
  medications: h({
    id: 'medications',
    title: 'Medications',
    description: 'Medicines prescribed or taken, current and past, with dose and dates.',
    resourceTypes: ['MedicationStatement', 'MedicationRequest'],
    dateElement: 'effectivePeriod.start',
    columns: [
      { id: 'medicine', title: 'Medicine', path: 'medicationCodeableConcept' },
      { id: 'dose', title: 'Dose', path: 'dosage.text' },
      { id: 'status', title: 'Status', path: 'status' },
      { id: 'started', title: 'Started', path: 'effectivePeriod.start' },
      { id: 'source', title: 'Source', path: 'meta.source' },
    ],
  }),
  allergies: h({
    id: 'allergies',
    title: 'Allergies and adverse reactions',
    description: 'Allergies, intolerances and adverse reactions, or a record that there are none known.',
    resourceTypes: ['AllergyIntolerance'],
    dateElement: 'recordedDate',
    columns: [
      { id: 'substance', title: 'Substance', path: 'AllergyIntolerance.code' },
      { id: 'reaction', title: 'Reaction', path: 'AllergyIntolerance.reaction.manifestation' },
      { id: 'severity', title: 'Severity', path: 'AllergyIntolerance.reaction.severity' },
      { id: 'recorded', title: 'Recorded', path: 'AllergyIntolerance.recordedDate' },
    ],
  }),
  immunisations: h({
    id: 'immunisations',
    title: 'Immunisations',
    description: 'Vaccinations given, with dates.',
    resourceTypes: ['Immunization'],
    dateElement: 'occurrenceDateTime',
    columns: [
      { id: 'vaccine', title: 'Vaccine', path: 'Immunization.vaccineCode' },
      { id: 'date', title: 'Date', path: 'Immunization.occurrenceDateTime' },
      { id: 'status', title: 'Status', path: 'Immunization.status' },
    ],
  }),
  results: h({
    id: 'results',
    title: 'Test results',
    description: 'Laboratory and other test results with reference ranges.',
    resourceTypes: ['DiagnosticReport', 'Observation'],
    dateElement: 'effectiveDateTime',
    columns: [
      { id: 'test', title: 'Test', path: 'Observation.code' },
      { id: 'value', title: 'Result', path: 'Observation.value[x]' },
      { id: 'range', title: 'Reference range', path: 'Observation.referenceRange' },
      { id: 'flag', title: 'Flag', path: 'Observation.interpretation' },
      { id: 'date', title: 'Date', path: 'Observation.effectiveDateTime' },
    ],
  }),
  encounters: h({
    id: 'encounters',
    title: 'Admissions and attendances',
    description: 'Hospital admissions, discharges, A&E attendances and other contacts.',
    resourceTypes: ['Encounter'],
    dateElement: 'period.start',
    columns: [
      { id: 'type', title: 'Type', path: 'Encounter.class' },
      { id: 'location', title: 'Where', path: 'Encounter.serviceProvider' },
      { id: 'start', title: 'Start', path: 'Encounter.period.start' },
      { id: 'end', title: 'End', path: 'Encounter.period.end' },
      { id: 'status', title: 'Status', path: 'Encounter.status' },
    ],
  }),
  appointments: h({
    id: 'appointments',
    title: 'Appointments',
    description: 'Booked, attended and cancelled appointments.',
    resourceTypes: ['Appointment'],
    dateElement: 'start',
    columns: [
      { id: 'service', title: 'Service', path: 'Appointment.serviceType' },
      { id: 'start', title: 'When', path: 'Appointment.start' },
      { id: 'status', title: 'Status', path: 'Appointment.status' },
    ],
  }),
  referrals: h({
    id: 'referrals',
    title: 'Referrals',
    description: 'Referrals between services and their status.',
    resourceTypes: ['ServiceRequest'],
    dateElement: 'authoredOn',
    columns: [
      { id: 'service', title: 'Referred to', path: 'ServiceRequest.performer' },
      { id: 'reason', title: 'Reason', path: 'ServiceRequest.reasonCode' },
      { id: 'date', title: 'Date', path: 'ServiceRequest.authoredOn' },
      { id: 'status', title: 'Status', path: 'ServiceRequest.status' },
    ],
  }),
  documents: h({
    id: 'documents',
    title: 'Letters and discharge summaries',
    description: 'Clinic letters, discharge summaries and other documents.',
    resourceTypes: ['DocumentReference'],
    dateElement: 'date',
    columns: [
      { id: 'type', title: 'Document', path: 'DocumentReference.type' },
      { id: 'author', title: 'From', path: 'DocumentReference.author' },
      { id: 'date', title: 'Date', path: 'DocumentReference.date' },
    ],
  }),
  'social-care': h({
    id: 'social-care',
    title: 'Social care involvement',
    description: 'Whether adult or children\'s social care is involved, the allocated worker and the service.',
    resourceTypes: ['EpisodeOfCare', 'CareTeam'],
    dateElement: 'period.start',
    columns: [
      { id: 'service', title: 'Service', path: 'EpisodeOfCare.type' },
      { id: 'worker', title: 'Allocated worker', path: 'EpisodeOfCare.careManager' },
      { id: 'since', title: 'Since', path: 'EpisodeOfCare.period.start' },
      { id: 'status', title: 'Status', path: 'EpisodeOfCare.status' },
    ],
  }),
};

const registry: Heading[] = HEADING_IDS.map((id, order) => ({ ...definitions[id], order }));

/** Every heading, in default order: the built-in ones, then those registered with `registerHeading`. */
export const HEADINGS: readonly Heading[] = registry;

const byId = new Map<string, Heading>(HEADINGS.map((heading) => [heading.id, heading]));
let ids: readonly HeadingId[] = Object.freeze([...HEADING_IDS]);

/** Every heading id in default order, registered ones included (a new frozen array after each registration). */
export function headingIds(): readonly HeadingId[] {
  return ids;
}

/**
 * The most headings a registry holds. Policy code keeps a person's visible headings as one 32-bit mask, and a
 * record with more headings than this is no longer a summary anyone can read.
 */
export const MAX_HEADINGS = 32;

/** A heading as a locality or contributor defines it for `registerHeading` (its place is after those before it). */
export const HeadingDefinitionSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: 'expected lower-case words joined by hyphens, e.g. advance-care-plans' }),
  title: z.string().trim().min(1),
  description: z.string().trim().min(20, { error: 'say in plain English what the heading holds (at least 20 characters): the ISA and the privacy notice print it' }),
  resourceTypes: z
    .array(z.string().refine(isResourceType, { error: (issue) => `${JSON.stringify(issue.input)} is not a FHIR resource type the model knows` }))
    .min(1),
  dateElement: z.string().min(1).optional(),
  columns: z.array(z.strictObject({ id: z.string().min(1), title: z.string().min(1), path: z.string().min(1) })).min(1),
});
export type HeadingDefinition = z.input<typeof HeadingDefinitionSchema>;

export type RegisterHeadingResult = { ok: true; heading: Heading } | { ok: false; issues: Array<{ path: string; message: string }> };

function fingerprint(h: Pick<Heading, 'title' | 'description' | 'resourceTypes' | 'dateElement' | 'columns'> & { id: string }): string {
  return JSON.stringify([h.id, h.title, h.description, [...h.resourceTypes], h.dateElement ?? null, h.columns.map((c) => [c.id, c.title, c.path])]);
}

/**
 * Adds a heading to the registry, after every heading already there, so the store files, the policy filters, the
 * API serves and the viewer shows it like a built-in one. Call it once at start-up, before building a policy or
 * opening a store. A resource belongs to it when tagged with `headingTag(id)`, or by type when no earlier heading
 * claims that type. No role sees it until a role lists it and the ISA shares it. Registering the same definition
 * again is harmless; a different definition under a known id is refused.
 */
export function registerHeading(definition: HeadingDefinition): RegisterHeadingResult {
  const parsed = HeadingDefinitionSchema.safeParse(definition);
  if (!parsed.success)
    return { ok: false, issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(heading)', message: issue.message })) };
  const { dateElement, ...rest } = parsed.data;
  const existing = byId.get(rest.id);
  if (existing) {
    const same = fingerprint(existing) === fingerprint({ ...rest, dateElement });
    if (same && !(HEADING_IDS as readonly string[]).includes(rest.id)) return { ok: true, heading: existing };
    return { ok: false, issues: [{ path: 'id', message: `heading ${JSON.stringify(rest.id)} is already registered${same ? ' (built in)' : ' with another definition'}` }] };
  }
  if (registry.length >= MAX_HEADINGS) return { ok: false, issues: [{ path: 'id', message: `the registry already holds ${MAX_HEADINGS} headings, the most it can` }] };
  const heading = Object.freeze({
    id: rest.id as HeadingId,
    title: rest.title,
    description: rest.description,
    resourceTypes: Object.freeze([...rest.resourceTypes]),
    ...(dateElement ? { dateElement } : {}),
    columns: Object.freeze(rest.columns.map((column) => Object.freeze({ ...column }))),
    order: registry.length,
  }) as Heading;
  registry.push(heading);
  byId.set(heading.id, heading);
  ids = Object.freeze([...ids, heading.id]);
  return { ok: true, heading };
}

/** True when the string is a heading id. */
export function isHeadingId(value: string): value is HeadingId {
  return byId.has(value);
}

/** The heading with this id; throws on an unknown id, which is a programming error. */
export function getHeading(id: HeadingId): Heading {
  const heading = byId.get(id);
  if (!heading) throw new Error(`Unknown heading: ${id}`);
  return heading;
}

/** The `meta.tag` coding that pins a resource to a heading where its type alone is ambiguous. */
export function headingTag(id: HeadingId): { system: string; code: HeadingId } {
  return { system: CodeSystems.heading, code: id };
}

/** The least of a resource `headingOf` reads. */
export interface HeadingClassifiable {
  resourceType: string;
  meta?: { tag?: ReadonlyArray<{ system?: string | undefined; code?: string | undefined }> | undefined } | undefined;
}

/**
 * The heading a resource belongs to, or `undefined` for resources that are not record content
 * (Organization, Practitioner, Provenance, Consent, AuditEvent, ...).
 *
 * A `meta.tag` from the heading code system wins; otherwise the resource type decides, with
 * EpisodeOfCare and CareTeam going to care-team unless tagged as social-care.
 */
export function headingOf(resource: HeadingClassifiable): HeadingId | undefined {
  const tag = resource.meta?.tag?.find((coding) => coding.system === CodeSystems.heading);
  if (tag?.code && isHeadingId(tag.code)) return tag.code;
  for (const heading of HEADINGS) if (heading.resourceTypes.includes(resource.resourceType)) return heading.id;
  return undefined;
}

/** The headings in a locality's chosen order: listed ids first, in that order; unknown ids rejected. */
export function orderHeadings(ids: readonly string[]): Heading[] {
  const unknown = ids.filter((id) => !isHeadingId(id));
  if (unknown.length > 0) throw new Error(`Unknown heading id(s): ${unknown.join(', ')}. Known: ${ids.join(', ')}`);
  return ids.map((id) => getHeading(id as HeadingId));
}
