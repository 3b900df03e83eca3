import { html, nothing, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { scrollTable } from '../heading/table.js';
import { resultsStyles } from './results.styles.js';
import { trendChart } from './trend-chart.js';
import { toResultRows, toResultSeries, type ResultRow } from '../../view-models/results.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * Test results with reference ranges and abnormal flags in words, a test filter, and a trend chart for every test
 * with two or more numeric results (each with a visually hidden data table).
 *
 * @summary Test results and trends.
 * @csspart base - The section.
 * @cssproperty --idcr-results-abnormal-color - Colour of abnormal flags and points (default NHS red).
 * @cssproperty --idcr-results-line - Trend line colour.
 * @cssproperty --idcr-results-range-fill - Reference range band fill.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrResults extends IdcrHeadingElement {
  static override properties = {
    ...IdcrHeadingElement.properties,
    test: { type: String },
    showCharts: { type: Boolean, attribute: 'show-charts' },
    maxCharts: { type: Number, attribute: 'max-charts' },
  };
  static override styles = [...IdcrHeadingElement.styles, resultsStyles];
  protected readonly headingTitle = 'Test results';
  protected readonly noun = 'test results';
  /** The test key shown (`system|code`), or empty for every test. */
  declare test: string;
  /** Draw trend charts (default true). */
  declare showCharts: boolean;
  /** With every test shown, draw charts only up to this many tests (default 4); choosing one test always draws its chart. */
  declare maxCharts: number;

  constructor() {
    super();
    this.test = '';
    this.showCharts = true;
    this.maxCharts = 4;
  }

  #onFilter(event: Event): void {
    this.test = (event.target as HTMLSelectElement).value;
  }

  #flag(row: ResultRow): TemplateResult {
    if (!row.flag) return html`<span class="source">None</span>`;
    if (row.flag === 'Normal') return html`<span class="flag">Normal</span>`;
    const arrow = row.flag.includes('high') || row.flag === 'High' ? '▲' : row.flag.includes('low') || row.flag === 'Low' ? '▼' : '!';
    return html`<span class="flag flag--abnormal"><span aria-hidden="true">${arrow} </span>${row.flag}</span>`;
  }

  protected renderContent(content: RecordContent): TemplateResult {
    const all = toResultRows(content);
    if (all.length === 0) return html`<p class="fact">No test results have been shared with this record.</p>`;
    const tests = [...new Map(all.map((r) => [r.testKey, r.test])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
    const rows = this.test ? all.filter((r) => r.testKey === this.test) : all;
    const series = toResultSeries(rows);
    const abnormal = rows.filter((r) => r.flag && r.flag !== 'Normal').length;
    return html`<div class="filter">
        <label for="test-filter">Show</label>
        <select id="test-filter" @change=${this.#onFilter} .value=${this.test}>
          <option value="" ?selected=${this.test === ''}>All tests (${all.length} results)</option>
          ${tests.map(([key, name]) => html`<option value=${key} ?selected=${this.test === key}>${name}</option>`)}
        </select>
      </div>
      ${scrollTable(
        'Test results',
        html`<table>
          <caption>
            ${this.test ? `${rows[0]?.test ?? ''} results` : 'Test results'} (${rows.length}${abnormal > 0 ? `, ${abnormal} outside the reference range` : ''})
          </caption>
          <thead>
            <tr>
              <th scope="col">Test</th>
              <th scope="col">Result</th>
              <th scope="col">Reference range</th>
              <th scope="col">Flag</th>
              <th scope="col">Date</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) => html`<tr>
                <th scope="row">${r.test}</th>
                <td>${r.value}</td>
                <td>${r.range}</td>
                <td>${this.#flag(r)}</td>
                <td>${r.date}</td>
                <td class="source">${r.source}</td>
              </tr>`,
            )}
          </tbody>
        </table>`,
      )}
      ${this.showCharts && series.length > 0
        ? html`<h3>Trends</h3>
            ${series.length <= this.maxCharts || this.test
              ? html`<div class="trends">${series.map((s, i) => trendChart(s, `${this.titleId}-trend-${i}`))}</div>`
              : html`<p>${series.length} tests have a trend. Choose one under “Show” to see its chart.</p>`}`
        : nothing}`;
  }
}
