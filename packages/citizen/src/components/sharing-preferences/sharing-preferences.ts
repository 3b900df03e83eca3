import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { ConsentReceipt, PreferencesView, SharingDecision } from '../../preferences/preferences.js';
import { themeStyles } from '../../theme/theme.js';
import { sharingPreferencesStyles } from './sharing-preferences.styles.js';
import { formatDateTime } from '../../format/format.js';
import { emit } from '../../events/events.js';

export type SharingPreferencesStatus = 'ready' | 'loading' | 'saving' | 'error';

/**
 * The person's choices about sharing their record, from `GET /citizen/me/preferences`: where they stand now, a form to
 * opt out or back in (for the whole record or one organisation), the confirmation with its reference number, and the
 * history of their choices. The host sends the choice (`PUT /citizen/me/preferences`) and sets `receipt`.
 *
 * @summary Opt out of sharing, or back in, with a receipt.
 * @fires idcr-preference-change - The person saved a choice; `detail` is the request body (`decision`, `organisation`).
 * @csspart base - The section wrapping the component.
 * @csspart receipt - The confirmation panel.
 * @cssproperty --idcr-preferences-status-border - Left border of the current-status panel when shared.
 * @cssproperty --idcr-preferences-opted-out-border - Left border of the current-status panel when opted out.
 * @cssproperty --idcr-preferences-receipt-border - Border of the confirmation panel.
 */
export class IdcrSharingPreferences extends LitElement {
  static override properties = {
    preferences: { attribute: false },
    receipt: { attribute: false },
    status: { type: String, reflect: true },
    errorMessage: { type: String, attribute: 'error-message' },
    _decision: { state: true },
    _organisation: { state: true },
    _about: { state: true },
    _problem: { state: true },
  };

  static override styles = [themeStyles, sharingPreferencesStyles];

  declare preferences: PreferencesView | undefined;
  /** The confirmation of the last choice saved; shown above the form and focused. */
  declare receipt: ConsentReceipt | undefined;
  declare status: SharingPreferencesStatus;
  declare errorMessage: string | undefined;
  declare _decision: SharingDecision | undefined;
  declare _organisation: string;
  declare _about: 'record' | 'share-out' | 'share-in';
  declare _problem: string | undefined;

