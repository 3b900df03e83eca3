import { IdcrPatientSearch } from '../components/patient-search/patient-search.js';

if (!customElements.get('idcr-patient-search')) customElements.define('idcr-patient-search', IdcrPatientSearch);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-patient-search': IdcrPatientSearch;
  }
}

export { IdcrPatientSearch };
