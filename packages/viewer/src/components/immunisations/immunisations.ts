import { html, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { scrollTable } from '../heading/table.js';
import { toImmunisationRows } from '../../view-models/immunisations.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * Immunisations given (and recorded as not given, with the reason), newest first.
 *
 * @summary Immunisations.
 * @csspart base - The section.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrImmunisations extends IdcrHeadingElement {
  protected readonly headingTitle = 'Immunisations';
  protected readonly noun = 'immunisations';

  protected renderContent(content: RecordContent): TemplateResult {
    const rows = toImmunisationRows(content);
    if (rows.length === 0) return html`<p class="fact">No immunisations have been shared with this record.</p>`;
    return scrollTable(
      'Immunisations',
      html`<table>
        <caption>
          Immunisations (${rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Vaccine</th>
            <th scope="col">Date</th>
            <th scope="col">Dose</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr>
              <th scope="row">${r.vaccine}</th>
              <td>${r.date}</td>
              <td>${r.dose}</td>
              <td>${r.status}</td>
              <td class="source">${r.source}</td>
            </tr>`,
          )}
        </tbody>
      </table>`,
    );
  }
}
