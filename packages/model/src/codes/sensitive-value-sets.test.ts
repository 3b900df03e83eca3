import { describe, expect, it } from 'vitest';
import { CodeSystems } from './systems.js';
import { expandSensitiveValueSets, sensitiveCategoriesForNotice, SensitiveValueSets, sensitivityOfCode } from './sensitive-codes.js';

/** #17 item 3: each category, by codes from each code system UK records carry (a descendant, a subcode, a child). */
const CASES: Record<string, { label: string; snomed: string[]; icd10: string[]; read?: string[]; ctv3?: string[] }> = {
  'sexual-health': { label: 'STD', snomed: ['15628003', '240589008', '240557004'], icd10: ['A54.9', 'A56', 'A64'], read: ['A9...', 'A98..'], ctv3: ['A98..'] },
  hiv: { label: 'HIV', snomed: ['86406008', '62479008', '165816005'], icd10: ['B20', 'B24', 'B20.1', 'Z21'], read: ['A788.', 'A7881', '43C3.'], ctv3: ['A788y', '43C3.'] },
  ivf: { label: 'SEX', snomed: ['52637005'], icd10: ['Z31.2', 'Z312'] },
  'gender-reassignment': { label: 'SEX', snomed: ['407374003'], icd10: ['F64.0'], read: ['Eu64.', 'Eu640'] },
  'termination-of-pregnancy': { label: 'SEX', snomed: ['386639001', '57797005', '39406005'], icd10: ['O04', 'O04.9', 'O05.1'] },
  safeguarding: { label: 'SDV', snomed: ['225936003'], icd10: ['T74.1', 'Y07'] },
  'mental-health': { label: 'PSY', snomed: ['58214004', '35252006', '370143000'], icd10: ['F20.0', 'F32', 'F41.1'], read: ['E10..', 'Eu32.'], ctv3: ['E10..'] },
};

describe('sensitive categories as value sets over SNOMED CT, ICD-10 and Read [#17 item 3]', () => {
  for (const set of SensitiveValueSets) {
    const c = CASES[set.id];
    it(`${set.id}: ${[c?.snomed.length && 'SNOMED CT (with descendants)', c?.icd10.length && 'ICD-10 (with subcodes)', c?.read?.length && 'Read v2', c?.ctv3?.length && 'CTV3'].filter(Boolean).join(', ')}`, () => {
      expect(c, `a test case for ${set.id}`).toBeDefined();
      expect(set.label).toBe(c!.label);
      for (const code of c!.snomed) expect(sensitivityOfCode(CodeSystems.snomed, code), `SNOMED ${code}`).toContain(c!.label);
      for (const code of c!.icd10) expect(sensitivityOfCode(CodeSystems.icd10, code), `ICD-10 ${code}`).toContain(c!.label);
      for (const code of c!.read ?? []) expect(sensitivityOfCode(CodeSystems.readV2, code), `Read ${code}`).toContain(c!.label);
      for (const code of c!.ctv3 ?? []) expect(sensitivityOfCode(CodeSystems.ctv3, code), `CTV3 ${code}`).toContain(c!.label);
    });
  }

  it('codes outside the sets, and the right code in the wrong system, earn nothing', () => {
    expect(sensitivityOfCode(CodeSystems.icd10, 'B19')).toEqual([]); // viral hepatitis, next to HIV's block
    expect(sensitivityOfCode(CodeSystems.icd10, 'O03')).toEqual([]); // spontaneous abortion (miscarriage)
    expect(sensitivityOfCode(CodeSystems.icd10, 'A49')).toEqual([]);
    expect(sensitivityOfCode(CodeSystems.snomed, '44054006')).toEqual([]); // diabetes mellitus type 2
    expect(sensitivityOfCode(CodeSystems.readV2, 'A787.')).toEqual([]);
    expect(sensitivityOfCode(CodeSystems.loinc, 'B20')).toEqual([]);
  });

  it('a locality subsumption table extends SNOMED CT descendants', () => {
    const lists = expandSensitiveValueSets(SensitiveValueSets, { '1234567001': ['999999001'], '999999001': ['86406008'] });
    expect(sensitivityOfCode(CodeSystems.snomed, '1234567001', lists)).toEqual(['HIV']);
    expect(sensitivityOfCode(CodeSystems.snomed, '1234567001')).toEqual([]);
  });

  it('the notice names every category the sets hold', () => {
    expect(sensitiveCategoriesForNotice()).toEqual(SensitiveValueSets.map((s) => s.notice));
    expect(sensitiveCategoriesForNotice()).toContain('HIV');
  });
});
