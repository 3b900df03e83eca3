import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import type { Bundle } from '@openidcr/model';
import { themeStyles } from '../../theme/theme.js';
import { readRecordBundle } from '../../view-models/record-bundle.js';
import { toWardRows, type WardRow } from '../../view-models/virtual-ward.js';
import { outcomeMessages } from '../../view-models/outcome.js';
import { todayIso } from '../../format/clinical.js';
import { emit } from '../../events.js';
import { scrollTable } from '../heading/table.js';
import type { HeadingProblem, HeadingStatus } from '../heading/heading-element.js';

/**
 * A GP practice's "virtual ward": its patients who are in hospital now, with hospital, ward, admission date, days in,
 * and expected discharge, each linking to the record. Give it a Bundle of in-progress inpatient Encounters with their
 * Patients (e.g. `Encounter?status=in-progress&class=IMP&_include=Encounter:subject`).
 *
 * @summary Our patients in hospital.
 * @csspart base - The section.
 * @fires idcr-patient-selected - A patient's record link was followed (cancel the event to handle it in place).
 */
export class IdcrVirtualWard extends LitElement {
  static override properties = {
    bundle: { attribute: false },
    status: { type: String, reflect: true },
    problem: { attribute: false },
    practiceName: { type: String, attribute: 'practice-name' },
    recordHref: { type: String, attribute: 'record-href' },
    today: { type: String },
  };
  static override styles = [
    themeStyles,
    css`
      .days {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];
  declare bundle: Bundle | undefined;
  declare status: HeadingStatus;
  declare problem: HeadingProblem | undefined;
  /** Shown in the title: "Riverside Medical Practice patients in hospital". */
  declare practiceName: string | undefined;
  /** Link to a record, with `{patientId}` and `{nhsNumber}` filled in (default `#patient={patientId}`). */
  declare recordHref: string;
  declare today: string | undefined;

  constructor() {
    super();
    this.status = 'ready';
    this.recordHref = '#patient={patientId}';
  }

  #href(row: WardRow): string {
    return this.recordHref.replace('{patientId}', encodeURIComponent(row.patientId ?? '')).replace('{nhsNumber}', encodeURIComponent(row.nhsNumberDigits ?? ''));
  }

  #follow(event: MouseEvent, row: WardRow): void {
    const proceed = emit(this, 'idcr-patient-selected', { patientId: row.patientId, nhsNumber: row.nhsNumberDigits });
    if (!proceed) event.preventDefault();
  }

  #body(): TemplateResult {
    if (this.status === 'loading') return html`<p role="status" aria-live="polite">Loading patients in hospital…</p>`;
    if (this.status === 'error' || this.status === 'denied') {
      const reasons = outcomeMessages(this.problem?.outcome);
      return html`<div class="notice notice--error" role="alert">
        <p class="fact">${this.status === 'denied' ? 'You do not have access to this list' : 'The list could not be loaded'}</p>
        <p>${reasons.length > 0 ? reasons.join(' ') : (this.problem?.message ?? '')}</p>
      </div>`;
    }
    const content = readRecordBundle(this.bundle);
    const rows = toWardRows(content, this.today ?? todayIso());
    const notices = html`${content.withheld.length > 0 ? html`<div class="notice notice--warning"><p class="fact">Some information is not shown to you</p></div>` : nothing}
    ${content.unanswered.length > 0
      ? html`<div class="notice notice--warning"><p class="fact">This list may be incomplete: not every hospital answered</p><ul>${content.unanswered.map((u) => html`<li>${u.name} did not answer</li>`)}</ul></div>`
      : nothing}`;
    if (rows.length === 0) return html`${notices}<p class="fact">None of the practice's patients is in hospital at the moment.</p>`;
    return html`${notices}
      ${scrollTable(
        'Patients in hospital',
        html`<table>
          <caption>
            ${rows.length} ${rows.length === 1 ? 'patient' : 'patients'} in hospital, longest stay first
          </caption>
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">NHS No.</th>
              <th scope="col">Born</th>
              <th scope="col">Hospital</th>
              <th scope="col">Ward</th>
              <th scope="col">Admitted</th>
              <th scope="col">Days in</th>
              <th scope="col">Expected discharge</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) => html`<tr>
                <th scope="row"><a href=${this.#href(r)} @click=${(e: MouseEvent) => this.#follow(e, r)}>${r.name}</a></th>
                <td style="white-space:nowrap">${r.nhsNumber}</td>
                <td>${r.born}</td>
                <td>${r.hospital}</td>
                <td>${r.ward}</td>
                <td>${r.admitted}</td>
                <td class="days">${r.daysIn ?? 'Not known'}</td>
                <td>${r.expectedDischarge}</td>
              </tr>`,
            )}
          </tbody>
        </table>`,
      )}`;
  }

  override render(): TemplateResult {
    return html`<section part="base" aria-labelledby="ward-title">
      <h2 id="ward-title">${this.practiceName ? `${this.practiceName}: patients in hospital` : 'Patients in hospital'}</h2>
      ${this.#body()}
    </section>`;
  }
}
