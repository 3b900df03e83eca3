import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { FairProcessingNotice, NoticeSection } from '../../notice/notice-model.js';
import { themeStyles } from '../../theme/theme.js';
import { fairProcessingNoticeStyles } from './fair-processing-notice.styles.js';

/**
 * The fair processing notice: how the locality shares people's information, generated from its sharing agreement
 * (`GET /citizen/notice?format=json`). A contents list jumps to each part; "Your choices" is highlighted.
 *
 * @summary The public notice about the shared record, in plain English.
 * @csspart base - The article wrapping the notice.
 * @cssproperty --idcr-notice-choices-border - Left border of the "Your choices" part.
 */
export class IdcrFairProcessingNotice extends LitElement {
  static override properties = {
    notice: { attribute: false },
    status: { type: String, reflect: true },
    errorMessage: { type: String, attribute: 'error-message' },
  };

  static override styles = [themeStyles, fairProcessingNoticeStyles];

  declare notice: FairProcessingNotice | undefined;
  declare status: 'ready' | 'loading' | 'error';
  declare errorMessage: string | undefined;

  constructor() {
    super();
    this.status = 'ready';
  }

  #jump(event: Event, id: string): void {
    event.preventDefault();
    const target = this.renderRoot.querySelector(`#part-${id}`) as HTMLElement | null;
    target?.scrollIntoView({ block: 'start' });
    target?.focus();
  }

  #section(section: NoticeSection): TemplateResult {
    return html`<section class="part ${section.id === 'choices' ? 'choices' : ''}" aria-labelledby="part-${section.id}">
      <h3 id="part-${section.id}" tabindex="-1">${section.title}</h3>
      ${section.paragraphs.map((p) => html`<p>${p}</p>`)}
      ${section.table
        ? html`<table>
            <caption>${section.table.caption}</caption>
            <thead><tr>${section.table.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
            <tbody>${section.table.rows.map((row) => html`<tr>${row.map((cell, i) => (i === 0 ? html`<th scope="row">${cell}</th>` : html`<td>${cell}</td>`))}</tr>`)}</tbody>
          </table>`
        : nothing}
      ${section.list ? html`<ul>${section.list.map((item) => html`<li>${item}</li>`)}</ul>` : nothing}
    </section>`;
  }

  protected override render(): TemplateResult {
    if (this.status === 'loading') return html`<div part="base"><p class="state" role="status">Loading how your information is shared…</p></div>`;
    if (this.status === 'error' || !this.notice)
      return html`<div part="base"><div class="state" role="alert"><p><strong>Sorry, we cannot show how your information is shared right now.</strong></p><p>${this.errorMessage ?? 'Please try again later.'}</p></div></div>`;
    const n = this.notice;
    return html`<article part="base" aria-labelledby="notice-title" lang="en-GB">
      <h2 id="notice-title">${n.title}</h2>
      <nav aria-label="Contents">
        <ol>${n.sections.map((s) => html`<li><a href="#part-${s.id}" @click=${(e: Event) => this.#jump(e, s.id)}>${s.title}</a></li>`)}</ol>
      </nav>
      ${n.sections.map((s) => this.#section(s))}
      <p class="hint">Sharing agreement ${n.agreement.id}, version ${n.agreement.version}.</p>
    </article>`;
  }
}
