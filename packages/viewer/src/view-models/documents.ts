import type { DocumentReference } from '@openidcr/model';
import { conceptText, formatClinicalDate, NOT_KNOWN } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { resourcesOfHeading, type RecordContent } from './record-bundle.js';
import { referenceName, sourceOf } from './source.js';

/** How an attachment can be shown inline. */
export type AttachmentKind = 'text' | 'html' | 'pdf' | 'other';

export interface AttachmentView {
  kind: AttachmentKind;
  contentType: string;
  title: string;
  /** Base64 content carried in the resource. */
  data: string | undefined;
  /** Where the content is, when it is not carried (often `Binary/<id>`). */
  url: string | undefined;
}

export interface DocumentRow {
  id: string;
  title: string;
  date: string;
  dateIso: string | undefined;
  author: string;
  source: string;
  attachments: AttachmentView[];
}

export function attachmentKind(contentType: string | undefined): AttachmentKind {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/plain' || type === 'text/markdown') return 'text';
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'application/pdf') return 'pdf';
  return 'other';
}

/** Decodes base64 content as UTF-8 text. */
export function decodeText(data: string): string {
  const binary = atob(data.replace(/\s/g, ''));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Letters and discharge summaries, newest first; superseded and entered-in-error documents left out. */
export function toDocumentRows(content: RecordContent): DocumentRow[] {
  return resourcesOfHeading<DocumentReference>(content, 'documents')
    .filter((d) => d.status === 'current')
    .map((d, index) => ({
      id: d.id ?? `document-${index}`,
      title: conceptText(d.type) ?? d.description ?? d.content[0]?.attachment.title ?? 'Document',
      date: formatClinicalDate(d.date ?? d.context?.period?.start),
      dateIso: d.date ?? d.context?.period?.start,
      author: d.author?.map((a) => referenceName(content, a)).filter(Boolean).join(', ') || NOT_KNOWN,
      source: sourceOf(content, d)?.name ?? referenceName(content, d.custodian) ?? NOT_KNOWN,
      attachments: d.content.map((c) => ({
        kind: attachmentKind(c.attachment.contentType),
        contentType: c.attachment.contentType ?? 'application/octet-stream',
        title: c.attachment.title ?? conceptText(d.type) ?? 'Document',
        data: c.attachment.data,
        url: c.attachment.url,
      })),
    }))
    .sort(byDateDescending((r) => r.dateIso));
}

/**
 * The `srcdoc` of a sandboxed iframe showing source HTML. The frame gets no scripts, no same-origin access, and a
 * Content-Security-Policy that blocks every fetch (no tracking pixels, no remote styles); the HTML is never put in
 * the page's own DOM.
 */
export function sandboxedHtml(html: string): string {
  const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><base target="_blank"><style>body{font-family:Arial,sans-serif;line-height:1.5;margin:1rem;color:#212b32}</style></head><body>${html}</body></html>`;
}
