import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { scrollTable } from '../heading/table.js';
import { decodeText, sandboxedHtml, toDocumentRows, type AttachmentView, type DocumentRow } from '../../view-models/documents.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * Letters and discharge summaries, viewed inline: plain text as text, HTML in a sandboxed frame (no scripts, no
 * network, never in the page's DOM), PDF in the browser's viewer.
 *
 * @summary Letters and discharge summaries.
 * @csspart base - The section.
 * @csspart viewer - The open document.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrDocuments extends IdcrHeadingElement {
  static override properties = {
    ...IdcrHeadingElement.properties,
    openId: { type: String, attribute: 'open-id' },
    fetchAttachment: { attribute: false },
    _fetched: { state: true },
  };
  static override styles = [
    ...IdcrHeadingElement.styles,
    css`
      .viewer {
        border: 1px solid var(--_sys-border);
        padding: 1rem;
        margin-top: 1rem;
        background: var(--_sys-surface);
      }
      pre {
        white-space: pre-wrap;
        font-family: inherit;
        margin: 0;
      }
      iframe,
      object {
        width: 100%;
        min-height: 24rem;
        border: 1px solid var(--_sys-border);
        background: #fff;
      }
      .viewer-head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 1rem;
        flex-wrap: wrap;
      }
    `,
  ];
  protected readonly headingTitle = 'Letters and discharge summaries';
  protected readonly noun = 'documents';
  /** The id of the document shown inline. */
  declare openId: string | undefined;
  /** Fetches attachments that are referenced by URL (e.g. `Binary/1`) with the user's token; set by `<idcr-record>`. */
  declare fetchAttachment: ((url: string) => Promise<Blob | undefined>) | undefined;
  declare _fetched: { url: string; blob: Blob | undefined } | undefined;
  #objectUrls: string[] = [];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#revoke();
  }

  #revoke(): void {
    for (const url of this.#objectUrls) URL.revokeObjectURL(url);
    this.#objectUrls = [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('openId')) this.#revoke();
  }

  async #open(row: DocumentRow): Promise<void> {
    this.openId = row.id;
    const attachment = row.attachments[0];
    if (attachment && !attachment.data && attachment.url && this.fetchAttachment) {
      this._fetched = { url: attachment.url, blob: undefined };
      const blob = await this.fetchAttachment(attachment.url);
      this._fetched = { url: attachment.url, blob };
    }
    await this.updateComplete;
    (this.renderRoot.querySelector('.viewer h3') as HTMLElement | null)?.focus();
  }

  #close(): void {
    const id = this.openId;
    this.openId = undefined;
    void this.updateComplete.then(() => (this.renderRoot.querySelector(`button[data-id="${id}"]`) as HTMLElement | null)?.focus());
  }

  #blobUrl(attachment: AttachmentView): string | undefined {
    let blob: Blob | undefined;
    if (attachment.data) {
      const binary = atob(attachment.data.replace(/\s/g, ''));
      blob = new Blob([Uint8Array.from(binary, (c) => c.charCodeAt(0))], { type: attachment.contentType });
    } else if (this._fetched && this._fetched.url === attachment.url) blob = this._fetched.blob;
    if (!blob) return undefined;
    const url = URL.createObjectURL(blob);
    this.#objectUrls.push(url);
    return url;
  }

  #renderAttachment(attachment: AttachmentView): TemplateResult {
    if (!attachment.data && attachment.url && !this.fetchAttachment)
      return html`<p><a href=${attachment.url} target="_blank" rel="noopener noreferrer">Open ${attachment.title} (opens in a new tab)</a></p>`;
    if (!attachment.data && this._fetched?.url === attachment.url && this._fetched?.blob === undefined)
      return html`<p role="status">Loading the document…</p>`;
    if (attachment.kind === 'text' && attachment.data) return html`<pre>${decodeText(attachment.data)}</pre>`;
    if (attachment.kind === 'html' && attachment.data)
      return html`<iframe sandbox="" referrerpolicy="no-referrer" title=${attachment.title} srcdoc=${sandboxedHtml(decodeText(attachment.data))}></iframe>`;
    const url = this.#blobUrl(attachment);
    if (!url) return html`<p>This document could not be opened.</p>`;
    if (attachment.kind === 'pdf')
      return html`<object data=${url} type="application/pdf" aria-label=${attachment.title}>
          <p><a href=${url} download="${attachment.title}.pdf">Download ${attachment.title}</a> (your browser cannot show PDFs here)</p>
        </object>
        <p><a href=${url} download="${attachment.title}.pdf">Download ${attachment.title}</a></p>`;
    return html`<p><a href=${url} download=${attachment.title}>Download ${attachment.title}</a> (${attachment.contentType})</p>`;
  }

  protected renderContent(content: RecordContent): TemplateResult {
    const rows = toDocumentRows(content);
    if (rows.length === 0) return html`<p class="fact">No letters or discharge summaries have been shared with this record.</p>`;
    const open = rows.find((r) => r.id === this.openId);
    return html`${scrollTable(
      'Letters and discharge summaries',
      html`<table>
        <caption>
          Letters and discharge summaries (${rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Document</th>
            <th scope="col">Date</th>
            <th scope="col">From</th>
            <th scope="col">Source</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr>
              <th scope="row">${r.title}</th>
              <td>${r.date}</td>
              <td>${r.author}</td>
              <td class="source">${r.source}</td>
              <td>
                <button type="button" class="secondary" data-id=${r.id} aria-expanded=${r.id === this.openId ? 'true' : 'false'} @click=${() => (r.id === this.openId ? this.#close() : this.#open(r))}>
                  ${r.id === this.openId ? 'Close' : 'View'}<span class="visually-hidden"> ${r.title}, ${r.date}</span>
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>`,
    )}
    ${open
      ? html`<div class="viewer" part="viewer" role="region" aria-labelledby="${this.titleId}-open">
          <div class="viewer-head">
            <h3 id="${this.titleId}-open" tabindex="-1">${open.title}, ${open.date}</h3>
            <button type="button" class="secondary" @click=${() => this.#close()}>Close<span class="visually-hidden"> ${open.title}</span></button>
          </div>
          <p class="source">From ${open.author} · Source: ${open.source}</p>
          ${open.attachments.map((a) => this.#renderAttachment(a))}
        </div>`
      : nothing}`;
  }
}
