import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { themeStyles } from '../../theme/theme.js';
import { clientFor, type FhirClient } from '../../fhir-client/client.js';
import { emit } from '../../events.js';

/**
 * Emergency access ("break-glass"): a modal dialog that asks the reason and calls
 * `POST {fhir-base-url}/Patient/{patient-id}/$break-glass` with `{ "reason": "..." }`. Escape or Cancel closes it
 * without asking; the reason is checked as the person types.
 *
 * @summary Break-glass dialog.
 * @csspart base - The dialog.
 * @fires idcr-break-glass-granted - The server granted access; `detail.reason` is what was sent.
 * @fires idcr-break-glass-cancel - The person closed the dialog without asking.
 */
export class IdcrBreakGlass extends LitElement {
  static override properties = {
    open: { type: Boolean, reflect: true },
    patientId: { type: String, attribute: 'patient-id' },
    fhirBaseUrl: { type: String, attribute: 'fhir-base-url' },
    token: { attribute: false },
    client: { attribute: false },
    minReasonLength: { type: Number, attribute: 'min-reason-length' },
    _reason: { state: true },
    _touched: { state: true },
    _busy: { state: true },
    _serverError: { state: true },
  };

  static override styles = [
    themeStyles,
    css`
      dialog {
        border: none;
        border-top: 8px solid var(--idcr-break-glass-accent, var(--_sys-alert));
        padding: 1.5rem;
        max-width: min(36rem, calc(100vw - 2rem));
        width: 100%;
        color: var(--_sys-text);
        background: var(--_sys-surface);
        box-shadow: 0 4px 24px rgba(0, 0, 0, 0.3);
      }
      dialog::backdrop {
        background: rgba(33, 43, 50, 0.6);
      }
      label {
        display: block;
        font-weight: 600;
        margin-bottom: 0.25rem;
      }
      .hint {
        color: var(--_sys-text-secondary);
        margin-bottom: 0.5rem;
      }
      textarea {
        width: 100%;
        min-height: 6rem;
      }
      textarea[aria-invalid='true'] {
        border-color: var(--_sys-alert);
      }
      .error {
        color: var(--_sys-alert);
        font-weight: 600;
        margin: 0.25rem 0;
      }
      .actions {
        display: flex;
        gap: 1rem;
        flex-wrap: wrap;
        margin-top: 1rem;
      }
    `,
  ];

  declare open: boolean;
  declare patientId: string | undefined;
  declare fhirBaseUrl: string | undefined;
  declare token: string | undefined;
  /** A client to call with; otherwise one is made from `fhir-base-url` and `token`. */
  declare client: FhirClient | undefined;
  /** The shortest reason accepted (default 20 characters). */
  declare minReasonLength: number;
  declare _reason: string;
  declare _touched: boolean;
  declare _busy: boolean;
  declare _serverError: string | undefined;

  constructor() {
    super();
    this.open = false;
    this.minReasonLength = 20;
    this._reason = '';
    this._touched = false;
    this._busy = false;
  }

  get #dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  /** Opens the dialog as a modal. */
  show(): void {
    this.open = true;
  }

  /** Closes the dialog. */
  close(): void {
    this.open = false;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.#dialog;
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      this._reason = '';
      this._touched = false;
      this._serverError = undefined;
      dialog.showModal();
      dialog.querySelector('textarea')?.focus();
    } else if (!this.open && dialog.open) dialog.close();
  }

  #problem(): string | undefined {
    const text = this._reason.trim();
    if (text.length === 0) return 'Enter the reason you need access';
    if (text.length < this.minReasonLength) return `Enter at least ${this.minReasonLength} characters (${text.length} so far)`;
    return undefined;
  }

  #cancel(event?: Event): void {
    event?.preventDefault();
    if (this._busy) return;
    this.open = false;
    emit(this, 'idcr-break-glass-cancel', {});
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    this._touched = true;
    if (this.#problem()) {
      (this.renderRoot.querySelector('textarea') as HTMLTextAreaElement | null)?.focus();
      return;
    }
    const client = clientFor(this.client, this.fhirBaseUrl, this.token);
    if (!client || !this.patientId) {
      this._serverError = 'This dialog is not connected to a record service (fhir-base-url and patient-id are needed).';
      return;
    }
    this._busy = true;
    this._serverError = undefined;
    const reason = this._reason.trim();
    const result = await client.breakGlass(this.patientId, reason);
    this._busy = false;
    if (!result.ok) {
      this._serverError = result.error.message;
      return;
    }
    this.open = false;
    emit(this, 'idcr-break-glass-granted', { patientId: this.patientId, reason });
  }

  override render(): TemplateResult {
    const problem = this._touched || this._reason.length > 0 ? this.#problem() : undefined;
    const showProblem = problem !== undefined && (this._touched || this._reason.trim().length >= 1);
    return html`<dialog part="base" aria-labelledby="bg-title" aria-describedby="bg-intro" @cancel=${(e: Event) => this.#cancel(e)}>
      <form @submit=${(e: Event) => this.#submit(e)} novalidate>
        <h2 id="bg-title">Emergency access to this record</h2>
        <p id="bg-intro">You are about to see a record you would not normally see. Your name, the time and your reason are recorded, and a privacy officer reviews every emergency access.</p>
        ${this._serverError ? html`<div class="notice notice--error" role="alert"><p class="fact">Access was not granted</p><p>${this._serverError}</p></div>` : nothing}
        <label for="bg-reason">Why do you need access?</label>
        <p class="hint" id="bg-hint">For example: unconscious patient in the emergency department, no other history available.</p>
        ${showProblem ? html`<p class="error" id="bg-error"><span class="visually-hidden">Error:</span> ${problem}</p>` : nothing}
        <textarea
          id="bg-reason"
          name="reason"
          aria-describedby=${showProblem ? 'bg-hint bg-error' : 'bg-hint'}
          aria-invalid=${showProblem ? 'true' : 'false'}
          .value=${this._reason}
          @input=${(e: Event) => (this._reason = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
        <div class="actions">
          <button type="submit" class="warning" ?disabled=${this._busy}>${this._busy ? 'Asking…' : 'Open the record'}</button>
          <button type="button" class="secondary" @click=${() => this.#cancel()}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }
}
