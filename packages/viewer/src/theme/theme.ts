import { css } from 'lit';

/**
 * The default theme, in three layers with fallbacks:
 * `--idcr-ref-*` (the NHS palette) → `--idcr-sys-*` (roles: surface, text, alert, border) → component hooks such as
 * `--idcr-banner-background`. Set any of them on a page or an ancestor to re-theme.
 */
export const themeStyles = css`
  :host {
    --_ref-blue: var(--idcr-ref-blue, #005eb8);
    --_ref-dark-blue: var(--idcr-ref-dark-blue, #003087);
    --_ref-red: var(--idcr-ref-red, #d5281b);
    --_ref-yellow: var(--idcr-ref-yellow, #ffb81c);
    --_ref-green: var(--idcr-ref-green, #007f3b);
    --_ref-black: var(--idcr-ref-black, #212b32);
    --_ref-grey-1: var(--idcr-ref-grey-1, #4c6272);
    --_ref-grey-4: var(--idcr-ref-grey-4, #d8dde0);
    --_ref-grey-5: var(--idcr-ref-grey-5, #f0f4f5);
    --_ref-white: var(--idcr-ref-white, #ffffff);

    --_sys-font: var(--idcr-sys-font, 'Frutiger W01', Frutiger, 'Helvetica Neue', Arial, sans-serif);
    --_sys-surface: var(--idcr-sys-surface, var(--_ref-white));
    --_sys-surface-muted: var(--idcr-sys-surface-muted, var(--_ref-grey-5));
    --_sys-surface-strong: var(--idcr-sys-surface-strong, var(--_ref-blue));
    --_sys-on-strong: var(--idcr-sys-on-strong, var(--_ref-white));
    --_sys-text: var(--idcr-sys-text, var(--_ref-black));
    --_sys-text-secondary: var(--idcr-sys-text-secondary, var(--_ref-grey-1));
    --_sys-link: var(--idcr-sys-link, var(--_ref-blue));
    --_sys-border: var(--idcr-sys-border, var(--_ref-grey-4));
    --_sys-alert: var(--idcr-sys-alert, var(--_ref-red));
    --_sys-success: var(--idcr-sys-success, var(--_ref-green));
    --_sys-focus: var(--idcr-sys-focus, var(--_ref-yellow));
    --_sys-focus-text: var(--idcr-sys-focus-text, var(--_ref-black));
    --_sys-radius: var(--idcr-sys-radius, 4px);

    display: block;
    font-family: var(--_sys-font);
    color: var(--_sys-text);
    font-size: var(--idcr-sys-font-size, 1rem);
    line-height: 1.5;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h2,
  h3 {
    margin: 0 0 0.5rem;
    line-height: 1.25;
  }
  h2 {
    font-size: 1.375rem;
  }
  h3 {
    font-size: 1.125rem;
  }
  p {
    margin: 0 0 0.75rem;
  }
  a {
    color: var(--_sys-link);
  }
  a:focus-visible,
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  summary:focus-visible,
  [tabindex]:focus-visible {
    outline: 4px solid transparent;
    background-color: var(--_sys-focus);
    color: var(--_sys-focus-text);
    box-shadow:
      0 -2px var(--_sys-focus),
      0 4px var(--_sys-focus-text);
    text-decoration: none;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px !important;
    height: 1px !important;
    margin: 0 !important;
    padding: 0 !important;
    overflow: hidden !important;
    clip: rect(0 0 0 0) !important;
    clip-path: inset(50%) !important;
    border: 0 !important;
    white-space: nowrap !important;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    margin: 0 0 1rem;
  }
  caption {
    text-align: left;
    font-weight: 600;
    font-size: 1.0625rem;
    padding: 0 0 0.5rem;
  }
  th,
  td {
    text-align: left;
    vertical-align: top;
    padding: 0.5rem 1rem 0.5rem 0;
    border-bottom: 1px solid var(--_sys-border);
  }
  th[scope='col'] {
    font-weight: 600;
    border-bottom-width: 2px;
  }
  .source {
    color: var(--_sys-text-secondary);
    font-size: 0.875rem;
  }
  .notice {
    border-left: 8px solid var(--_sys-surface-strong);
    background: var(--_sys-surface-muted);
    padding: 0.75rem 1rem;
    margin: 0 0 1rem;
  }
  .notice > :last-child {
    margin-bottom: 0;
  }
  .notice--warning {
    border-left-color: var(--_ref-yellow);
  }
  .notice--error {
    border-left-color: var(--_sys-alert);
  }
  .fact {
    font-weight: 600;
  }
  button,
  .button {
    font: inherit;
    font-weight: 600;
    min-height: 2.5rem;
    padding: 0.5rem 1rem;
    border: 2px solid transparent;
    border-radius: var(--_sys-radius);
    background: var(--_sys-success);
    color: var(--_ref-white);
    cursor: pointer;
    box-shadow: 0 4px 0 #00401e;
    margin-bottom: 4px;
  }
  button.secondary {
    background: var(--_sys-surface);
    color: var(--_sys-link);
    border-color: var(--_sys-link);
    box-shadow: 0 4px 0 var(--_sys-link);
  }
  button.warning {
    background: var(--_sys-alert);
    box-shadow: 0 4px 0 #6b140e;
  }
  button:focus-visible {
    box-shadow: 0 4px 0 var(--_sys-focus-text);
  }
  input,
  select,
  textarea {
    font: inherit;
    border: 2px solid var(--_sys-text);
    padding: 0.25rem 0.5rem;
    min-height: 2.5rem;
    border-radius: 0;
    background: var(--_sys-surface);
    color: var(--_sys-text);
  }
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible {
    background: var(--_sys-surface);
    box-shadow: inset 0 0 0 2px var(--_sys-focus-text);
    outline: 4px solid var(--_sys-focus);
    outline-offset: 0;
  }
  .tag {
    display: inline-block;
    font-size: 0.875rem;
    font-weight: 600;
    padding: 0 0.5rem;
    border: 1px solid currentColor;
    border-radius: var(--_sys-radius);
  }
  .tag--alert {
    color: var(--_sys-alert);
    background: var(--_sys-surface);
  }
  @media (max-width: 40rem) {
    th,
    td {
      padding-right: 0.5rem;
    }
  }
  @media print {
    button {
      display: none;
    }
  }
`;
