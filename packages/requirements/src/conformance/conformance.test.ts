import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../catalogue/load.js';
import { checkConformance, conditionHolds, conformanceToMarkdown, valueAt } from './conformance.js';

describe('conformance report [REQ-REQ-007]', () => {
  const catalogue = loadCatalogue();

  it('reads dot paths and evaluates each kind of condition', () => {
    const config = { consent: { model: 'explicit' }, organisations: [{ ods: 'B86001' }], isa: {} };
    expect(valueAt(config, 'consent.model')).toBe('explicit');
    expect(valueAt(config, 'consent.model.x')).toBeUndefined();
    expect(conditionHolds(config, { path: 'isa', exists: true, explain: 'x' })).toBe(true);
    expect(conditionHolds(config, { path: 'topology', exists: true, explain: 'x' })).toBe(false);
    expect(conditionHolds(config, { path: 'consent.model', equals: 'explicit', explain: 'x' })).toBe(true);
    expect(conditionHolds(config, { path: 'consent.model', in: ['implied-opt-out'], explain: 'x' })).toBe(false);
    expect(conditionHolds(config, { path: 'organisations', nonEmpty: true, explain: 'x' })).toBe(true);
  });

  it('turns off the consent-model requirements the locality did not choose and finds gaps', () => {
    const report = checkConformance(catalogue, { name: 'Test locality', isa: { consentModel: { kind: 'implied-opt-out' } }, organisations: [] });
    const row = (id: string) => report.rows.find((r) => r.id === id)!;
    expect(row('REQ-GOV-005').status).toBe('met');
    expect(row('REQ-GOV-006')).toMatchObject({ status: 'off', because: ['the locality does not use the explicit share-in/share-out model'] });
    expect(row('REQ-REQ-003')).toMatchObject({ status: 'gap', because: ['the configuration lists no organisations'] });
    expect(row('REQ-CIT-001')).toMatchObject({
      status: 'gap',
      because: ['the ISA gives no address for the fair processing notice', 'the ISA gives no contact for objections'],
    });
    expect(report.totals.mustGaps).toEqual(expect.arrayContaining(['REQ-REQ-003', 'REQ-CIT-001']));
    expect(report.totals.met + report.totals.off + report.totals.gap).toBe(catalogue.length);
    const withoutIsa = checkConformance(catalogue, { name: 'Test locality', organisations: [{ ods: 'B86001' }] });
    expect(withoutIsa.rows.find((r) => r.id === 'REQ-GOV-001')).toMatchObject({ status: 'gap', because: ['the configuration has no Information Sharing Agreement'] });
    const md = conformanceToMarkdown(withoutIsa, 'Test locality');
    expect(md).toContain('# Conformance of Test locality');
    expect(md).toContain('- **REQ-GOV-001** (must) Information Sharing Agreement as code — the configuration has no Information Sharing Agreement');
  });
});

describe('conformance checks the running configuration [REQ-REQ-007]', () => {
  const catalogue = loadCatalogue();
  const bradford = { name: 'Bradford-style', isa: { consentModel: { kind: 'explicit-share' } }, organisations: [{ ods: 'B82001' }] };
  const row = (config: unknown, id: string) => checkConformance(catalogue, config).rows.find((r) => r.id === id)!;

  it('fails explicit share-in / share-out when the running app cannot record those consents, and passes when it can', () => {
    expect(row(bradford, 'REQ-GOV-006')).toMatchObject({ status: 'gap', checked: true, because: [expect.stringContaining('cannot record share-out'), expect.stringContaining('cannot record share-in')] });
    expect(row({ ...bradford, provides: { consentCapture: undefined } }, 'REQ-GOV-006').status).toBe('gap');
    const running = { ...bradford, provides: { consentCapture: { shareIn: true, shareOut: true, itemShareOut: true, objection: true, consentToView: true, fhirConsent: true } } };
    expect(row(running, 'REQ-GOV-006')).toMatchObject({ status: 'met', because: [] });
    expect(checkConformance(catalogue, bradford).totals.mustGaps).toContain('REQ-GOV-006');
    expect(checkConformance(catalogue, running).totals.mustGaps).not.toContain('REQ-GOV-006');
  });

  it('fails consent to view when it cannot be recorded', () => {
    const ctv = { name: 'SCR-style', isa: { consentModel: { kind: 'consent-to-view' } }, organisations: [{ ods: 'B82001' }] };
    expect(row(ctv, 'REQ-GOV-008').status).toBe('gap');
    expect(row({ ...ctv, provides: { consentCapture: { consentToView: true } } }, 'REQ-GOV-008').status).toBe('met');
    expect(conformanceToMarkdown(checkConformance(catalogue, ctv), 'SCR-style')).toMatch(/Of those met, \d+ are checked against the configuration/);
  });
});
