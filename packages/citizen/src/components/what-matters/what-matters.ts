import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { ResourceLike } from '@openidcr/model';
import { MAX_STATEMENT_LENGTH, MAX_STATEMENTS, WhatMattersChangeSchema, whatMattersFromObservation, type WhatMattersView } from '../../what-matters/what-matters.js';
import { themeStyles } from '../../theme/theme.js';
import { whatMattersStyles } from './what-matters.styles.js';
import { formatClinicalDate } from '../../format/format.js';
import { emit } from '../../events/events.js';

const ORDINALS = ['First', 'Second', 'Third'];

/**
 * "What matters to me": up to three short statements the person writes about what matters most in their care. The
 * person edits them (`GET|PUT /citizen/me/what-matters`); with `readonly`, the clinician viewer shows them at the top
 * of the record, marked as written by the person (give it the FHIR Observation as `observation`).
 *
 * @summary The person's own words about what matters to them.
 * @fires idcr-what-matters-change - The person saved; `detail` is the request body (`statements`, `expectedVersion`).
 * @csspart base - The section wrapping the component.
 * @cssproperty --idcr-what-matters-border - Left border of the statements callout.
 * @cssproperty --idcr-what-matters-background - Background of the statements callout.
 */
export class IdcrWhatMatters extends LitElement {
  static override properties = {
    value: { attribute: false },
    observation: { attribute: false },
    readonly: { type: Boolean, reflect: true },
    status: { type: String, reflect: true },
    errorMessage: { type: String, attribute: 'error-message' },
    saved: { type: Boolean },
    headingLevel: { type: Number, attribute: 'heading-level' },
    _drafts: { state: true },
    _errors: { state: true },
  };

  static override styles = [themeStyles, whatMattersStyles];

  /** The statements from the citizen API; wins over `observation`. */
  declare value: WhatMattersView | undefined;
  /** The "what matters to me" FHIR Observation (the clinician viewer's path). */
  declare observation: ResourceLike | undefined;
  declare readonly: boolean;
  declare status: 'ready' | 'loading' | 'saving' | 'error';
  declare errorMessage: string | undefined;
  /** Show the "saved" confirmation (the host sets it after a successful PUT). */
  declare saved: boolean;
  declare headingLevel: number;
  declare _drafts: string[];
  declare _errors: Array<{ index: number; message: string }>;

  constructor() {
    super();
    this.readonly = false;
    this.status = 'ready';
    this.saved = false;
    this.headingLevel = 2;
    this._drafts = ['', '', ''];
    this._errors = [];
  }

