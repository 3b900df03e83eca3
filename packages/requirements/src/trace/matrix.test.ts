import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../catalogue/load.js';
import { buildMatrix } from './matrix.js';
import { matrixToHtml, matrixToMarkdown } from './render.js';
import { readVitestJson, requirementIdsIn } from './results.js';

export const vitestReport = (root: string) => ({
  numTotalTests: 5,
  testResults: [
    {
      name: `${root}/packages/governance/src/decide.test.ts`,
      assertionResults: [
        { ancestorTitles: ['decide [REQ-GOV-004]'], title: 'suspended party hidden', fullName: 'decide [REQ-GOV-004] suspended party hidden', status: 'passed' },
        { ancestorTitles: ['decide'], title: 'pharmacist view [REQ-GOV-010, REQ-GOV-017]', fullName: 'decide pharmacist view [REQ-GOV-010, REQ-GOV-017]', status: 'passed' },
        { ancestorTitles: ['decide'], title: 'break-glass [REQ-GOV-013]', fullName: 'decide break-glass [REQ-GOV-013]', status: 'failed' },
        { ancestorTitles: ['decide'], title: 'typo [REQ-GOV-999]', fullName: 'decide typo [REQ-GOV-999]', status: 'passed' },
        { ancestorTitles: ['decide'], title: 'later [REQ-GOV-015]', fullName: 'decide later [REQ-GOV-015]', status: 'skipped' },
      ],
    },
  ],
});

describe('traceability matrix [REQ-REQ-006]', () => {
  it('finds requirement ids only inside square brackets', () => {
    expect(requirementIdsIn('x [REQ-GOV-007] y')).toEqual(['REQ-GOV-007']);
    expect(requirementIdsIn('[REQ-GOV-007, REQ-SEC-001] and [REQ-GOV-007]')).toEqual(['REQ-GOV-007', 'REQ-SEC-001']);
    expect(requirementIdsIn('mentions REQ-GOV-007 without brackets')).toEqual([]);
  });

  it('links requirements to tests and marks passed, failed and missing', () => {
    const read = readVitestJson(vitestReport('/repo'), '/repo');
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const matrix = buildMatrix(loadCatalogue(), read.tests, { now: new Date('2026-11-22T12:00:00Z') });
    const row = (id: string) => matrix.requirements.find((r) => r.id === id)!;
    expect(row('REQ-GOV-004')).toMatchObject({ status: 'passed', tests: [{ file: 'packages/governance/src/decide.test.ts', status: 'passed' }] });
    expect(row('REQ-GOV-010').status).toBe('passed');
    expect(row('REQ-GOV-017').status).toBe('passed');
    expect(row('REQ-GOV-013').status).toBe('failed');
    expect(row('REQ-GOV-015').status).toBe('missing');
    expect(row('REQ-VIEW-001').status).toBe('missing');
    expect(matrix.unknownIds).toEqual([{ id: 'REQ-GOV-999', tests: ['packages/governance/src/decide.test.ts > decide typo [REQ-GOV-999]'] }]);
    expect(matrix.overall.mustNotPassing).toContain('REQ-GOV-013');
    expect(matrix.overall.mustNotPassing).not.toContain('REQ-GOV-004');
    const gov = matrix.totals.find((t) => t.category === 'governance')!;
    expect(gov.passed).toBe(3);
    expect(gov.failed).toBe(1);
    expect(gov.passed + gov.failed + gov.missing).toBe(gov.total);
  });

  it('renders Markdown and escaped, accessible HTML', () => {
    const read = readVitestJson(vitestReport('/repo'), '/repo');
    if (!read.ok) throw new Error(read.error);
    const matrix = buildMatrix(loadCatalogue(), [{ file: 'a.test.ts', name: '<script>x</script> [REQ-GOV-004]', status: 'passed', requirementIds: ['REQ-GOV-004'] }], {
      now: new Date('2026-11-22T12:00:00Z'),
    });
    const html = matrixToHtml(matrix);
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('<caption>Requirements and the tests that prove them</caption>');
    expect(html).toContain('<th scope="row">REQ-GOV-004</th>');
    const md = matrixToMarkdown(matrix);
    expect(md).toContain('| REQ-GOV-004 | must | Information Sharing Agreement as code |'.replace('Information Sharing Agreement as code', 'ISA enforced on every view'));
  });

  it('rejects a file that is not a Vitest report, naming the problem', () => {
    const result = readVitestJson({ results: [] });
    expect(result).toEqual({ ok: false, error: 'not a Vitest JSON report: testResults: Invalid input: expected array, received undefined' });
  });
});
