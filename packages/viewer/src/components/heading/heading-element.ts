import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { Bundle, OperationOutcome } from '@openidcr/model';
import { themeStyles } from '../../theme/theme.js';
import { readRecordBundle, type RecordContent } from '../../view-models/record-bundle.js';
import { outcomeMessages } from '../../view-models/outcome.js';
import { emit } from '../../events.js';
import { recordNotices } from './notices.js';

/** The state a heading is in. `ready` renders the content (which may say it is empty). */
export type HeadingStatus = 'ready' | 'loading' | 'error' | 'denied';

/** Why a heading could not be shown, as the API gave it. */
export interface HeadingProblem {
  message: string;
  outcome?: OperationOutcome;
  breakGlassAvailable?: boolean;
}

let nextId = 0;

/**
 * The shared states of every heading component: loading (announced), error and denied with the reasons the API gave
 * (and break-glass where allowed), items withheld by policy, and sources that did not answer. Subclasses render the
 * ready state from the record content only.
 *
 * @fires idcr-break-glass-request - The person asked for emergency access from a denied heading.
 * @csspart base - The section wrapping the heading.
 */
export abstract class IdcrHeadingElement extends LitElement {
  static override properties = {
    bundle: { attribute: false },
    content: { attribute: false },
    status: { type: String, reflect: true },
    problem: { attribute: false },
    patientId: { type: String, attribute: 'patient-id' },
    headingLevel: { type: Number, attribute: 'heading-level' },
    hideNotices: { type: Boolean, attribute: 'hide-notices' },
  };

  static override styles = [themeStyles];

  /** A searchset or collection Bundle holding the record (or this heading's part of it). */
  declare bundle: Bundle | undefined;
  /** The record already read (set by `<idcr-record>` so every heading shares one reading); wins over `bundle`. */
  declare content: RecordContent | undefined;
  declare status: HeadingStatus;
  declare problem: HeadingProblem | undefined;
  declare patientId: string | undefined;
  /** The level of the heading's title (2 by default; 3 inside a page that has its own h2). */
  declare headingLevel: number;
  /** Leave out the withheld / unanswered notices (set by `<idcr-record>`, which shows them once for the record). */
  declare hideNotices: boolean;

  /** The title shown and announced, e.g. `Allergies and adverse reactions`. */
  protected abstract readonly headingTitle: string;
  /** Lower-case noun for messages: `Loading allergies`. */
  protected abstract readonly noun: string;
  protected abstract renderContent(content: RecordContent): TemplateResult | typeof nothing;

  protected readonly titleId = `idcr-heading-${++nextId}`;
  #read: { from: Bundle | undefined; content: RecordContent } | undefined;

  constructor() {
    super();
    this.status = 'ready';
    this.headingLevel = 2;
    this.hideNotices = false;
  }

  /** The content to render: `content` if given, else `bundle` read once per change. */
  protected get recordContent(): RecordContent {
    if (this.content) return this.content;
    if (!this.#read || this.#read.from !== this.bundle) this.#read = { from: this.bundle, content: readRecordBundle(this.bundle) };
    return this.#read.content;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('bundle')) this.#read = undefined;
  }

  protected renderTitle(): TemplateResult {
    return this.headingLevel === 3
      ? html`<h3 id=${this.titleId} part="title">${this.headingTitle}</h3>`
      : html`<h2 id=${this.titleId} part="title">${this.headingTitle}</h2>`;
  }

  protected renderNotices(content: RecordContent): TemplateResult | typeof nothing {
    return this.hideNotices ? nothing : recordNotices(content);
  }

  #requestBreakGlass(): void {
    emit(this, 'idcr-break-glass-request', { patientId: this.patientId });
  }

  protected renderStatus(): TemplateResult | undefined {
    if (this.status === 'loading')
      return html`<p role="status" aria-live="polite" part="loading">Loading ${this.noun}…</p>`;
    if (this.status === 'error') {
      const reasons = outcomeMessages(this.problem?.outcome);
      return html`<div class="notice notice--error" role="alert" part="error">
        <p class="fact">${this.noun[0]!.toUpperCase() + this.noun.slice(1)} could not be loaded</p>
        <p>${reasons.length > 0 ? reasons.join(' ') : (this.problem?.message ?? 'The record service did not answer.')}</p>
        <p>Try again later. Information from other parts of the record may still be shown.</p>
      </div>`;
    }
    if (this.status === 'denied') {
      const reasons = outcomeMessages(this.problem?.outcome);
      return html`<div class="notice notice--error" role="alert" part="denied">
        <p class="fact">You do not have access to ${this.noun}</p>
        <p>${reasons.length > 0 ? reasons.join(' ') : (this.problem?.message ?? 'The sharing policy does not allow it.')}</p>
        ${this.problem?.breakGlassAvailable
          ? html`<p>In an emergency you can ask for access. Your reason is recorded and reviewed.</p>
              <button type="button" class="warning" @click=${this.#requestBreakGlass}>Request emergency access</button>`
          : nothing}
      </div>`;
    }
    return undefined;
  }

  override render(): TemplateResult {
    const status = this.renderStatus();
    if (status) return html`<section part="base" aria-labelledby=${this.titleId} aria-busy=${this.status === 'loading' ? 'true' : 'false'}>${this.renderTitle()}${status}</section>`;
    const content = this.recordContent;
    return html`<section part="base" aria-labelledby=${this.titleId}>
      ${this.renderTitle()} ${this.renderNotices(content)} ${this.renderContent(content)}
    </section>`;
  }
}
