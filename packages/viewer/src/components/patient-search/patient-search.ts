import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { formatNhsNumber, nhsNumberProblem, normaliseNhsNumber, type Patient } from '@openidcr/model';
import { themeStyles } from '../../theme/theme.js';
import { clientFor, type FhirClient, type FhirError } from '../../fhir-client/client.js';
import { scrollTable } from '../heading/table.js';
import { emit } from '../../events.js';
import { formatBirthDateWithAge, formatGender, formatPatientName, formatAddress, todayIso } from '../../format/clinical.js';
import { nhsNumberOf } from '../../view-models/banner.js';
import { birthDateProblem } from '../../view-models/patient-search.js';

type Mode = 'nhs-number' | 'name';

/**
 * Find a person by NHS number (checked as it is typed: length and check digit) or by family name and date of birth.
 * With `fhir-base-url` it searches and lists matches; either way it fires `idcr-search` for a valid query.
 *
 * @summary Patient search.
 * @csspart base - The form.
 * @fires idcr-search - A valid search was submitted.
 * @fires idcr-patient-selected - A result was chosen.
 */
export class IdcrPatientSearch extends LitElement {
  static override properties = {
    fhirBaseUrl: { type: String, attribute: 'fhir-base-url' },
    token: { attribute: false },
    client: { attribute: false },
    today: { type: String },
    mode: { type: String },
    _nhs: { state: true },
    _family: { state: true },
    _given: { state: true },
    _day: { state: true },
    _month: { state: true },
    _year: { state: true },
    _submitted: { state: true },
    _results: { state: true },
    _error: { state: true },
    _busy: { state: true },
  };
  static override styles = [
    themeStyles,
    css`
      fieldset {
        border: none;
        padding: 0;
        margin: 0 0 1rem;
      }
      legend {
        font-weight: 600;
        margin-bottom: 0.5rem;
        padding: 0;
      }
      .radios {
        display: flex;
        gap: 1.5rem;
        flex-wrap: wrap;
      }
      .radios label {
        display: inline-flex;
        gap: 0.5rem;
        align-items: center;
        min-height: 2.75rem;
      }
      input[type='radio'] {
        width: 1.5rem;
        height: 1.5rem;
        min-height: 0;
        margin: 0;
      }
      .field {
        margin-bottom: 1rem;
      }
      .field > label,
      .date label {
        display: block;
        font-weight: 600;
      }
      .hint {
        color: var(--_sys-text-secondary);
        margin: 0 0 0.25rem;
      }
      .error {
        color: var(--_sys-alert);
        font-weight: 600;
        margin: 0 0 0.25rem;
      }
      .ok {
        color: var(--_sys-success);
        font-weight: 600;
        margin: 0.25rem 0 0;
      }
      .invalid input,
      input[aria-invalid='true'] {
        border-color: var(--_sys-alert);
      }
      .field--error {
        border-left: 4px solid var(--_sys-alert);
        padding-left: 1rem;
      }
      #nhs {
        width: 10em;
        letter-spacing: 0.05em;
      }
      .date {
        display: flex;
        gap: 1rem;
      }
      .date input {
        width: 3.5em;
      }
      .date .year {
        width: 5em;
      }
    `,
  ];

  declare fhirBaseUrl: string | undefined;
  declare token: string | undefined;
  declare client: FhirClient | undefined;
  declare today: string | undefined;
  /** `nhs-number` (default) or `name`. */
  declare mode: Mode;
  declare _nhs: string;
  declare _family: string;
  declare _given: string;
  declare _day: string;
  declare _month: string;
  declare _year: string;
  declare _submitted: boolean;
  declare _results: Patient[] | undefined;
  declare _error: FhirError | undefined;
  declare _busy: boolean;

  constructor() {
    super();
    this.mode = 'nhs-number';
    this._nhs = this._family = this._given = this._day = this._month = this._year = '';
    this._submitted = false;
    this._busy = false;
  }

