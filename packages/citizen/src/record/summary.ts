import { HEADINGS, headingOf, type HeadingId, type ResourceLike } from '@openidcr/model';
import { odsOfSource } from './source.js';
import { formatClinicalDate } from '../format/format.js';
import { isWhatMatters } from '../what-matters/what-matters.js';

/** One entry of the person's record, in words. */
export interface SummaryItem {
  id: string;
  resourceType: string;
  /** What it is: `Asthma`, `Amoxicillin 500mg capsules`, `Flu vaccine`. */
  text: string;
  /** Extra detail: dose, result value, reaction. */
  detail?: string | undefined;
  /** The clinically relevant date (FHIR date or dateTime as recorded). */
  date?: string | undefined;
  status?: string | undefined;
  /** Who recorded it (organisation name, or ODS code when the name is not known). */
  source?: string | undefined;
}

/** One heading of the person's record. */
export interface SummaryHeading {
  id: HeadingId;
  title: string;
  description: string;
  items: SummaryItem[];
}

/** The person's record by heading, as `GET /citizen/me/record` returns it and `<idcr-my-record>` shows it. */
export interface MyRecordSummary {
  person: { name: string; nhsNumber: string; birthDate?: string | undefined };
  /** Set when someone is acting for the person: who, and under which authority. */
  actingFor?: { proxyName: string; relationship: string } | undefined;
  /** Every heading, in registry order, that the reader may see; an empty heading is a fact ("nothing recorded"). */
  headings: SummaryHeading[];
  /** Items not shown online, with the reason said plainly; never which items. */
  withheld: { count: number; reason: string } | undefined;
}

type Json = Record<string, unknown>;

const HEADING_BY_ID = new Map(HEADINGS.map((h) => [h.id, h]));
const newestFirst = (a: SummaryItem, b: SummaryItem): number => ((a.date ?? '') < (b.date ?? '') ? 1 : (a.date ?? '') > (b.date ?? '') ? -1 : 0);

function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (Array.isArray(current)) current = current[0];
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Json)[key];
  }
  return Array.isArray(current) ? current[0] : current;
}

function conceptText(concept: unknown): string | undefined {
  if (concept === null || typeof concept !== 'object') return undefined;
  const c = concept as { text?: unknown; coding?: Array<{ display?: unknown; code?: unknown }>; display?: unknown };
  if (typeof c.text === 'string' && c.text) return c.text;
  if (typeof c.display === 'string' && c.display) return c.display;
  const coding = c.coding?.find((x) => typeof x.display === 'string') ?? c.coding?.[0];
  if (typeof coding?.display === 'string') return coding.display;
  return typeof coding?.code === 'string' ? coding.code : undefined;
}

