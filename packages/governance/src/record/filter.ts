import { CodeSystems, HEADINGS, isHeadingId, type HeadingId, type SensitiveCodeList, type SensitivityCode } from '@openidcr/model';
import type { Decision } from '../decision/types.js';
import { DEFAULT_SENSITIVE_CODE_INDEX, newLabelScan, scanLabels, sensitiveCodeIndex, type LabelScan, type SensitiveCodeIndex } from './labels.js';
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

/** Resource types that are reference data, not a person's record (names of organisations and professionals). */
export const REFERENCE_RESOURCE_TYPES: ReadonlySet<string> = new Set(['Organization', 'Practitioner', 'Location', 'Medication', 'HealthcareService']);

export interface FilterOptions {
  /** The locality's sensitive code lists (default: the shipped ones in @openidcr/model). */
  sensitiveCodeLists?: readonly SensitiveCodeList[];
}

interface Prepared {
  visible: ReadonlySet<HeadingId>;
  bySource: ReadonlyMap<string, ReadonlySet<HeadingId>>;
  cleared: ReadonlySet<SensitivityCode>;
}

const prepared = new WeakMap<Decision, Prepared>();
const indexCache = new WeakMap<readonly SensitiveCodeList[], SensitiveCodeIndex>();

/** Resource type → heading, first match in registry order, as `headingOf` in @openidcr/model decides. */
const HEADING_BY_TYPE = new Map<string, HeadingId>();
for (const heading of HEADINGS) for (const type of heading.resourceTypes) if (!HEADING_BY_TYPE.has(type)) HEADING_BY_TYPE.set(type, heading.id);

/** `headingOf` from @openidcr/model without its per-call search of the registry (same answer; tested). */
export function headingOfItem(resource: Filterable): HeadingId | undefined {
  const tags = resource.meta?.tag;
  if (tags)
    for (const tag of tags) {
      if (tag?.system !== CodeSystems.heading) continue;
      if (tag.code !== undefined && isHeadingId(tag.code)) return tag.code;
      break;
    }
  return HEADING_BY_TYPE.get(resource.resourceType);
}

const sourceCache = new Map<string, string | undefined>();
/** `sourceOrganisationOf`, memoised on the `meta.source` string (a record has few distinct sources). */
function sourceOf(resource: Filterable): string | undefined {
  const raw = resource.meta?.source;
  if (typeof raw !== 'string') return sourceOrganisationOf(resource as Parameters<typeof sourceOrganisationOf>[0]);
  let ods = sourceCache.get(raw);
  if (ods === undefined && !sourceCache.has(raw)) {
    ods = sourceOrganisationOf({ meta: { source: raw } });
    if (sourceCache.size >= 10_000) sourceCache.clear();
    sourceCache.set(raw, ods);
  }
  return ods ?? sourceOrganisationOf(resource as Parameters<typeof sourceOrganisationOf>[0]);
}

function prepare(decision: Decision): Prepared {
  let p = prepared.get(decision);
  if (!p) {
    const bySource = new Map<string, ReadonlySet<HeadingId>>();
    for (const s of decision.sources) if (s.effect === 'permit') bySource.set(s.ods, new Set(s.headings));
    p = { visible: new Set(decision.visibleHeadings), bySource, cleared: new Set(decision.redaction.clearedSensitivities) };
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
  const { visible, bySource, cleared } = prepare(decision);
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
    const heading = headingOfItem(resource);
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
    if (!visible.has(heading)) {
      withhold('heading-not-visible');
      continue;
    }
    const source = sourceOf(resource);
    if (source === undefined) {
      withhold('source-unknown');
      continue;
    }
    if (!bySource.get(source)?.has(heading)) {
      withhold('source-not-permitted');
      continue;
    }
    if (source !== viewerOds) {
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
