import { IdcrResults } from '../components/results/results.js';

if (!customElements.get('idcr-results')) customElements.define('idcr-results', IdcrResults);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-results': IdcrResults;
  }
}

export { IdcrResults };
