import { css } from 'lit';

export const sharingPreferencesStyles = css`
  .status {
    border-left: 8px solid var(--idcr-preferences-status-border, var(--_sys-surface-strong));
    background: var(--_sys-surface-muted);
  }
  .status.not-shared {
    border-left-color: var(--idcr-preferences-opted-out-border, var(--_ref-yellow));
  }
  .status strong {
    font-size: 1.125rem;
  }
  fieldset {
    border: 0;
    padding: 0;
    margin: 0 0 1.5rem;
  }
  legend {
    font-weight: bold;
    font-size: 1.25rem;
    margin-bottom: 0.5rem;
  }
  .radio {
    display: flex;
    align-items: flex-start;
    gap: 0.75rem;
    margin: 0 0 0.75rem;
  }
  .radio input {
    width: 1.75rem;
    height: 1.75rem;
    margin: 0;
    flex: none;
    accent-color: var(--_sys-surface-strong);
  }
  .radio label {
    padding-top: 0.125rem;
  }
  label.block {
    display: block;
    font-weight: bold;
    margin-bottom: 0.25rem;
  }
  select {
    font: inherit;
    padding: 0.5rem;
    min-width: 18rem;
    max-width: 100%;
    border: 2px solid var(--_sys-text);
    background: var(--_sys-surface);
    color: var(--_sys-text);
  }
  .receipt {
    border: 4px solid var(--idcr-preferences-receipt-border, var(--_sys-success));
    padding: 1.25rem;
    margin: 0 0 1.5rem;
  }
  .receipt h3 {
    color: var(--_sys-text);
  }
  .receipt:focus,
  .receipt:focus-visible {
    outline: none;
    box-shadow: none;
  }
  form {
    margin-bottom: 2rem;
  }
  .reference {
    font-size: 1.5rem;
    font-weight: bold;
    letter-spacing: 0.05em;
  }
`;