  constructor() {
    super();
    this.status = 'ready';
    this._organisation = '';
    this._about = 'record';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('receipt') && this.receipt) (this.renderRoot.querySelector('.receipt') as HTMLElement | null)?.focus();
  }

  #submit(event: Event): void {
    event.preventDefault();
    if (!this._decision) {
      this._problem = 'Choose whether your record may be shared';
      void this.updateComplete.then(() => (this.renderRoot.querySelector('input[name="decision"]') as HTMLInputElement | null)?.focus());
      return;
    }
    if (this._about !== 'record' && !this._organisation) {
      this._problem = 'Choose the organisation this choice is about';
      void this.updateComplete.then(() => (this.renderRoot.querySelector('#organisation') as HTMLSelectElement | null)?.focus());
      return;
    }
    this._problem = undefined;
    emit(this, 'idcr-preference-change', { decision: this._decision, ...(this._organisation ? { organisation: this._organisation } : {}), ...(this._about !== 'record' ? { about: this._about } : {}) });
  }

  protected override render(): TemplateResult {
    return html`<section part="base" aria-labelledby="title" aria-busy=${this.status === 'loading' ? 'true' : 'false'}>
      <h2 id="title">Your choices about sharing your record</h2>
      ${this.#body()}
    </section>`;
  }

  #body(): TemplateResult {
    if (this.status === 'loading') return html`<p class="state" role="status">Loading your choices…</p>`;
    if (this.status === 'error' && !this.preferences)
      return html`<div class="state" role="alert"><p><strong>Sorry, we cannot show your choices right now.</strong></p><p>${this.errorMessage ?? 'Please try again later.'}</p></div>`;
    const p = this.preferences;
    if (!p) return html`<p class="state">Your choices have not been loaded.</p>`;
    return html`${this.#receipt()} ${this.#status(p)}
      ${this.status === 'error' ? html`<div class="state" role="alert"><p><strong>Your choice was not saved.</strong> ${this.errorMessage ?? 'Please try again.'}</p></div>` : nothing}
      ${this.#form(p)} ${this.#history(p)}`;
  }

  #receipt(): TemplateResult | typeof nothing {
    const r = this.receipt;
    if (!r) return nothing;
    return html`<div class="receipt" part="receipt" role="status" tabindex="-1" aria-labelledby="receipt-title">
      <h3 id="receipt-title">Your choice has been saved</h3>
      <p>Your reference number is</p>
      <p class="reference">${r.reference}</p>
      <p>${r.effect}</p>
      <p class="hint">Saved ${formatDateTime(r.recordedAt)} (GMT). Keep the reference number: quote it if you contact us about your choice.</p>
    </div>`;
  }

  #status(p: PreferencesView): TemplateResult {
    const shared = p.sharing === 'shared';
    return html`<div class="panel status ${shared ? 'shared' : 'not-shared'}">
      <p><strong>${shared ? 'Your record is shared with the professionals caring for you.' : 'You have opted out. Your record is not shared, except in an emergency.'}</strong></p>
      ${p.objectsTo.length > 0 ? html`<p>You have asked these organisations not to share your record: ${p.objectsTo.map((o) => o.name).join(', ')}.</p>` : nothing}
      ${p.sharesOut && p.sharesOut.length > 0 ? html`<p>You have agreed that these organisations may share what they hold about you: ${p.sharesOut.map((o) => o.name).join(', ')}.</p>` : nothing}
      ${p.sharesIn && p.sharesIn.length > 0 ? html`<p>You have agreed that professionals at these organisations may look at what others share: ${p.sharesIn.map((o) => o.name).join(', ')}.</p>` : nothing}
      <p>${p.consentModel.description}</p>
    </div>`;
  }

  #form(p: PreferencesView): TemplateResult {
    const saving = this.status === 'saving';
    return html`<form @submit=${this.#submit} novalidate>
      <fieldset aria-describedby=${this._problem ? 'decision-error' : nothing}>
        <legend>Do you want your record to be shared?</legend>
        ${this._problem ? html`<p id="decision-error" class="error-text"><span class="visually-hidden">Error:</span> ${this._problem}</p>` : nothing}
        <div class="radio">
          <input type="radio" id="opt-in" name="decision" value="opt-in" .checked=${this._decision === 'opt-in'} @change=${() => (this._decision = 'opt-in')} />
          <label for="opt-in">Yes, share my record with the professionals caring for me</label>
        </div>
        <div class="radio">
          <input type="radio" id="opt-out" name="decision" value="opt-out" .checked=${this._decision === 'opt-out'} @change=${() => (this._decision = 'opt-out')} />
          <label for="opt-out">No, do not share my record (opt out)</label>
        </div>
      </fieldset>
      <p>
        <label class="block" for="organisation">Which organisation's information is this about?</label>
        <span class="hint" id="organisation-hint">Leave as "All organisations" unless your choice is about one organisation only.</span><br />
        <select id="organisation" aria-describedby="organisation-hint" .value=${this._organisation} @change=${(e: Event) => (this._organisation = (e.target as HTMLSelectElement).value)}>
          <option value="">All organisations</option>
          ${p.organisations.map((o) => html`<option value=${o.ods}>${o.name}</option>`)}
        </select>
      </p>
      ${p.consentModel.kind === 'explicit-share'
        ? html`<p>
            <label class="block" for="about">What is your choice about?</label>
            <select id="about" .value=${this._about} @change=${(e: Event) => (this._about = (e.target as HTMLSelectElement).value as 'record' | 'share-out' | 'share-in')}>
              <option value="record">My whole record</option>
              <option value="share-out">The organisation sharing the information it holds (share out)</option>
              <option value="share-in">The organisation's professionals looking at what others share (share in)</option>
            </select>
          </p>`
        : nothing}
      <p class="hint">${p.howToObject} Questions: ${p.contact}.</p>
      <button type="submit" ?disabled=${saving}>${saving ? 'Saving your choice…' : 'Save my choice'}</button>
    </form>`;
  }

  #history(p: PreferencesView): TemplateResult {
    if (p.history.length === 0) return html`<h3>Choices you have made</h3><p>You have not made a choice yet, so your record is shared as described above.</p>`;
    return html`<h3>Choices you have made</h3>
      <table>
        <caption class="visually-hidden">Choices you have made, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Choice</th><th scope="col">Made by</th><th scope="col">Reference</th></tr></thead>
        <tbody>
          ${p.history.map(
            (h) => html`<tr>
              <th scope="row">${formatDateTime(h.recordedAt)}</th>
              <td>${h.about === 'share-out' ? (h.decision === 'opt-in' ? 'Agreed to share out' : 'Stopped sharing out') : h.about === 'share-in' ? (h.decision === 'opt-in' ? 'Agreed to share in' : 'Stopped sharing in') : h.decision === 'opt-out' ? 'Opted out' : 'Opted back in'}${h.organisation ? html` (${h.organisation.name} only)` : nothing}</td>
              <td>${h.recordedBy}</td>
              <td>${h.reference ?? 'None'}</td>
            </tr>`,
          )}
        </tbody>
      </table>`;
  }
}