function nameText(name: unknown): string | undefined {
  const n = (Array.isArray(name) ? name[0] : name) as { text?: string; given?: string[]; family?: string; prefix?: string[] } | undefined;
  if (!n) return undefined;
  if (n.text) return n.text;
  const parts = [...(n.prefix ?? []), ...(n.given ?? []), n.family ?? ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function quantityText(q: unknown): string | undefined {
  if (q === null || typeof q !== 'object') return undefined;
  const { value, unit, code } = q as { value?: number; unit?: string; code?: string };
  return value === undefined ? undefined : `${value}${unit ?? code ? ` ${unit ?? code}` : ''}`;
}

const TITLE_PATHS: Record<string, string[]> = {
  Patient: [],
  CareTeam: ['name', 'category'],
  EpisodeOfCare: ['type'],
  PractitionerRole: ['code', 'specialty'],
  Flag: ['code'],
  Condition: ['code'],
  MedicationStatement: ['medicationCodeableConcept', 'medicationReference'],
  MedicationRequest: ['medicationCodeableConcept', 'medicationReference'],
  AllergyIntolerance: ['code'],
  Immunization: ['vaccineCode'],
  Observation: ['code'],
  DiagnosticReport: ['code'],
  Encounter: ['type', 'class', 'serviceType'],
  Appointment: ['serviceType', 'appointmentType', 'description'],
  ServiceRequest: ['code', 'category'],
  DocumentReference: ['type', 'description'],
};

function titleOf(resource: Json): string {
  if (resource.resourceType === 'Patient') return nameText(resource.name) ?? 'Your details';
  for (const path of TITLE_PATHS[resource.resourceType as string] ?? ['code']) {
    const value = resource[path];
    const text = typeof value === 'string' ? value : conceptText(Array.isArray(value) ? value[0] : value);
    if (text) return text;
  }
  return 'Entry without a description';
}

function detailOf(resource: Json): string | undefined {
  switch (resource.resourceType) {
    case 'Patient': {
      const born = typeof resource.birthDate === 'string' ? `Born ${formatClinicalDate(resource.birthDate)}` : undefined;
      const address = at(resource, 'address.postalCode');
      return [born, typeof address === 'string' ? `Postcode ${address}` : undefined].filter(Boolean).join(', ') || undefined;
    }
    case 'MedicationStatement':
    case 'MedicationRequest': {
      const dose = at(resource, resource.resourceType === 'MedicationStatement' ? 'dosage.text' : 'dosageInstruction.text');
      return typeof dose === 'string' ? dose : undefined;
    }
    case 'Observation':
      return quantityText(resource.valueQuantity) ?? (typeof resource.valueString === 'string' ? resource.valueString : conceptText(resource.valueCodeableConcept));
    case 'AllergyIntolerance':
      return conceptText(at(resource, 'reaction.manifestation'));
    case 'Appointment':
      return typeof resource.description === 'string' ? resource.description : undefined;
    default:
      return undefined;
  }
}

/** Statuses worth saying: FHIR codes as the person reads them. */
const STATUS_WORDS: Readonly<Record<string, string>> = {
  active: 'Current',
  inactive: 'Past',
  resolved: 'Resolved',
  completed: 'Completed',
  stopped: 'Stopped',
  final: 'Final',
  booked: 'Booked',
  fulfilled: 'Attended',
  cancelled: 'Cancelled',
  noshow: 'Missed',
  finished: 'Finished',
  'in-progress': 'In progress',
  'entered-in-error': 'Entered in error',
  current: 'Current',
  planned: 'Planned',
  'on-hold': 'On hold',
  unknown: 'Not known',
};

function statusOf(resource: Json): string | undefined {
  const raw = conceptText(resource.clinicalStatus) ?? (typeof resource.status === 'string' ? resource.status : undefined);
  if (raw === undefined) return undefined;
  return Object.hasOwn(STATUS_WORDS, raw) ? STATUS_WORDS[raw] : raw;
}

/**
 * The person's record by heading (every heading in registry order, empty ones included). Resources that are not
 * record content (Consent, Provenance, AuditEvent, the "what matters" statements) are left to their own views.
 * Pure and browser-safe.
 */
export function toRecordHeadings(resources: readonly ResourceLike[], options: { headings?: ReadonlySet<HeadingId>; organisationName?: (ods: string) => string | undefined } = {}): SummaryHeading[] {
  const byHeading = new Map<HeadingId, SummaryItem[]>();
  for (const resource of resources) {
    if (isWhatMatters(resource)) continue;
    const heading = headingOf(resource);
    if (!heading) continue;
    const json = resource as Json;
    const def = HEADING_BY_ID.get(heading);
    const dateValue = def?.dateElement ? (at(json, def.dateElement) ?? at(json, def.dateElement.replace(/DateTime$|Period\.start$/, 'Date'))) : undefined;
    const ods = odsOfSource(resource.meta?.source);
    const item: SummaryItem = {
      id: resource.id ?? '',
      resourceType: resource.resourceType,
      text: titleOf(json),
      detail: detailOf(json),
      date: typeof dateValue === 'string' ? dateValue : undefined,
      status: statusOf(json),
      source: ods ? (options.organisationName?.(ods) ?? ods) : undefined,
    };
    const list = byHeading.get(heading) ?? [];
    list.push(item);
    byHeading.set(heading, list);
  }
  return HEADINGS.filter((h) => !options.headings || options.headings.has(h.id)).map((h) => ({
    id: h.id,
    title: h.title,
    description: h.description,
    items: (byHeading.get(h.id) ?? []).sort(newestFirst),
  }));
}
