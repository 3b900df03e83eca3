import { CodeSystems, normaliseHierarchicalCode, SensitiveCodeLists, Sensitivity, type SensitiveCodeList, type SensitivityCode } from '@openidcr/model';

/** Codes of the sharing code system (`CodeSystems.sharing`), in `meta.tag` or `meta.security`. */
export const SHARING_CODES = {
  /** Shared out by the recording professional (explicit model). */
  shareOut: 'share-out',
  /** Private to the recording organisation: never shared. */
  private: 'private',
} as const;

/** What `filterRecord` reads from one item's labels and codes. */
export interface ItemLabels {
  sensitivities: SensitivityCode[];
  confidentiality: 'U' | 'L' | 'M' | 'N' | 'R' | 'V' | undefined;
  sharedOut: boolean;
  private: boolean;
}

type Coding = { system?: string | undefined; code?: string | undefined };
type Labelled = { meta?: { security?: readonly Coding[] | undefined; tag?: readonly Coding[] | undefined } | undefined; [key: string]: unknown };

const CONFIDENTIALITY = ['U', 'L', 'M', 'N', 'R', 'V'] as const;
const CONFIDENTIALITY_RANK: Readonly<Record<string, number>> = { U: 0, L: 1, M: 2, N: 3, R: 4, V: 5 };

/**
 * Sensitivity labels a code earns, by code system then code, plus (for hierarchical code systems: ICD-10, Read)
 * the prefixes that cover every code below them. Built once per list set.
 */
export interface SensitiveCodeIndex {
  readonly exact: ReadonlyMap<string, ReadonlyMap<string, readonly SensitivityCode[]>>;
  readonly prefixes: ReadonlyMap<string, ReadonlyArray<{ prefix: string; label: SensitivityCode }>>;
}

/** Index sensitive code lists by system and code, built once per list set. */
export function sensitiveCodeIndex(lists: readonly SensitiveCodeList[] = SensitiveCodeLists): SensitiveCodeIndex {
  const exact = new Map<string, Map<string, SensitivityCode[]>>();
  const prefixes = new Map<string, Array<{ prefix: string; label: SensitivityCode }>>();
  for (const list of lists) {
    const bySystem = exact.get(list.system) ?? new Map<string, SensitivityCode[]>();
    exact.set(list.system, bySystem);
    for (const code of Object.keys(list.codes)) {
      const labels = bySystem.get(code) ?? [];
      if (!labels.includes(list.label)) labels.push(list.label);
      bySystem.set(code, labels);
    }
    if (list.prefixes && list.prefixes.length > 0) {
      const entries = prefixes.get(list.system) ?? [];
      for (const prefix of list.prefixes) entries.push({ prefix, label: list.label });
      prefixes.set(list.system, entries);
    }
  }
  return { exact, prefixes };
}

export const DEFAULT_SENSITIVE_CODE_INDEX = sensitiveCodeIndex();

/** Clinical code elements checked against the sensitive code lists. */
/** The elements whose codes are checked against the sensitive code lists. */
export const CODE_ELEMENTS = ['code', 'medicationCodeableConcept', 'vaccineCode', 'type', 'reasonCode'] as const;
type CodeElement = (typeof CODE_ELEMENTS)[number];

/** Scratch state of one scan; reused by `filterRecord`, so a scan allocates nothing for an unlabelled item. */
export interface LabelScan {
  sensitivities: SensitivityCode[];
  confidentialityRank: number;
  sharedOut: boolean;
  private: boolean;
}

export function newLabelScan(): LabelScan {
  return { sensitivities: [], confidentialityRank: -1, sharedOut: false, private: false };
}

function addSensitivity(out: LabelScan, label: SensitivityCode): void {
  if (!out.sensitivities.includes(label)) out.sensitivities.push(label);
}

function scanCodings(codings: readonly Coding[] | undefined, out: LabelScan): void {
  if (!codings) return;
  for (let i = 0; i < codings.length; i++) {
    const c = codings[i];
    if (!c || c.code === undefined) continue;
    if (c.system === CodeSystems.actCode) {
      if (Object.hasOwn(Sensitivity, c.code)) addSensitivity(out, c.code as SensitivityCode);
    } else if (c.system === CodeSystems.confidentiality) {
      const rank = CONFIDENTIALITY_RANK[c.code];
      if (rank !== undefined && rank > out.confidentialityRank) out.confidentialityRank = rank;
    } else if (c.system === CodeSystems.sharing) {
      if (c.code === SHARING_CODES.shareOut) out.sharedOut = true;
      else if (c.code === SHARING_CODES.private) out.private = true;
    }
  }
}

function scanConcept(value: unknown, index: SensitiveCodeIndex, out: LabelScan): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) scanConcept(item, index, out);
    return;
  }
  const coding = (value as { coding?: unknown }).coding;
  if (!Array.isArray(coding)) return;
  for (const c of coding as Coding[]) {
    if (!c || typeof c.code !== 'string' || typeof c.system !== 'string') continue;
    const labels = index.exact.get(c.system)?.get(c.code);
    if (labels) for (const label of labels) addSensitivity(out, label);
    const prefixes = index.prefixes.get(c.system);
    if (prefixes) {
      const normal = normaliseHierarchicalCode(c.system, c.code);
      for (const { prefix, label } of prefixes) if (normal.startsWith(prefix)) addSensitivity(out, label);
    }
  }
}

/** Scan an item's labels into `out` (reset first). */
export function scanLabels(resource: Labelled, index: SensitiveCodeIndex, out: LabelScan): LabelScan {
  if (out.sensitivities.length > 0) out.sensitivities.length = 0;
  out.confidentialityRank = -1;
  out.sharedOut = false;
  out.private = false;
  const meta = resource.meta;
  if (meta) {
    scanCodings(meta.security, out);
    scanCodings(meta.tag, out);
  }
  // Read by name, not in a loop over the element names: keyed reads with varying keys are slow in V8.
  const r = resource as Partial<Record<CodeElement, unknown>>;
  if (r.code !== undefined) scanConcept(r.code, index, out);
  if (r.medicationCodeableConcept !== undefined) scanConcept(r.medicationCodeableConcept, index, out);
  if (r.vaccineCode !== undefined) scanConcept(r.vaccineCode, index, out);
  if (r.type !== undefined) scanConcept(r.type, index, out);
  if (r.reasonCode !== undefined) scanConcept(r.reasonCode, index, out);
  return out;
}

/**
 * The labels of an item: sensitivity from `meta.security` (v3 ActCode) and from its clinical codes (shipped sensitive
 * code lists, or the locality's own index), the highest confidentiality in `meta.security`, and sharing flags from
 * `meta.tag` or `meta.security`.
 */
export function labelsOf(resource: Labelled, index: SensitiveCodeIndex = DEFAULT_SENSITIVE_CODE_INDEX): ItemLabels {
  const scan = scanLabels(resource, index, newLabelScan());
  return {
    sensitivities: [...scan.sensitivities],
    confidentiality: scan.confidentialityRank < 0 ? undefined : CONFIDENTIALITY[scan.confidentialityRank],
    sharedOut: scan.sharedOut,
    private: scan.private,
  };
}
