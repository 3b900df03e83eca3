import { IdcrCareTeam } from '../components/care-team/care-team.js';

if (!customElements.get('idcr-care-team')) customElements.define('idcr-care-team', IdcrCareTeam);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-care-team': IdcrCareTeam;
  }
}

export { IdcrCareTeam };
