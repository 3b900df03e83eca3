import { describe, expect, it } from 'vitest';
import { CATALOGUE } from './catalogue.js';
import { extendCatalogue, loadCatalogue, validateRequirements } from './load.js';
import { CATEGORIES } from './schema.js';

const base = {
  id: 'REQ-LOC-001',
  title: 'Local requirement',
  statement: 'The locality needs this to happen.',
  rationale: 'Because our clinicians asked for it.',
  category: 'viewer',
  priority: 'must',
  acceptance: ['It happens'],
};

describe('catalogue [REQ-REQ-001]', () => {
  it('holds at least 60 valid requirements with unique ids', () => {
    const requirements = loadCatalogue();
    expect(requirements.length).toBeGreaterThanOrEqual(60);
    expect(new Set(requirements.map((r) => r.id)).size).toBe(requirements.length);
  });

  it('covers every category and has Must requirements in each open offer', () => {
    const requirements = loadCatalogue();
    for (const category of CATEGORIES) expect(requirements.some((r) => r.category === category), category).toBe(true);
    for (const category of ['governance', 'citizen', 'viewer', 'integration', 'architecture'] as const)
      expect(requirements.some((r) => r.category === category && r.priority === 'must'), category).toBe(true);
  });

  it('covers the topics real shared care records needed', () => {
    const text = CATALOGUE.map((r) => `${r.title} ${r.statement}`.toLowerCase()).join('\n');
    for (const topic of ['read-only', 'role', 'legitimate relationship', 'opt-out', 'fair processing', 'break', 'audit', 'virtual ward', 'who else is involved', 'pilot', 'benefits', 'launch', 'data quality', 'share-out', 'activat'])
      expect(text, topic).toContain(topic);
  });

  it('rejects a requirement with a bad id, missing acceptance or a duplicate id, naming the field', () => {
    const result = validateRequirements([{ ...base, id: 'GOV-7' }, { ...base, acceptance: [] }, base, base]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(text).toContain('requirements[0] (GOV-7).id: expected an id such as REQ-GOV-007');
    expect(text).toContain('requirements[1] (REQ-LOC-001).acceptance: needs at least one acceptance criterion');
    expect(text).toContain('requirements[3].id: duplicate id REQ-LOC-001 (first at requirements[2])');
  });
});

describe('locality extension [REQ-REQ-005]', () => {
  const catalogue = loadCatalogue();

  it('adds, overrides and removes requirements', () => {
    const result = extendCatalogue(catalogue, {
      add: [base],
      override: [{ id: 'REQ-VIEW-007', priority: 'must' }],
      remove: [{ id: 'REQ-CIT-007', reason: 'Proxy access is handled by the NHS App in our locality' }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.requirements.find((r) => r.id === 'REQ-LOC-001')?.title).toBe('Local requirement');
    expect(result.requirements.find((r) => r.id === 'REQ-VIEW-007')?.priority).toBe('must');
    expect(result.requirements.find((r) => r.id === 'REQ-VIEW-007')?.title).toBe('Virtual ward');
    expect(result.requirements.some((r) => r.id === 'REQ-CIT-007')).toBe(false);
    expect(result.removed).toEqual([{ id: 'REQ-CIT-007', reason: 'Proxy access is handled by the NHS App in our locality' }]);
    expect(result.requirements.length).toBe(catalogue.length);
  });

  it('rejects adding an existing id, overriding or removing an unknown one, and bad values', () => {
    const result = extendCatalogue(catalogue, {
      add: [{ ...base, id: 'REQ-GOV-001' }],
      override: [{ id: 'REQ-XYZ-999', priority: 'must' }],
      remove: [{ id: 'REQ-ABC-001', reason: 'not used here' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(text).toContain('extension.add[0].id: REQ-GOV-001 is already in the catalogue; use override to change it');
    expect(text).toContain('extension.override[0].id: REQ-XYZ-999 is not in the catalogue');
    expect(text).toContain('extension.remove[0].id: REQ-ABC-001 is not in the catalogue');
  });

  it('rejects bad values in an extension file, naming the field', () => {
    const result = extendCatalogue(catalogue, { override: [{ id: 'REQ-GOV-002', priority: 'urgent' }] });
    expect(result.ok === false && result.issues[0]!.path).toBe('extension.override[0].priority');
  });

  it('rejects unknown keys in an extension file', () => {
    const result = extendCatalogue(catalogue, { additions: [] });
    expect(result.ok).toBe(false);
  });
});
