import { IdcrFairProcessingNotice } from '../components/fair-processing-notice/fair-processing-notice.js';

if (!customElements.get('idcr-fair-processing-notice')) customElements.define('idcr-fair-processing-notice', IdcrFairProcessingNotice);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-fair-processing-notice': IdcrFairProcessingNotice;
  }
}

export { IdcrFairProcessingNotice };
