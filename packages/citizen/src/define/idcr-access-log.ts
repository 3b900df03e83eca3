import { IdcrAccessLog } from '../components/access-log/access-log.js';

if (!customElements.get('idcr-access-log')) customElements.define('idcr-access-log', IdcrAccessLog);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-access-log': IdcrAccessLog;
  }
}

export { IdcrAccessLog };
