import { CodeSystems } from './systems.js';
import type { SensitivityCode } from './security-labels.js';

/**
 * A sensitive category as a value set over the code systems UK records use: SNOMED CT concepts *with their
 * descendants* (expanded through a subsumption table, `SnomedIsA`), ICD-10 codes and blocks (a code covers its
 * subcodes: `B20` covers `B20.1` and `B201`), and Read v2 / CTV3 codes (a Read v2 code ending in dots covers the codes
 * below it: `A788.` covers `A7880`). The shipped sets are starting points taken from the national lists and
 * public code lists named in `source`; a locality with a terminology server expands the national refsets (for
 * example the GP summary data-sharing exclusion refsets `999004381000000103` and siblings) and passes its own.
 */
export interface SensitiveValueSet {
  id: string;
  title: string;
  /** The security label an item earns. */
  label: SensitivityCode;
  /** How the fair processing notice names the category, in plain words. */
  notice: string;
  /** Where the codes come from. */
  source: string;
  /** SNOMED CT concept ids; each includes its descendants. */
  snomed: Record<string, string>;
  /** ICD-10 codes or 3-character categories (`B20`, `O04`, `Z31.2`); each includes its subcodes. */
  icd10: Record<string, string>;
  /** Read v2 codes (`A788.` covers its children) and CTV3 codes. */
  read: Record<string, string>;
}

/**
 * A SNOMED CT subsumption extract: child concept → its parents (|is a|), for the descendants of the sensitive
 * concepts that UK records commonly carry. A locality replaces it with the full transitive closure from its
 * terminology server (`expandSensitiveValueSets(sets, isA)`).
 */
export type SnomedIsA = Readonly<Record<string, readonly string[]>>;

/** The shipped subsumption extract (|is a| edges checked against the SNOMED CT UK edition browser). */
export const SHIPPED_SNOMED_IS_A: SnomedIsA = {
  '62479008': ['86406008'], // AIDS is a HIV infection
  '52079000': ['86406008'], // congenital HIV infection
  '240589008': ['105629000'], // Chlamydia trachomatis infection is a chlamydial infection
  '240557004': ['76272004'], // secondary syphilis is a syphilis
  '57797005': ['386639001'], // induced termination of pregnancy is a termination of pregnancy
  '39406005': ['386639001'], // legal termination of pregnancy
  '370143000': ['35489007'], // major depressive disorder is a depressive disorder
  '35252006': ['58214004'], // disorganised schizophrenia is a schizophrenia
};

