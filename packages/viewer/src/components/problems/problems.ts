import { html, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { scrollTable } from '../heading/table.js';
import { toProblemRows, type ProblemRow } from '../../view-models/problems.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * Problems and diagnoses: active, then past, with onset and the organisation that recorded each.
 *
 * @summary Problems and diagnoses.
 * @csspart base - The section.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrProblems extends IdcrHeadingElement {
  protected readonly headingTitle = 'Problems and diagnoses';
  protected readonly noun = 'problems';

  #table(caption: string, rows: ProblemRow[], past: boolean): TemplateResult {
    return scrollTable(
      caption,
      html`<table>
        <caption>
          ${caption} (${rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Problem</th>
            <th scope="col">Onset</th>
            ${past ? html`<th scope="col">Ended</th>` : ''}
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr>
              <th scope="row">${r.problem}</th>
              <td>${r.onset}</td>
              ${past ? html`<td>${r.ended ?? 'Not known'}</td>` : ''}
              <td class="source">${r.source}</td>
            </tr>`,
          )}
        </tbody>
      </table>`,
    );
  }

  protected renderContent(content: RecordContent): TemplateResult {
    const { active, past } = toProblemRows(content);
    if (active.length === 0 && past.length === 0) return html`<p class="fact">No problems or diagnoses have been shared with this record.</p>`;
    return html`${active.length > 0 ? this.#table('Active problems', active, false) : html`<p class="fact">No active problems recorded.</p>`}
    ${past.length > 0 ? this.#table('Past problems', past, true) : ''}`;
  }
}
