import { html, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { scrollTable } from '../heading/table.js';
import { toMedicationsView, type MedicationRow } from '../../view-models/medications.js';
import type { RecordContent } from '../../view-models/record-bundle.js';
import { todayIso } from '../../format/clinical.js';

/**
 * Medications: current, then past, each with dose, dates, status and the organisation that recorded it.
 *
 * @summary Current and past medications.
 * @csspart base - The section.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrMedications extends IdcrHeadingElement {
  static override properties = { ...IdcrHeadingElement.properties, today: { type: String }, showPast: { type: Boolean, attribute: 'show-past' } };
  protected readonly headingTitle = 'Medications';
  protected readonly noun = 'medications';
  /** The date that decides current from past (`YYYY-MM-DD`); today by default. */
  declare today: string | undefined;
  /** Show past medications too (default true). */
  declare showPast: boolean;

  constructor() {
    super();
    this.showPast = true;
  }

  #table(caption: string, rows: MedicationRow[], empty: string): TemplateResult {
    if (rows.length === 0) return html`<p class="fact">${empty}</p>`;
    return scrollTable(caption, html`
      <table>
        <caption>
          ${caption} (${rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Medicine</th>
            <th scope="col">Dose</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr>
              <th scope="row">${row.medicine}</th>
              <td>${row.dose}</td>
              <td>${row.started}</td>
              <td>${row.ended}</td>
              <td>${row.status}</td>
              <td class="source">${row.source}</td>
            </tr>`,
          )}
        </tbody>
      </table>`);
  }

  protected renderContent(content: RecordContent): TemplateResult {
    const view = toMedicationsView(content, this.today ?? todayIso());
    if (view.current.length === 0 && view.past.length === 0) return html`<p class="fact">No medications have been shared with this record.</p>`;
    return html`${this.#table('Current medications', view.current, 'No current medications recorded.')}
    ${this.showPast ? this.#table('Past medications', view.past, 'No past medications recorded.') : ''}`;
  }
}
