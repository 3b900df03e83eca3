import { CodeSystems, SensitiveCodeLists, Sensitivity, type SensitiveCodeList, type SensitivityCode } from '@openidcr/model';

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

const CONFIDENTIALITY_RANK = { U: 0, L: 1, M: 2, N: 3, R: 4, V: 5 } as const;

/** A lookup from `system|code` to the sensitivity labels the code earns, built once per list set. */
export function sensitiveCodeIndex(lists: readonly SensitiveCodeList[] = SensitiveCodeLists): ReadonlyMap<string, SensitivityCode[]> {
  const index = new Map<string, SensitivityCode[]>();
  for (const list of lists)
    for (const code of Object.keys(list.codes)) {
      const key = `${list.system}|${code}`;
      const labels = index.get(key) ?? [];
      if (!labels.includes(list.label)) labels.push(list.label);
      index.set(key, labels);
    }
  return index;
}

const defaultIndex = sensitiveCodeIndex();

/** Clinical code elements checked against the sensitive code lists. */
const CODE_ELEMENTS = ['code', 'medicationCodeableConcept', 'vaccineCode', 'type', 'reasonCode'] as const;

function addCodes(value: unknown, index: ReadonlyMap<string, SensitivityCode[]>, into: Set<SensitivityCode>): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) addCodes(item, index, into);
    return;
  }
  const coding = (value as { coding?: unknown }).coding;
  if (!Array.isArray(coding)) return;
  for (const c of coding as Coding[]) {
    if (!c || typeof c.code !== 'string' || typeof c.system !== 'string') continue;
    const labels = index.get(`${c.system}|${c.code}`);
    if (labels) for (const label of labels) into.add(label);
  }
}

/**
 * The labels of an item: sensitivity from `meta.security` (v3 ActCode) and from its clinical codes (shipped sensitive
 * code lists, or the locality's own index), the highest confidentiality in `meta.security`, and sharing flags.
 */
export function labelsOf(resource: Labelled, index: ReadonlyMap<string, SensitivityCode[]> = defaultIndex): ItemLabels {
  const sensitivities = new Set<SensitivityCode>();
  let confidentiality: ItemLabels['confidentiality'];
  let sharedOut = false;
  let isPrivate = false;
  const read = (codings: readonly Coding[] | undefined): void => {
    if (!codings) return;
    for (const c of codings) {
      if (!c) continue;
      if (c.system === CodeSystems.actCode && c.code !== undefined && c.code in Sensitivity) sensitivities.add(c.code as SensitivityCode);
      else if (c.system === CodeSystems.confidentiality && c.code !== undefined && c.code in CONFIDENTIALITY_RANK) {
        const code = c.code as keyof typeof CONFIDENTIALITY_RANK;
        if (confidentiality === undefined || CONFIDENTIALITY_RANK[code] > CONFIDENTIALITY_RANK[confidentiality]) confidentiality = code;
      } else if (c.system === CodeSystems.sharing) {
        if (c.code === SHARING_CODES.shareOut) sharedOut = true;
        else if (c.code === SHARING_CODES.private) isPrivate = true;
      }
    }
  };
  read(resource.meta?.security);
  read(resource.meta?.tag);
  for (const element of CODE_ELEMENTS) addCodes(resource[element], index, sensitivities);
  return { sensitivities: [...sensitivities], confidentiality, sharedOut, private: isPrivate };
}
