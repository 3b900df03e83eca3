import { CodeSystems } from '@openidcr/model';
import { describe, expect, it } from 'vitest';
import { codeSystemUri, defineSourceProfile, sourceProfile } from './profile.js';
import { ShippedProfiles } from './shipped.js';

describe('source profiles [REQ-INT-007]', () => {
  it('fills defaults and validates shipped profiles', () => {
    for (const p of Object.values(ShippedProfiles)) expect(defineSourceProfile(p).ok).toBe(true);
    expect(ShippedProfiles['mental-health'].sensitivity).toEqual(['MH']);
    expect(ShippedProfiles.generic.timeZone).toBe('Europe/London');
    expect(ShippedProfiles['social-care'].quirks.visitsAreEpisodes).toBe(true);
  });

  it('names the field that is wrong', () => {
    const r = defineSourceProfile({ id: 'x', name: 'X', kind: 'acute', odsCode: 'not ods', identifiers: { nhsNumberInPid2: 'yes' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['odsCode', 'identifiers.nhsNumberInPid2']));
      expect(r.issues.find((i) => i.path === 'odsCode')?.message).toMatch(/ODS code/);
    }
    expect(defineSourceProfile({ id: 'x', name: 'X', kind: 'acute', unknownKey: 1 }).ok).toBe(false);
  });

  it('resolves coding-system names: defaults, profile overrides, local fallback', () => {
    const p = sourceProfile({ id: 'p', name: 'P', kind: 'lims', odsCode: 'RXX', codeSystems: { WP: 'https://example.org/wp' } });
    expect(codeSystemUri(p, 'SCT', 'RXX')).toBe(CodeSystems.snomed);
    expect(codeSystemUri(p, 'ln', 'RXX')).toBe(CodeSystems.loinc);
    expect(codeSystemUri(p, 'WP', 'RXX')).toBe('https://example.org/wp');
    expect(codeSystemUri(p, 'L', 'RXX')).toBe('https://openidcr.org/CodeSystem/local/RXX/L');
    expect(codeSystemUri(p, '', 'RXX')).toBeUndefined();
    expect(codeSystemUri(p, 'HL70162', 'RXX')).toBe('http://terminology.hl7.org/CodeSystem/v2-0162');
  });
});
