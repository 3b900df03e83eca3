import { IdcrMedications } from '../components/medications/medications.js';

if (!customElements.get('idcr-medications')) customElements.define('idcr-medications', IdcrMedications);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-medications': IdcrMedications;
  }
}

export { IdcrMedications };
