import { IdcrWhatMatters } from '../components/what-matters/what-matters.js';

if (!customElements.get('idcr-what-matters')) customElements.define('idcr-what-matters', IdcrWhatMatters);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-what-matters': IdcrWhatMatters;
  }
}

export { IdcrWhatMatters };
