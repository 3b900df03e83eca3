import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../define/idcr-results.js';
import { resultsFixtures } from './results.fixtures.js';
import { checkFixtures, mount, queryAllDeep, settle, textOf } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-results> [REQ-VIEW-004, REQ-VIEW-010]', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-results', resultsFixtures);
  });

  test('abnormal flags are words with an arrow, computed from the range when the lab gave none', async () => {
    const el = await mount('idcr-results', resultsFixtures[0]!.props);
    const potassium = queryAllDeep(el, 'tbody tr').find((tr) => tr.textContent?.includes('5.9 mmol/L'))!;
    expect(potassium.textContent).toContain('High');
    expect(potassium.textContent).toContain('▲');
    const normal = queryAllDeep(el, 'tbody tr').find((tr) => tr.textContent?.includes('4.2 mmol/L'))!;
    expect(normal.textContent).toContain('None');
  });

  test('one trend chart per test with two or more values, each with a hidden data table and abnormal points as triangles', async () => {
    const el = await mount('idcr-results', resultsFixtures[0]!.props);
    const figures = queryAllDeep(el, 'figure');
    expect(figures.map((f) => f.querySelector('figcaption')!.textContent!.replace(/\s+/g, ' ').trim())).toEqual(['HbA1c trend (mmol/mol)', 'Potassium trend (mmol/L)']);
    const hba1c = figures[0]!;
    expect(hba1c.querySelectorAll('path.point.abnormal')).toHaveLength(3);
    expect(hba1c.querySelectorAll('circle.point')).toHaveLength(2);
    const hidden = hba1c.querySelector('table.visually-hidden')!;
    expect([...hidden.querySelectorAll('tbody th')].map((th) => th.textContent)).toEqual(['01-Mar-2023 09:30', '04-Sep-2023 10:00', '11-Mar-2024 09:15', '16-Sep-2024 09:40', '10-Mar-2025 08:55']);
    expect(hba1c.querySelector('svg')!.getAttribute('role')).toBe('img');
    expect(textOf(hba1c)).toContain('latest 40 mmol/mol');
    // The line goes down as HbA1c falls: each point is lower on screen (larger y) than the one before.
    const ys = [...hba1c.querySelectorAll('.point')].map((p) => p.getBoundingClientRect().top);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  test('the test filter narrows the table and the charts, by keyboard', async () => {
    const el = await mount('idcr-results', resultsFixtures[0]!.props);
    const select = queryAllDeep<HTMLSelectElement>(el, 'select')[0]!;
    select.focus();
    await userEvent.selectOptions(select, 'http://loinc.org|2823-3');
    await settle(el);
    expect(queryAllDeep(el, 'tbody tr').filter((tr) => !tr.closest('table.visually-hidden'))).toHaveLength(2);
    expect(queryAllDeep(el, 'caption')[0]!.textContent).toContain('Potassium results (2, 1 outside the reference range)');
    expect(queryAllDeep(el, 'figure')).toHaveLength(1);
  });
});

describe('<idcr-results> with many tests', () => {
  test('charts wait for a test to be chosen when more than max-charts tests have trends', async () => {
    const el = await mount('idcr-results', { ...resultsFixtures[0]!.props, maxCharts: 1 });
    expect(queryAllDeep(el, 'figure')).toHaveLength(0);
    expect(textOf(el)).toContain('2 tests have a trend. Choose one under “Show” to see its chart.');
    const select = queryAllDeep<HTMLSelectElement>(el, 'select')[0]!;
    await userEvent.selectOptions(select, 'http://loinc.org|4548-4');
    await settle(el);
    expect(queryAllDeep(el, 'figure')).toHaveLength(1);
  });
});
