import { css } from 'lit';

/**
 * The citizen components' theme, in three layers with fallbacks (the same tokens as `@openidcr/viewer`, so one
 * page-level theme styles both): `--idcr-ref-*` (NHS palette) → `--idcr-sys-*` (roles) → component hooks such as
 * `--idcr-access-log-flag-color`. Set any of them on the page or an ancestor to re-theme.
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

    --_sys-font: var(--idcr-sys-font, Arial, 'Helvetica Neue', Helvetica, sans-serif);
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
    margin: 0 0 0.75rem;
    line-height: 1.25;
  }
  h2 {
    font-size: 1.5rem;
  }
  h3 {
    font-size: 1.25rem;
  }
  p {
    margin: 0 0 1rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    margin: 0 0 1rem;
  }
  caption {
    text-align: left;
    font-weight: bold;
    font-size: 1.125rem;
    padding: 0 0 0.5rem;
  }
  th,
  td {
    text-align: left;
    vertical-align: top;
    padding: 0.5rem 1rem 0.5rem 0;
    border-bottom: 1px solid var(--_sys-border);
  }
  thead th {
    border-bottom-width: 2px;
  }
  .hint {
    color: var(--_sys-text-secondary);
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px !important;
    height: 1px !important;
    margin: 0 !important;
    padding: 0 !important;
    overflow: hidden !important;
    clip: rect(0 0 0 0) !important;
    white-space: nowrap !important;
    border: 0 !important;
  }
  button {
    font: inherit;
    font-weight: bold;
    font-size: 1.125rem;
    line-height: 1;
    padding: 0.75rem 1rem;
    border: 2px solid transparent;
    border-radius: var(--_sys-radius);
    background: var(--idcr-button-background, var(--_sys-success));
    color: var(--idcr-button-color, var(--_ref-white));
    box-shadow: 0 4px 0 var(--idcr-button-shadow, #00401e);
    cursor: pointer;
    margin-bottom: 4px;
  }
  button.secondary {
    background: var(--_sys-text-secondary);
    box-shadow: 0 4px 0 #263139;
  }
  button:hover {
    filter: brightness(0.9);
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  [tabindex]:focus-visible {
    outline: 4px solid var(--_sys-focus);
    outline-offset: 0;
    box-shadow: inset 0 0 0 2px var(--_sys-focus-text);
  }
  button:focus-visible {
    background: var(--_sys-focus);
    color: var(--_sys-focus-text);
    box-shadow: 0 4px 0 var(--_sys-focus-text);
    outline: none;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: not-allowed;
  }
  .panel {
    padding: 1rem 1.25rem;
    border: 1px solid var(--_sys-border);
    background: var(--_sys-surface);
    margin: 0 0 1.5rem;
  }
  .error-text {
    color: var(--_sys-alert);
    font-weight: bold;
  }
  .tag {
    display: inline-block;
    font-weight: bold;
    font-size: 0.875rem;
    padding: 0.125rem 0.5rem;
    border: 1px solid currentColor;
    border-radius: 2px;
    white-space: nowrap;
  }
  .state {
    padding: 1rem;
    background: var(--_sys-surface-muted);
    border-left: 4px solid var(--_sys-text-secondary);
  }
  .state[role='alert'] {
    border-left-color: var(--_sys-alert);
  }
`;
