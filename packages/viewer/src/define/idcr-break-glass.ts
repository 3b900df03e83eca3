import { IdcrBreakGlass } from '../components/break-glass/break-glass.js';

if (!customElements.get('idcr-break-glass')) customElements.define('idcr-break-glass', IdcrBreakGlass);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-break-glass': IdcrBreakGlass;
  }
}

export { IdcrBreakGlass };
