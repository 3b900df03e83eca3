import { CodeSystems, HEADINGS, headingIds, isHeadingId, type HeadingId, type SensitiveCodeList, type SensitivityCode } from '@openidcr/model';
import type { Decision } from '../decision/types.js';
import { CODE_ELEMENTS, DEFAULT_SENSITIVE_CODE_INDEX, newLabelScan, scanLabels, sensitiveCodeIndex, type LabelScan, type SensitiveCodeIndex } from './labels.js';
import { sourceOrganisationOf } from './source.js';

/** Why an item was withheld. Counts by these codes are all a caller learns about withheld items. */
export const WITHHELD_REASONS = {
  'decision-denied': 'Access to this record was denied.',
  'not-record-content': 'Not part of the record you may view.',
  'heading-not-visible': 'Your role does not see this part of the record.',
  'source-unknown': 'The organisation that recorded it could not be identified.',
  'source-not-permitted': 'The organisation that recorded it does not share it with you.',
  private: 'Marked private by the organisation that recorded it.',
  'not-shared-out': 'Not marked for sharing by the professional who recorded it.',
  sensitive: 'Sensitive information, shown only to the organisation that recorded it.',
  confidentiality: 'Restricted information, shown only to the organisation that recorded it.',
  'source-in-trial': 'From a new feed still in its data-quality trial: stored, not yet shown to clinicians.',
} as const;
export type WithheldReason = keyof typeof WITHHELD_REASONS;
const REASON_LIST = Object.keys(WITHHELD_REASONS) as WithheldReason[];
const REASON_INDEX = Object.fromEntries(REASON_LIST.map((reason, i) => [reason, i])) as Record<WithheldReason, number>;

export interface WithheldCount {
  reason: WithheldReason;
  count: number;
  text: string;
}

export interface FilteredRecord<T> {
  kept: T[];
  /** How many items were withheld, by reason; never which ones or what they said. */
  withheld: WithheldCount[];
  withheldTotal: number;
}

/**
 * Every top-level element of a resource that `filterRecord` and `sourceOrganisationOf` read; nothing else of a resource
 * changes what they decide. A caller holding a record as stored JSON may give `filterRecord` resources cut down to
 * these elements (`filterProjection`) and send the kept ones' stored text: the same items are kept, the same counts
 * withheld (property-tested, and a test fails when the filter reads any other element). `filterRecord` keeps or
 * withholds whole items and returns the very objects it was given, never altered copies.
 */
export const FILTER_ELEMENTS: readonly string[] = Object.freeze(['resourceType', 'id', 'meta', 'extension', ...CODE_ELEMENTS]);

/** The resource cut down to `FILTER_ELEMENTS` (the elements it has of them). */
export function filterProjection<T extends { resourceType: string }>(resource: T): T {
  const out: Record<string, unknown> = {};
  const source = resource as unknown as Record<string, unknown>;
  for (const element of FILTER_ELEMENTS) if (source[element] !== undefined) out[element] = source[element];
  return out as T;
}

/** Resource types that are reference data, not a person's record (names of organisations and professionals). */
export const REFERENCE_RESOURCE_TYPES: ReadonlySet<string> = new Set(['Organization', 'Practitioner', 'Location', 'Medication', 'HealthcareService']);

export interface FilterOptions {
  /** The locality's sensitive code lists (default: the shipped ones in @openidcr/model). */
  sensitiveCodeLists?: readonly SensitiveCodeList[];
}

/** What a decision says about one source: its ODS code (undefined: unknown), headings permitted as a bit mask. */
interface SourceVerdict {
  ods: string | undefined;
  mask: number;
  own: boolean;
}

interface Prepared {
  visibleMask: number;
  byOds: ReadonlyMap<string, number>;
  /** `meta.source` string → verdict, filled as sources are met (a record has few distinct ones). */
  bySourceString: Map<string, SourceVerdict>;
  cleared: ReadonlySet<SensitivityCode>;
}

