import { describe, expect, it } from 'vitest';
import { CodeSystems } from './systems.js';
import { Confidentiality, Sensitivity, isSensitivityLabel } from './security-labels.js';
import { SensitiveCodeLists, sensitivityOfCode } from './sensitive-codes.js';

describe('code systems and security labels', () => {
  it('uses the canonical URIs', () => {
    expect(CodeSystems.snomed).toBe('http://snomed.info/sct');
    expect(CodeSystems.loinc).toBe('http://loinc.org');
    expect(CodeSystems.confidentiality).toBe('http://terminology.hl7.org/CodeSystem/v3-Confidentiality');
    expect(Confidentiality.R.code).toBe('R');
  });

  it('labels sensitive codes from the shipped lists and nothing else', () => {
    expect(sensitivityOfCode(CodeSystems.snomed, '86406008')).toEqual(['HIV']);
    expect(sensitivityOfCode(CodeSystems.snomed, '15628003')).toEqual(['STD']);
    expect(sensitivityOfCode(CodeSystems.snomed, '44054006')).toEqual([]);
    expect(sensitivityOfCode(CodeSystems.loinc, '86406008')).toEqual([]);
    expect(sensitivityOfCode(undefined, '86406008')).toEqual([]);
  });

  it('ships lists for each category the governance design names', () => {
    expect(SensitiveCodeLists.map((l) => l.id)).toEqual(
      expect.arrayContaining(['sexual-health', 'hiv', 'ivf', 'gender-reassignment', 'termination-of-pregnancy', 'safeguarding']),
    );
    for (const list of SensitiveCodeLists.filter((l) => l.system === CodeSystems.snomed)) for (const code of Object.keys(list.codes)) expect(code).toMatch(/^\d{6,18}$/);
  });

  it('recognises sensitivity labels', () => {
    expect(isSensitivityLabel(Sensitivity.HIV)).toBe(true);
    expect(isSensitivityLabel(Confidentiality.R)).toBe(false);
  });
});
