import { IdcrSources } from '../components/sources/sources.js';

if (!customElements.get('idcr-sources')) customElements.define('idcr-sources', IdcrSources);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-sources': IdcrSources;
  }
}

export { IdcrSources };
