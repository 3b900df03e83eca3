import { IdcrProblems } from '../components/problems/problems.js';

if (!customElements.get('idcr-problems')) customElements.define('idcr-problems', IdcrProblems);

declare global {
  interface HTMLElementTagNameMap {
    'idcr-problems': IdcrProblems;
  }
}

export { IdcrProblems };
