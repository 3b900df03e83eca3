import { IdcrMyRecord } from '../components/my-record/my-record.js';

if (!customElements.get('idcr-my-record')) customElements.define('idcr-my-record', IdcrMyRecord);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-my-record': IdcrMyRecord;
  }
}

export { IdcrMyRecord };
