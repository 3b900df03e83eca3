import { IdcrAllergies } from '../components/allergies/allergies.js';

if (!customElements.get('idcr-allergies')) customElements.define('idcr-allergies', IdcrAllergies);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-allergies': IdcrAllergies;
  }
}

export { IdcrAllergies };
