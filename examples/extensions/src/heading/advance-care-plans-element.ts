import { html, type TemplateResult } from 'lit';
import { HEADING_ELEMENTS, type RecordContent } from '@openidcr/viewer';
import { IdcrHeadingElement } from '@openidcr/viewer/components/heading/heading-element.js';
import { scrollTable } from '@openidcr/viewer/components/heading/table.js';
import { toAdvanceCarePlanRows } from './advance-care-plans.js';

// #region element
/**
 * Advance care plans and ReSPECT forms. The base class gives it every state a heading has — loading, error, denied
 * with break-glass, withheld items, sources that did not answer — so only the ready state is written here.
 *
 * @summary Advance care plans and ReSPECT.
 * @csspart base - The section.
 */
export class NcrAdvanceCarePlans extends IdcrHeadingElement {
  protected readonly headingTitle = 'Advance care plans and ReSPECT';
  protected readonly noun = 'advance care plans';

  protected renderContent(content: RecordContent): TemplateResult {
    const rows = toAdvanceCarePlanRows(content);
    if (rows.length === 0) return html`<p class="fact">No advance care plans have been shared with this record.</p>`;
    return scrollTable(
      'Advance care plans',
      html`<table>
        <caption>
          Advance care plans (${rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Plan</th>
            <th scope="col">Summary</th>
            <th scope="col">Agreed</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr>
              <th scope="row">${row.plan}</th>
              <td>${row.summary}</td>
              <td>${row.agreed}</td>
              <td>${row.status}</td>
              <td class="source">${row.source}</td>
            </tr>`,
          )}
        </tbody>
      </table>`,
    );
  }
}

/** Registers the element and tells `<idcr-record>` to show the heading in it (a tab titled from the registry). */
export function defineAdvanceCarePlansElement(tag = 'ncr-advance-care-plans'): void {
  if (!customElements.get(tag)) customElements.define(tag, NcrAdvanceCarePlans);
  HEADING_ELEMENTS['advance-care-plans'] = tag;
}
// #endregion element
