import { IdcrDocuments } from '../components/documents/documents.js';

if (!customElements.get('idcr-documents')) customElements.define('idcr-documents', IdcrDocuments);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-documents': IdcrDocuments;
  }
}

export { IdcrDocuments };