/** Shipped sensitive categories. */
export const SensitiveValueSets: readonly SensitiveValueSet[] = [
  {
    id: 'sexual-health',
    title: 'Sexual health and sexually transmitted infections',
    label: 'STD',
    notice: 'sexual health and sexually transmitted infections',
    source: 'SNOMED CT GP summary exclusion refset 999004381000000103 (examples); ICD-10 A50–A64 (infections with a predominantly sexual mode of transmission); Read v2 chapter A9 (syphilis and other venereal diseases)',
    snomed: {
      '8098009': 'Sexually transmitted infectious disease',
      '76272004': 'Syphilis',
      '15628003': 'Gonorrhoea',
      '105629000': 'Chlamydial infection',
      '33839006': 'Genital herpes simplex',
      '431654006': 'Genitourinary medicine clinic',
    },
    icd10: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`A${50 + i}`, 'Infection with a predominantly sexual mode of transmission'])),
    read: { 'A9...': 'Syphilis and other venereal diseases', 'A98..': 'Gonococcal infections' },
  },
  {
    id: 'hiv',
    title: 'HIV',
    label: 'HIV',
    notice: 'HIV',
    source: 'SNOMED CT; ICD-10 B20–B24, Z21, R75; Read/CTV3 from the OpenSAFELY HIV code list (2020-07-13)',
    snomed: {
      '86406008': 'Human immunodeficiency virus infection',
      '165816005': 'Human immunodeficiency virus positive',
      '402916007': 'HIV seropositivity',
    },
    icd10: { B20: 'HIV disease resulting in infectious and parasitic diseases', B21: 'HIV disease resulting in malignant neoplasms', B22: 'HIV disease resulting in other specified diseases', B23: 'HIV disease resulting in other conditions', B24: 'Unspecified HIV disease', Z21: 'Asymptomatic HIV infection status', R75: 'Laboratory evidence of HIV' },
    read: { 'A788.': '(AIDS) or (HIV infection)', '43C3.': 'HIV positive', '65QA.': 'AIDS carrier', '65VE.': 'Notification of AIDS' },
  },
  {
    id: 'ivf',
    title: 'Assisted conception (IVF)',
    label: 'SEX',
    notice: 'fertility treatment',
    source: 'SNOMED CT GP summary exclusion refset 999004371000000100 (examples); ICD-10 Z31.1–Z31.3',
    snomed: { '52637005': 'In vitro fertilisation', '63487001': 'Artificial insemination' },
    icd10: { 'Z31.1': 'Artificial insemination', 'Z31.2': 'In vitro fertilization', 'Z31.3': 'Other assisted fertilization methods' },
    read: {},
  },
  {
    id: 'gender-reassignment',
    title: 'Gender reassignment',
    label: 'SEX',
    notice: 'gender reassignment',
    source: 'SNOMED CT GP summary exclusion refset 999004351000000109 (examples); ICD-10 F64; Read v2 Eu64.',
    snomed: { '407374003': 'Transsexual', '65948000': 'Gender reassignment surgery' },
    icd10: { F64: 'Gender identity disorders' },
    read: { 'Eu64.': '[X]Gender identity disorders' },
  },
  {
    id: 'termination-of-pregnancy',
    title: 'Termination of pregnancy',
    label: 'SEX',
    notice: 'termination of pregnancy',
    source: 'SNOMED CT GP summary exclusion refset 999004361000000107 (examples); ICD-10 O04–O07 (medical, other, unspecified and failed attempted abortion)',
    snomed: { '386639001': 'Termination of pregnancy' },
    icd10: { O04: 'Medical abortion', O05: 'Other abortion', O06: 'Unspecified abortion', O07: 'Failed attempted abortion' },
    read: {},
  },
  {
    id: 'safeguarding',
    title: 'Safeguarding',
    label: 'SDV',
    notice: 'safeguarding concerns and domestic abuse',
    source: 'SNOMED CT; ICD-10 T74 (maltreatment syndromes), Y07 (perpetrator of maltreatment)',
    snomed: { '225936003': 'Suspected child abuse', '397940009': 'Victim of domestic abuse', '95930005': 'Domestic violence' },
    icd10: { T74: 'Maltreatment syndromes', Y07: 'Other maltreatment syndromes' },
    read: {},
  },
  {
    id: 'mental-health',
    title: 'Mental health',
    label: 'PSY',
    notice: 'mental health conditions',
    source: 'SNOMED CT; ICD-10 F20–F48 (psychotic, mood and neurotic disorders); Read v2 E1 (non-organic psychoses) and Eu2–Eu4',
    snomed: { '58214004': 'Schizophrenia', '13746004': 'Bipolar disorder', '35489007': 'Depressive disorder', '197480006': 'Anxiety disorder' },
    icd10: Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`F${20 + i}`, 'Psychotic, mood, neurotic or stress-related disorder'])),
    read: { 'E1...': 'Non-organic psychoses', 'Eu2..': '[X]Schizophrenia, schizotypal and delusional disorders', 'Eu3..': '[X]Mood - affective disorders', 'Eu4..': '[X]Neurotic, stress - related and somoform disorders' },
  },
];

/**
 * Sensitive codes of one code system and the label they earn: exact codes, and (for ICD-10 and Read) prefixes
 * covering every code below them. What the policy and the ingest look codes up in.
 */