  /** The NHS number problem to show now: while typing only once it cannot become valid or is complete. */
  #nhsProblem(): string | undefined {
    const digits = normaliseNhsNumber(this._nhs);
    const problem = nhsNumberProblem(this._nhs);
    if (!problem) return undefined;
    if (this._submitted) return problem;
    if (digits.length === 0) return undefined;
    if (!/^\d+$/.test(digits) || digits.length >= 10) return problem;
    return undefined;
  }

  #familyProblem(): string | undefined {
    return this._submitted && !this._family.trim() ? 'Enter a family name' : undefined;
  }

  #dateProblem(): string | undefined {
    const typed = this._day || this._month || this._year;
    const complete = this._year.length === 4;
    if (!this._submitted && !(typed && complete)) return undefined;
    return birthDateProblem(this._day, this._month, this._year, this.today ?? todayIso()).problem;
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    this._submitted = true;
    await this.updateComplete;
    if (this.mode === 'nhs-number') {
      if (this.#nhsProblem()) return (this.renderRoot.querySelector('#nhs') as HTMLInputElement).focus();
      const nhsNumber = normaliseNhsNumber(this._nhs);
      emit(this, 'idcr-search', { by: 'nhs-number', nhsNumber });
      await this.#search((c) => c.findByNhsNumber(nhsNumber));
    } else {
      if (this.#familyProblem()) return (this.renderRoot.querySelector('#family') as HTMLInputElement).focus();
      if (this.#dateProblem()) return (this.renderRoot.querySelector('#dob-day') as HTMLInputElement).focus();
      const birthDate = birthDateProblem(this._day, this._month, this._year, this.today ?? todayIso()).iso!;
      emit(this, 'idcr-search', { by: 'name', family: this._family.trim(), given: this._given.trim(), birthDate });
      await this.#search((c) => c.findByNameAndBirthDate(this._family, birthDate));
    }
  }

  async #search(run: (client: FhirClient) => ReturnType<FhirClient['findByNhsNumber']>): Promise<void> {
    const client = clientFor(this.client, this.fhirBaseUrl, this.token);
    if (!client) return;
    this._busy = true;
    this._error = undefined;
    const result = await run(client);
    this._busy = false;
    if (result.ok) this._results = result.value;
    else {
      this._results = undefined;
      this._error = result.error;
    }
  }

  #select(patient: Patient): void {
    emit(this, 'idcr-patient-selected', { patientId: patient.id, nhsNumber: nhsNumberOf(patient), patient });
  }

  #setMode(mode: Mode): void {
    this.mode = mode;
    this._submitted = false;
  }

  #renderResults(): TemplateResult | typeof nothing {
    if (this._busy) return html`<p role="status">Searching…</p>`;
    if (this._error) return html`<div class="notice notice--error" role="alert"><p class="fact">The search did not work</p><p>${this._error.message}</p></div>`;
    if (!this._results) return nothing;
    if (this._results.length === 0) return html`<p class="fact" role="status">No patient found. Check the details and try again.</p>`;
    return scrollTable(
      'Search results',
      html`<table>
        <caption>
          ${this._results.length} ${this._results.length === 1 ? 'patient' : 'patients'} found
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">NHS No.</th>
            <th scope="col">Born</th>
            <th scope="col">Gender</th>
            <th scope="col">Address</th>
            <th scope="col"><span class="visually-hidden">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${this._results.map((p) => {
            const nhs = nhsNumberOf(p);
            const name = formatPatientName(p.name);
            return html`<tr>
              <th scope="row">${name}</th>
              <td style="white-space:nowrap">${nhs ? formatNhsNumber(nhs) : 'Not known'}</td>
              <td>${formatBirthDateWithAge(p.birthDate, this.today ?? todayIso())}</td>
              <td>${formatGender(p.gender)}</td>
              <td>${formatAddress(p.address)}</td>
              <td><button type="button" class="secondary" @click=${() => this.#select(p)}>Open record<span class="visually-hidden"> of ${name}</span></button></td>
            </tr>`;
          })}
        </tbody>
      </table>`,
    );
  }

  override render(): TemplateResult {
    const nhsProblem = this.#nhsProblem();
    const nhsValid = normaliseNhsNumber(this._nhs).length === 10 && !nhsNumberProblem(this._nhs);
    const familyProblem = this.#familyProblem();
    const dateProblem = this.#dateProblem();
    return html`<form part="base" role="search" aria-label="Find a patient" @submit=${(e: Event) => this.#submit(e)} novalidate>
        <fieldset>
          <legend>Search by</legend>
          <div class="radios">
            <label><input type="radio" name="mode" value="nhs-number" .checked=${this.mode === 'nhs-number'} @change=${() => this.#setMode('nhs-number')} /> NHS number</label>
            <label><input type="radio" name="mode" value="name" .checked=${this.mode === 'name'} @change=${() => this.#setMode('name')} /> Name and date of birth</label>
          </div>
        </fieldset>
        ${this.mode === 'nhs-number'
          ? html`<div class="field ${nhsProblem ? 'field--error' : ''}">
              <label for="nhs">NHS number</label>
              <p class="hint" id="nhs-hint">10 digits, like 943 476 5919</p>
              ${nhsProblem ? html`<p class="error" id="nhs-error"><span class="visually-hidden">Error:</span> ${nhsProblem}</p>` : nothing}
              <input
                id="nhs"
                name="nhs-number"
                inputmode="numeric"
                autocomplete="off"
                spellcheck="false"
                aria-describedby=${nhsProblem ? 'nhs-hint nhs-error' : 'nhs-hint'}
                aria-invalid=${nhsProblem ? 'true' : 'false'}
                .value=${this._nhs}
                @input=${(e: Event) => (this._nhs = (e.target as HTMLInputElement).value)}
              />
              <p class="ok" aria-live="polite">${nhsValid ? html`<span aria-hidden="true">✓ </span>${formatNhsNumber(this._nhs)} is a valid NHS number` : ''}</p>
            </div>`
          : html`<div class="field ${familyProblem ? 'field--error' : ''}">
                <label for="family">Family name</label>
                ${familyProblem ? html`<p class="error" id="family-error"><span class="visually-hidden">Error:</span> ${familyProblem}</p>` : nothing}
                <input id="family" name="family" autocomplete="off" aria-invalid=${familyProblem ? 'true' : 'false'} aria-describedby=${familyProblem ? 'family-error' : nothing} .value=${this._family} @input=${(e: Event) => (this._family = (e.target as HTMLInputElement).value)} />
              </div>
              <div class="field">
                <label for="given">Given name (optional)</label>
                <input id="given" name="given" autocomplete="off" .value=${this._given} @input=${(e: Event) => (this._given = (e.target as HTMLInputElement).value)} />
              </div>
              <fieldset class="field ${dateProblem ? 'field--error' : ''}" role="group" aria-describedby=${dateProblem ? 'dob-hint dob-error' : 'dob-hint'}>
                <legend>Date of birth</legend>
                <p class="hint" id="dob-hint">For example, 12 3 1960</p>
                ${dateProblem ? html`<p class="error" id="dob-error"><span class="visually-hidden">Error:</span> ${dateProblem}</p>` : nothing}
                <div class="date ${dateProblem ? 'invalid' : ''}">
                  <div><label for="dob-day">Day</label><input id="dob-day" inputmode="numeric" maxlength="2" .value=${this._day} @input=${(e: Event) => (this._day = (e.target as HTMLInputElement).value)} /></div>
                  <div><label for="dob-month">Month</label><input id="dob-month" inputmode="numeric" maxlength="2" .value=${this._month} @input=${(e: Event) => (this._month = (e.target as HTMLInputElement).value)} /></div>
                  <div><label for="dob-year">Year</label><input id="dob-year" class="year" inputmode="numeric" maxlength="4" .value=${this._year} @input=${(e: Event) => (this._year = (e.target as HTMLInputElement).value)} /></div>
                </div>
              </fieldset>`}
        <button type="submit">Search</button>
      </form>
      ${this.#renderResults()}`;
  }
}
