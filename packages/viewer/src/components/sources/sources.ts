import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { Bundle } from '@openidcr/model';
import { themeStyles } from '../../theme/theme.js';
import { readRecordBundle, type RecordContent } from '../../view-models/record-bundle.js';
import { summariseSources } from '../../view-models/source.js';

/**
 * Provenance of the record: which organisations' systems the information came from (with how many items each), and
 * which sources did not answer (from the server's OperationOutcome warnings, as a federated record reports them).
 *
 * @summary Where this record's information came from.
 * @csspart base - The wrapper.
 */
export class IdcrSources extends LitElement {
  static override properties = { bundle: { attribute: false }, content: { attribute: false } };
  static override styles = [themeStyles];
  declare bundle: Bundle | undefined;
  declare content: RecordContent | undefined;

  override render(): TemplateResult {
    const content = this.content ?? readRecordBundle(this.bundle);
    const sources = summariseSources(content);
    return html`<section part="base" aria-labelledby="sources-title">
      <h2 id="sources-title">Where this information comes from</h2>
      ${sources.length === 0
        ? html`<p class="fact">No source organisation is named on any item.</p>`
        : html`<ul>
            ${sources.map((s) => html`<li><span class="fact">${s.name}</span>: ${s.items} ${s.items === 1 ? 'item' : 'items'}</li>`)}
          </ul>`}
      ${content.unanswered.length > 0
        ? html`<div class="notice notice--warning">
            <p class="fact">Did not answer</p>
            <ul>
              ${content.unanswered.map((s) => html`<li>${s.name}${s.message ? html` <span class="source">(${s.message})</span>` : nothing}</li>`)}
            </ul>
            <p>Information held by these organisations is missing from this view.</p>
          </div>`
        : html`<p>Every source that was asked answered.</p>`}
    </section>`;
  }
}