  get #view(): WhatMattersView {
    return this.value ?? whatMattersFromObservation(this.observation);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value') || changed.has('observation')) {
      const statements = this.#view.statements;
      this._drafts = Array.from({ length: MAX_STATEMENTS }, (_, i) => statements[i] ?? '');
      this._errors = [];
    }
  }

  #submit(event: Event): void {
    event.preventDefault();
    const statements = this._drafts.map((d) => d.trim()).filter((d) => d.length > 0);
    const errors = this._drafts
      .map((d, index) => ({ index, length: d.trim().length }))
      .filter((d) => d.length > MAX_STATEMENT_LENGTH)
      .map((d) => ({ index: d.index, message: `${ORDINALS[d.index]} statement must be ${MAX_STATEMENT_LENGTH} characters or fewer (it has ${d.length})` }));
    const parsed = WhatMattersChangeSchema.safeParse({ statements, expectedVersion: this.#view.version });
    this._errors = errors;
    if (errors.length > 0 || !parsed.success) {
      void this.updateComplete.then(() => (this.renderRoot.querySelector('.error-summary') as HTMLElement | null)?.focus());
      return;
    }
    emit(this, 'idcr-what-matters-change', parsed.data);
  }

  #focusField(event: Event, index: number): void {
    event.preventDefault();
    (this.renderRoot.querySelector(`#statement-${index}`) as HTMLElement | null)?.focus();
  }

  #title(text: string): TemplateResult {
    return this.headingLevel === 3 ? html`<h3 id="wm-title">${text}</h3>` : html`<h2 id="wm-title">${text}</h2>`;
  }

  protected override render(): TemplateResult {
    if (this.status === 'loading') return html`<section part="base"><p class="state" role="status">Loading what matters…</p></section>`;
    if (this.status === 'error' && this.readonly)
      return html`<section part="base"><div class="state" role="alert">${this.errorMessage ?? 'What matters to this person could not be loaded.'}</div></section>`;
    return this.readonly ? this.#readonlyView() : this.#editor();
  }

  #readonlyView(): TemplateResult {
    const view = this.#view;
    return html`<section part="base" class="callout" aria-labelledby="wm-title">
      ${this.#title('What matters to this person')}
      ${view.statements.length === 0
        ? html`<p>The person has not written what matters to them.</p>`
        : html`<ol class="statements">${view.statements.map((s) => html`<li>${s}</li>`)}</ol>
            <p class="hint">In the person's own words${view.author ? `, written by ${view.author}` : ''}${view.updated ? ` on ${formatClinicalDate(view.updated)}` : ''}. Not verified by a professional.</p>`}
    </section>`;
  }

  #editor(): TemplateResult {
    const view = this.#view;
    const saving = this.status === 'saving';
    return html`<section part="base" aria-labelledby="wm-title">
      ${this.#title('What matters to me')}
      <p>Tell the people caring for you up to ${MAX_STATEMENTS} things that matter most to you, in your own words. They will see them at the top of your record.</p>
      ${this.saved ? html`<div class="saved" role="status"><strong>Saved.</strong> The people caring for you will see this the next time they open your record.</div>` : nothing}
      ${this.status === 'error' ? html`<div class="state" role="alert"><p><strong>Not saved.</strong> ${this.errorMessage ?? 'Please try again.'}</p></div>` : nothing}
      ${this._errors.length > 0
        ? html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-title">
            <h3 id="error-title">There is a problem</h3>
            <ul>${this._errors.map((e) => html`<li><a href="#statement-${e.index}" @click=${(ev: Event) => this.#focusField(ev, e.index)}>${e.message}</a></li>`)}</ul>
          </div>`
        : nothing}
      <form @submit=${this.#submit} novalidate>
        ${this._drafts.map((draft, index) => {
          const error = this._errors.find((e) => e.index === index);
          const length = draft.trim().length;
          return html`<div class="field ${error ? 'invalid' : ''}">
            <label for="statement-${index}">${ORDINALS[index]} thing that matters to me${index > 0 ? ' (optional)' : ''}</label>
            <span class="hint" id="statement-${index}-hint">For example: "Being able to stay in my own home". Up to ${MAX_STATEMENT_LENGTH} characters.</span>
            ${error ? html`<p class="error-text" id="statement-${index}-error"><span class="visually-hidden">Error:</span> ${error.message}</p>` : nothing}
            <textarea
              id="statement-${index}"
              rows="2"
              aria-describedby="statement-${index}-hint statement-${index}-count${error ? ` statement-${index}-error` : ''}"
              aria-invalid=${error ? 'true' : 'false'}
              .value=${draft}
              @input=${(e: Event) => (this._drafts = this._drafts.map((d, i) => (i === index ? (e.target as HTMLTextAreaElement).value : d)))}
            ></textarea>
            <span class="hint" id="statement-${index}-count">${length > MAX_STATEMENT_LENGTH ? `${length - MAX_STATEMENT_LENGTH} characters too many` : `${MAX_STATEMENT_LENGTH - length} characters left`}</span>
          </div>`;
        })}
        <button type="submit" ?disabled=${saving}>${saving ? 'Saving…' : 'Save what matters to me'}</button>
      </form>
      ${view.version > 0 ? html`<p class="hint">Last changed${view.updated ? ` on ${formatClinicalDate(view.updated)}` : ''}${view.author ? ` by ${view.author}` : ''}. Version ${view.version}.</p>` : nothing}
    </section>`;
  }
}
