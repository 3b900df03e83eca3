import { IdcrImmunisations } from '../components/immunisations/immunisations.js';

if (!customElements.get('idcr-immunisations')) customElements.define('idcr-immunisations', IdcrImmunisations);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-immunisations': IdcrImmunisations;
  }
}

export { IdcrImmunisations };
