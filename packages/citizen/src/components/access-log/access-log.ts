import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { AccessLogEntry, AccessLogPage } from '../../access-log/entry.js';
import { themeStyles } from '../../theme/theme.js';
import { accessLogStyles } from './access-log.styles.js';
import { formatDateTime } from '../../format/format.js';
import { emit } from '../../events/events.js';

/** The state the log is in; `ready` shows the entries (or says plainly that there are none). */
export type AccessLogStatus = 'ready' | 'loading' | 'error';

/**
 * "Who has looked at my record": every access to the person's record, newest first, from `GET /citizen/me/access-log`.
 * Emergency (break-glass) access is marked in words as well as colour; refused requests are shown as refused.
 *
 * @summary The person's access log, in plain English.
 * @fires idcr-load-more - The person asked for older entries; `detail.cursor` is the page's `nextCursor`.
 * @csspart base - The section wrapping the log.
 * @csspart table - The table of accesses.
 * @cssproperty --idcr-access-log-flag-color - Marks emergency access (default the alert red).
 * @cssproperty --idcr-access-log-flag-background - Background of an emergency access row.
 * @cssproperty --idcr-access-log-background - Background of the whole log.
 */
export class IdcrAccessLog extends LitElement {
  static override properties = {
    page: { attribute: false },
    entries: { attribute: false },
    status: { type: String, reflect: true },
    errorMessage: { type: String, attribute: 'error-message' },
    loadingMore: { type: Boolean, attribute: 'loading-more' },
  };

  static override styles = [themeStyles, accessLogStyles];

  /** The first page from the API (its `total` and `nextCursor` are used). */
  declare page: AccessLogPage | undefined;
  /** Every entry shown so far (the first page's, then older pages appended by the host); defaults to `page.entries`. */
  declare entries: AccessLogEntry[] | undefined;
  declare status: AccessLogStatus;
  declare errorMessage: string | undefined;
  /** An older page is being fetched. */
  declare loadingMore: boolean;

  constructor() {
    super();
    this.status = 'ready';
    this.loadingMore = false;
  }

  #loadMore(): void {
    const cursor = this.page?.nextCursor;
    if (cursor) emit(this, 'idcr-load-more', { cursor });
  }

  #who(entry: AccessLogEntry): TemplateResult {
    const { who } = entry;
    if (who.kind === 'you') return html`<span class="who-role">You</span>`;
    return html`${who.name ? html`<span class="who-role"><strong>${who.name}</strong></span>` : nothing}<span class="who-role">${who.role}</span>${who.organisation
        ? html`<span class="who-org">${who.organisation.name}</span>`
        : nothing}`;
  }

  #row(entry: AccessLogEntry): TemplateResult {
    return html`<tr class=${entry.breakGlass ? 'flagged' : ''}>
      <th scope="row">${formatDateTime(entry.when)}</th>
      <td>${this.#who(entry)}</td>
      <td>
        ${entry.action}
        ${entry.outcome === 'refused' ? html` <span class="tag refused">Refused</span>` : nothing}
        ${entry.breakGlass ? html`<span class="tag emergency">Emergency access</span><span class="reason">Reason given: ${entry.breakGlass.reason}</span>` : nothing}
        ${entry.parts.length > 0 ? html`<span class="parts">Saw: ${entry.parts.join(', ')}</span>` : nothing}
      </td>
      <td>${entry.purpose}</td>
    </tr>`;
  }

  protected override render(): TemplateResult {
    return html`<section part="base" class="base" aria-labelledby="title" aria-busy=${this.status === 'loading' ? 'true' : 'false'}>
      <h2 id="title">Who has looked at your record</h2>
      ${this.#body()}
    </section>`;
  }

  #body(): TemplateResult {
    if (this.status === 'loading') return html`<p class="state" role="status">Loading who has looked at your record…</p>`;
    if (this.status === 'error')
      return html`<div class="state" role="alert"><p><strong>Sorry, we cannot show who has looked at your record right now.</strong></p><p>${this.errorMessage ?? 'Please try again later.'}</p></div>`;
    const entries = this.entries ?? this.page?.entries ?? [];
    const total = this.page?.total ?? entries.length;
    if (entries.length === 0) return html`<p class="state">Nobody has looked at your record yet. When someone does, it will be listed here.</p>`;
    const emergencies = entries.filter((e) => e.breakGlass).length;
    return html`<p class="count">
        ${total === 1 ? 'Your record has been looked at once.' : `Your record has been looked at ${total} times.`} Showing the ${entries.length} most recent, newest first.
        Times are in GMT (UTC).
      </p>
      ${emergencies > 0
        ? html`<p><span class="tag emergency">Emergency access</span> ${emergencies === 1 ? 'One access was' : `${emergencies} accesses were`} made in an emergency without the usual checks. Every one is reviewed by a privacy officer.</p>`
        : nothing}
      <table part="table">
        <caption class="visually-hidden">Accesses to your record, newest first</caption>
        <thead>
          <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What they did</th><th scope="col">Why</th></tr>
        </thead>
        <tbody>${entries.map((e) => this.#row(e))}</tbody>
      </table>
      ${this.page?.nextCursor
        ? html`<button type="button" class="secondary" ?disabled=${this.loadingMore} @click=${this.#loadMore}>${this.loadingMore ? 'Loading older entries…' : 'Show older entries'}</button>`
        : entries.length < total
          ? nothing
          : html`<p class="hint">That is every access to your record.</p>`}`;
  }
}
