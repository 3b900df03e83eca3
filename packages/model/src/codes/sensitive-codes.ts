import { CodeSystems } from './systems.js';
import type { SensitivityCode } from './security-labels.js';

/**
 * A shipped list of clinical codes that make an item sensitive, and the label they earn.
 * These are starting lists of common SNOMED CT concepts, not the full NHS refsets: a locality with a
 * terminology server should expand the national refsets (e.g. the RCGP sensitive data set) and pass them in.
 */
export interface SensitiveCodeList {
  id: string;
  title: string;
  label: SensitivityCode;
  system: string;
  codes: Record<string, string>;
}

/** Starter sensitive code lists by category. SNOMED CT concept ids with their preferred terms. */
export const SensitiveCodeLists: readonly SensitiveCodeList[] = [
  {
    id: 'sexual-health',
    title: 'Sexual health and sexually transmitted infections',
    label: 'STD',
    system: CodeSystems.snomed,
    codes: {
      '8098009': 'Sexually transmitted infectious disease',
      '76272004': 'Syphilis',
      '15628003': 'Gonorrhoea',
      '105629000': 'Chlamydial infection',
      '33839006': 'Genital herpes simplex',
      '240589008': 'Chlamydia trachomatis infection',
    },
  },
  {
    id: 'hiv',
    title: 'HIV',
    label: 'HIV',
    system: CodeSystems.snomed,
    codes: {
      '86406008': 'Human immunodeficiency virus infection',
      '62479008': 'Acquired immune deficiency syndrome',
      '165816005': 'Human immunodeficiency virus positive',
    },
  },
  {
    id: 'ivf',
    title: 'Assisted conception (IVF)',
    label: 'SEX',
    system: CodeSystems.snomed,
    codes: {
      '52637005': 'In vitro fertilisation',
      '63487001': 'Artificial insemination',
    },
  },
  {
    id: 'gender-reassignment',
    title: 'Gender reassignment',
    label: 'SEX',
    system: CodeSystems.snomed,
    codes: {
      '407374003': 'Transsexual',
      '65948000': 'Gender reassignment surgery',
    },
  },
  {
    id: 'termination-of-pregnancy',
    title: 'Termination of pregnancy',
    label: 'SEX',
    system: CodeSystems.snomed,
    codes: {
      '386639001': 'Termination of pregnancy',
      '57797005': 'Induced termination of pregnancy',
    },
  },
  {
    id: 'safeguarding',
    title: 'Safeguarding',
    label: 'SDV',
    system: CodeSystems.snomed,
    codes: {
      '225936003': 'Suspected child abuse',
      '397940009': 'Victim of domestic abuse',
      '95930005': 'Domestic violence',
    },
  },
  {
    id: 'mental-health',
    title: 'Mental health',
    label: 'PSY',
    system: CodeSystems.snomed,
    codes: {
      '58214004': 'Schizophrenia',
      '13746004': 'Bipolar disorder',
      '35489007': 'Depressive disorder',
      '197480006': 'Anxiety disorder',
    },
  },
];

/** The sensitivity labels a code earns from the given lists (the shipped ones by default). */
export function sensitivityOfCode(
  system: string | undefined,
  code: string | undefined,
  lists: readonly SensitiveCodeList[] = SensitiveCodeLists,
): SensitivityCode[] {
  if (!system || !code) return [];
  const labels = new Set<SensitivityCode>();
  for (const list of lists) if (list.system === system && code in list.codes) labels.add(list.label);
  return [...labels];
}
