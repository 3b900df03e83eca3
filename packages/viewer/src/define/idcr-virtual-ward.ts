import { IdcrVirtualWard } from '../components/virtual-ward/virtual-ward.js';

if (!customElements.get('idcr-virtual-ward')) customElements.define('idcr-virtual-ward', IdcrVirtualWard);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-virtual-ward': IdcrVirtualWard;
  }
}

export { IdcrVirtualWard };
