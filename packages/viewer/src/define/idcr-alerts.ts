import { IdcrAlerts } from '../components/alerts/alerts.js';

if (!customElements.get('idcr-alerts')) customElements.define('idcr-alerts', IdcrAlerts);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-alerts': IdcrAlerts;
  }
}

export { IdcrAlerts };