// Bits and type lookups follow the registry, which only grows (registerHeading in @openidcr/model): each table is
// rebuilt when the registry has grown since it was built, so a heading registered at start-up is filtered like a
// built-in one.
let tablesFor: readonly HeadingId[] = [];
let HEADING_BIT = new Map<HeadingId, number>();
/** Resource type → heading, first match in registry order, as `headingOf` in @openidcr/model decides. */
let HEADING_BY_TYPE = new Map<string, HeadingId>();
function tables(): void {
  const ids = headingIds();
  if (ids === tablesFor) return;
  tablesFor = ids;
  HEADING_BIT = new Map(HEADINGS.map((h, i) => [h.id, 1 << i]));
  HEADING_BY_TYPE = new Map();
  for (const heading of HEADINGS) for (const type of heading.resourceTypes) if (!HEADING_BY_TYPE.has(type)) HEADING_BY_TYPE.set(type, heading.id);
}
tables();

function maskOf(headings: readonly HeadingId[]): number {
  tables();
  let mask = 0;
  for (const h of headings) mask |= HEADING_BIT.get(h) ?? 0;
  return mask;
}

function verdictFor(p: Prepared, ods: string | undefined, viewerOds: string): SourceVerdict {
  return { ods, mask: ods === undefined ? 0 : (p.byOds.get(ods) ?? 0), own: ods === viewerOds };
}

const prepared = new WeakMap<Decision, Prepared>();
const indexCache = new WeakMap<readonly SensitiveCodeList[], SensitiveCodeIndex>();

/** `headingOf` from @openidcr/model without its per-call search of the registry (same answer; tested). */
export function headingOfItem(resource: Filterable): HeadingId | undefined {
  tables();
  return classify(resource);
}

function classify(resource: Filterable): HeadingId | undefined {
  const tags = resource.meta?.tag;
  if (tags)
    for (const tag of tags) {
      if (tag?.system !== CodeSystems.heading) continue;
      if (tag.code !== undefined && isHeadingId(tag.code)) return tag.code;
      break;
    }
  return HEADING_BY_TYPE.get(resource.resourceType);
}

function prepare(decision: Decision): Prepared {
  let p = prepared.get(decision);
  if (!p) {
    const byOds = new Map<string, number>();
    for (const s of decision.sources) if (s.effect === 'permit') byOds.set(s.ods, maskOf(s.headings));
    p = { visibleMask: maskOf(decision.visibleHeadings), byOds, bySourceString: new Map(), cleared: new Set(decision.redaction.clearedSensitivities) };
    prepared.set(decision, p);
  }
  return p;
}

type Filterable = { resourceType: string; meta?: { source?: string | undefined; security?: ReadonlyArray<{ system?: string | undefined; code?: string | undefined }> | undefined; tag?: ReadonlyArray<{ system?: string | undefined; code?: string | undefined }> | undefined } | undefined };

/**
 * Apply a decision to a record, item by item: only a permit lets anything through; each item must be under a visible
 * heading, from a source organisation permitted for that heading, and (unless recorded by the viewer's own
 * organisation) not private, shared out where the model needs it, carrying no sensitivity label the role is not
 * cleared for and no confidentiality above the role's.
 */
