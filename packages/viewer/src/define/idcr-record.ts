import { IdcrRecord } from '../components/record/record.js';
// The record renders these elements, so defining it defines them too.
import './idcr-patient-banner.js';
import './idcr-alerts.js';
import './idcr-problems.js';
import './idcr-medications.js';
import './idcr-allergies.js';
import './idcr-immunisations.js';
import './idcr-results.js';
import './idcr-encounters.js';
import './idcr-documents.js';
import './idcr-care-team.js';
import './idcr-sources.js';
import './idcr-break-glass.js';

if (!customElements.get('idcr-record')) customElements.define('idcr-record', IdcrRecord);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-record': IdcrRecord;
  }
}

export { IdcrRecord };
