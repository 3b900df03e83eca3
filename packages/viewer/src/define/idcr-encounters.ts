import { IdcrEncounters } from '../components/encounters/encounters.js';

if (!customElements.get('idcr-encounters')) customElements.define('idcr-encounters', IdcrEncounters);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-encounters': IdcrEncounters;
  }
}

export { IdcrEncounters };