export function filterRecord<T extends Filterable>(resources: readonly T[], decision: Decision, options: FilterOptions = {}): FilteredRecord<T> {
  const counts = new Array<number>(REASON_LIST.length).fill(0);
  const withhold = (reason: WithheldReason): void => {
    counts[REASON_INDEX[reason]]! += 1;
  };
  const kept: T[] = [];
  if (decision.effect !== 'permit') {
    counts[REASON_INDEX['decision-denied']] = resources.length;
    return summarise(kept, counts);
  }
  tables();
  const p = prepare(decision);
  const { visibleMask, bySourceString, cleared } = p;
  const { viewerOds, maxConfidentiality, requireShareOutFlag } = decision.redaction;
  const lists = options.sensitiveCodeLists;
  let index: SensitiveCodeIndex = DEFAULT_SENSITIVE_CODE_INDEX;
  if (lists) {
    const cached = indexCache.get(lists);
    if (cached) index = cached;
    else indexCache.set(lists, (index = sensitiveCodeIndex(lists)));
  }
  const scan = newLabelScan();

  for (const resource of resources) {
    const heading = classify(resource);
    if (heading === undefined) {
      if (!REFERENCE_RESOURCE_TYPES.has(resource.resourceType)) withhold('not-record-content');
      else {
        // Reference data has no heading or sharing source; it passes only if it carries no restricting label.
        const reason = labelReason(scanLabels(resource as Parameters<typeof scanLabels>[0], index, scan), cleared, maxConfidentiality, false);
        if (reason) withhold(reason);
        else kept.push(resource);
      }
      continue;
    }
    const bit = HEADING_BIT.get(heading)!;
    if ((visibleMask & bit) === 0) {
      withhold('heading-not-visible');
      continue;
    }
    const raw = resource.meta?.source;
    let verdict: SourceVerdict | undefined = typeof raw === 'string' ? bySourceString.get(raw) : undefined;
    if (verdict === undefined) {
      verdict = verdictFor(p, sourceOrganisationOf(resource as Parameters<typeof sourceOrganisationOf>[0]), viewerOds);
      // Cache by meta.source only when meta.source alone decided it (an extension may name another source).
      if (typeof raw === 'string' && verdict.ods !== undefined && sourceOrganisationOf({ meta: { source: raw } }) === verdict.ods) bySourceString.set(raw, verdict);
    }
    if (verdict.ods === undefined) {
      // The person's own words ("what matters to me", written through @openidcr/citizen) have no source
      // organisation by nature; they are shown wherever their heading is visible to a permitted viewer.
      if (isPatientAuthored(resource)) {
        kept.push(resource);
        continue;
      }
      withhold('source-unknown');
      continue;
    }
    if ((verdict.mask & bit) === 0) {
      withhold('source-not-permitted');
      continue;
    }
    if (!verdict.own) {
      const reason = labelReason(scanLabels(resource as Parameters<typeof scanLabels>[0], index, scan), cleared, maxConfidentiality, requireShareOutFlag);
      if (reason) {
        withhold(reason);
        continue;
      }
    }
    kept.push(resource);
  }
  return summarise(kept, counts);
}

/** The tag @openidcr/citizen puts on statements the person wrote themselves. */
export const PATIENT_AUTHORED_TAG = { system: 'https://openidcr.org/CodeSystem/citizen', code: 'patient-authored' } as const;

function isPatientAuthored(resource: { resourceType: string; meta?: { tag?: ReadonlyArray<{ system?: string | undefined; code?: string | undefined }> | undefined } | undefined }): boolean {
  return resource.resourceType === 'Observation' && (resource.meta?.tag?.some((t) => t.system === PATIENT_AUTHORED_TAG.system && t.code === PATIENT_AUTHORED_TAG.code) ?? false);
}

/** Why another organisation's item must be withheld on its labels, or undefined when it may be shown. */
const RANK_R = 4;
const RANK_V = 5;
function labelReason(labels: LabelScan, cleared: ReadonlySet<SensitivityCode>, maxConfidentiality: 'N' | 'R', requireShareOut: boolean): WithheldReason | undefined {
  if (labels.private) return 'private';
  if (requireShareOut && !labels.sharedOut) return 'not-shared-out';
  if (labels.confidentialityRank >= RANK_V || (labels.confidentialityRank === RANK_R && maxConfidentiality !== 'R')) return 'confidentiality';
  for (const label of labels.sensitivities) if (!cleared.has(label)) return 'sensitive';
  return undefined;
}

function summarise<T>(kept: T[], counts: readonly number[]): FilteredRecord<T> {
  const withheld: WithheldCount[] = [];
  let withheldTotal = 0;
  for (let i = 0; i < REASON_LIST.length; i++) {
    const reason = REASON_LIST[i]!;
    const count = counts[i];
    if (count) {
      withheld.push({ reason, count, text: WITHHELD_REASONS[reason] });
      withheldTotal += count;
    }
  }
  return { kept, withheld, withheldTotal };
}
