import { html, nothing, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { scrollTable } from '../heading/table.js';
import { toAllergiesView } from '../../view-models/allergies.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * Allergies and adverse reactions. Tells apart a record that says "no known allergies" (a fact someone recorded) from
 * one where nothing was shared (which says nothing about allergies).
 *
 * @summary Allergies and adverse reactions, or a statement that none are known.
 * @csspart base - The section.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrAllergies extends IdcrHeadingElement {
  protected readonly headingTitle = 'Allergies and adverse reactions';
  protected readonly noun = 'allergies';

  protected renderContent(content: RecordContent): TemplateResult {
    const view = toAllergiesView(content, content.withheld.length === 0);
    if (view.rows.length === 0) {
      if (view.noKnownAllergies)
        return html`<p class="fact" data-state="no-known-allergies">No known allergies</p>
          <p class="source">Recorded ${view.noKnownAllergies.recorded} by ${view.noKnownAllergies.source}</p>`;
      if (view.state === 'Allergies unavailable')
        return html`<p class="fact" data-state="unavailable">Allergies unavailable: some allergy information is not shown to you. Ask the person or their GP.</p>`;
      return html`<p class="fact" data-state="not-recorded">Allergies not recorded</p>
        <p>No allergy information has been shared with this record. This does not mean the person has no allergies.</p>`;
    }
    return scrollTable('Known allergies and adverse reactions', html`
      <table>
        <caption>
          Known allergies and adverse reactions (${view.rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Substance</th>
            <th scope="col">Reaction</th>
            <th scope="col">Severity</th>
            <th scope="col">Type</th>
            <th scope="col">Recorded</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          ${view.rows.map(
            (row) => html`<tr>
              <th scope="row">${row.substance} ${row.criticality ? html`<span class="tag tag--alert">${row.criticality}</span>` : nothing}</th>
              <td>${row.reactions}</td>
              <td>${row.severity}</td>
              <td>${row.category}</td>
              <td>${row.recorded}</td>
              <td class="source">${row.source}</td>
            </tr>`,
          )}
        </tbody>
      </table>`);
  }
}
