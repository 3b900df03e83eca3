import { CodeSystems } from '@openidcr/model';
import { describe, expect, it } from 'vitest';
import { decide } from '../decision/decide.js';
import { ACUTE, RECORD, USERS, request } from '../decision/scenarios.fixtures.js';
import { labelsOf } from './labels.js';
import { filterRecord } from './filter.js';

/** #17 item 3 at view: an item coded in ICD-10, Read or a SNOMED CT descendant is sensitive even without a label. */
const fromHospital = (id: string, system: string, code: string) => ({
  resourceType: 'Condition',
  id,
  meta: { source: `urn:ods:${ACUTE}`, security: [] as { system?: string; code?: string }[] },
  code: { coding: [{ system, code }] },
});
const ITEMS = [
  fromHospital('acute-b20', CodeSystems.icd10, 'B20.1'),
  fromHospital('acute-o04', CodeSystems.icd10, 'O04.9'),
  fromHospital('acute-read-hiv', CodeSystems.readV2, 'A7881'),
  fromHospital('acute-aids', CodeSystems.snomed, '62479008'),
  fromHospital('acute-diabetes', CodeSystems.icd10, 'E11.9'),
];

describe('sensitive codes by terminology at the point of view [#17 item 3]', () => {
  it('labels unlabelled items from their ICD-10, Read and SNOMED CT codes', () => {
    expect(ITEMS.map((item) => labelsOf(item).sensitivities)).toEqual([['HIV'], ['SEX'], ['HIV'], ['HIV'], []]);
  });

  it("a hospital's ICD-10 B20 and O04 diagnoses do not reach the GP; its other diagnoses do", () => {
    const decision = decide(request(USERS.gpA));
    expect(decision.effect).toBe('permit');
    const { kept } = filterRecord([...RECORD, ...ITEMS], decision);
    const ids = kept.map((r) => (r as { id: string }).id);
    expect(ids).toContain('acute-diabetes');
    for (const hidden of ['acute-b20', 'acute-o04', 'acute-read-hiv', 'acute-aids']) expect(ids).not.toContain(hidden);
  });
});