export interface SensitiveCodeList {
  id: string;
  title: string;
  label: SensitivityCode;
  system: string;
  codes: Record<string, string>;
  /** Normalised prefixes (ICD-10 without the dot; Read v2 up to the first dot): a code starting with one is in the list. */
  prefixes?: readonly string[];
}

/** A code in the form prefix lists are kept in: upper case, no dot or space for ICD-10; Read v2 up to its first dot. */
export function normaliseHierarchicalCode(system: string, code: string): string {
  const c = code.trim();
  if (system === CodeSystems.icd10) return c.toUpperCase().replace(/[.\s]/g, '');
  const dot = c.indexOf('.');
  return dot < 0 ? c : c.slice(0, dot);
}

/** The value sets as code lists: SNOMED concepts with every descendant the subsumption table knows; ICD-10 and Read as prefixes. */
export function expandSensitiveValueSets(sets: readonly SensitiveValueSet[], isA: SnomedIsA = SHIPPED_SNOMED_IS_A): SensitiveCodeList[] {
  const children = new Map<string, string[]>();
  for (const [child, parents] of Object.entries(isA)) for (const p of parents) children.set(p, [...(children.get(p) ?? []), child]);
  const lists: SensitiveCodeList[] = [];
  for (const set of sets) {
    const snomed: Record<string, string> = {};
    const queue = Object.keys(set.snomed);
    for (const code of queue) snomed[code] = set.snomed[code] ?? `descendant of ${set.title}`;
    while (queue.length > 0) {
      const code = queue.shift()!;
      for (const child of children.get(code) ?? []) {
        if (snomed[child] !== undefined) continue;
        snomed[child] = `descendant of ${snomed[code]}`;
        queue.push(child);
      }
    }
    lists.push({ id: set.id, title: set.title, label: set.label, system: CodeSystems.snomed, codes: snomed });
    if (Object.keys(set.icd10).length > 0) {
      lists.push({ id: set.id, title: set.title, label: set.label, system: CodeSystems.icd10, codes: {}, prefixes: Object.keys(set.icd10).map((c) => normaliseHierarchicalCode(CodeSystems.icd10, c)) });
    }
    if (Object.keys(set.read).length > 0) {
      // A Read v2 code with dots covers its children; CTV3 shares the 5-character codes of Read v2's hierarchy.
      const prefixes = Object.keys(set.read).map((c) => normaliseHierarchicalCode(CodeSystems.readV2, c));
      for (const system of [CodeSystems.readV2, CodeSystems.ctv3]) lists.push({ id: set.id, title: set.title, label: set.label, system, codes: {}, prefixes });
    }
  }
  return lists;
}

/** The shipped value sets, expanded: what ingest and the policy use unless a locality passes its own. */
export const SensitiveCodeLists: readonly SensitiveCodeList[] = expandSensitiveValueSets(SensitiveValueSets);

/** Whether a code is in a list: an exact code, or (ICD-10, Read) under one of its prefixes. */
export function inSensitiveList(list: SensitiveCodeList, system: string, code: string): boolean {
  if (list.system !== system) return false;
  if (Object.hasOwn(list.codes, code)) return true;
  if (!list.prefixes) return false;
  const normal = normaliseHierarchicalCode(system, code);
  return list.prefixes.some((p) => normal.startsWith(p));
}

/** The sensitivity labels a code earns from the given lists (the shipped ones by default). */
export function sensitivityOfCode(
  system: string | undefined,
  code: string | undefined,
  lists: readonly SensitiveCodeList[] = SensitiveCodeLists,
): SensitivityCode[] {
  if (!system || !code) return [];
  const labels = new Set<SensitivityCode>();
  for (const list of lists) if (inSensitiveList(list, system, code)) labels.add(list.label);
  return [...labels];
}

/** The categories a notice names, in plain words, from the same sets the policy applies (`SEX` covers several). */
export function sensitiveCategoriesForNotice(sets: readonly SensitiveValueSet[] = SensitiveValueSets): string[] {
  return sets.map((s) => s.notice);
}
