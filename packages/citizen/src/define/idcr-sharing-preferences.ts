import { IdcrSharingPreferences } from '../components/sharing-preferences/sharing-preferences.js';

if (!customElements.get('idcr-sharing-preferences')) customElements.define('idcr-sharing-preferences', IdcrSharingPreferences);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-sharing-preferences': IdcrSharingPreferences;
  }
}

export { IdcrSharingPreferences };
