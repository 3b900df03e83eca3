import { html, nothing, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { scrollTable } from '../heading/table.js';
import { INVOLVEMENT_TITLES, toCareTeamRows, type Involvement } from '../../view-models/care-team.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * "Who else is involved": the registered GP practice, health teams and named professionals, and social care
 * involvement with the allocated worker.
 *
 * @summary Care team, GP and social care involvement.
 * @csspart base - The section.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrCareTeam extends IdcrHeadingElement {
  protected readonly headingTitle = 'Who else is involved';
  protected readonly noun = 'care team';

  protected renderContent(content: RecordContent): TemplateResult {
    const rows = toCareTeamRows(content);
    if (rows.length === 0) return html`<p class="fact">No care team, GP or social care involvement has been shared with this record.</p>`;
    const groups = (Object.keys(INVOLVEMENT_TITLES) as Involvement[]).map((k) => [k, rows.filter((r) => r.involvement === k)] as const);
    const social = groups.find(([k]) => k === 'social-care')![1];
    return html`${groups.map(([kind, list]) =>
      list.length === 0
        ? nothing
        : scrollTable(
            INVOLVEMENT_TITLES[kind],
            html`<table>
              <caption>
                ${INVOLVEMENT_TITLES[kind]} (${list.length})
              </caption>
              <thead>
                <tr>
                  <th scope="col">Team or service</th>
                  <th scope="col">Organisation</th>
                  <th scope="col">People</th>
                  <th scope="col">Since</th>
                  <th scope="col">Contact</th>
                </tr>
              </thead>
              <tbody>
                ${list.map(
                  (r) => html`<tr>
                    <th scope="row">${r.team}</th>
                    <td>${r.organisation}</td>
                    <td>${r.people.length > 0 ? r.people.map((p) => html`<div>${p.name}${p.role ? html` <span class="source">(${p.role})</span>` : nothing}</div>`) : 'Not known'}</td>
                    <td>${r.since}</td>
                    <td>${r.contact ?? 'Not known'}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`,
          ),
    )}
    ${social.length === 0 ? html`<p class="fact">No social care involvement has been shared with this record.</p>` : nothing}`;
  }
}
