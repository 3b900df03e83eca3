import { IdcrPatientBanner } from '../components/patient-banner/patient-banner.js';

if (!customElements.get('idcr-patient-banner')) customElements.define('idcr-patient-banner', IdcrPatientBanner);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-patient-banner': IdcrPatientBanner;
  }
}

export { IdcrPatientBanner };
