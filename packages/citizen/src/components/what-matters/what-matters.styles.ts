import { css } from 'lit';

export const whatMattersStyles = css`
  .callout {
    border-left: 8px solid var(--idcr-what-matters-border, var(--_sys-surface-strong));
    background: var(--idcr-what-matters-background, var(--_sys-surface-muted));
    padding: 1rem 1.25rem;
  }
  :host([readonly]) .callout {
    padding: 0.75rem 1rem;
  }
  ol.statements {
    margin: 0 0 0.5rem;
    padding-left: 1.5rem;
    font-size: 1.125rem;
  }
  ol.statements li {
    margin-bottom: 0.25rem;
  }
  .field {
    margin: 0 0 1.25rem;
  }
  .field.invalid {
    border-left: 4px solid var(--_sys-alert);
    padding-left: 1rem;
  }
  label {
    display: block;
    font-weight: bold;
    margin-bottom: 0.25rem;
  }
  textarea {
    display: block;
    width: 100%;
    font: inherit;
    padding: 0.5rem;
    border: 2px solid var(--_sys-text);
    border-radius: 0;
    resize: vertical;
  }
  .field.invalid textarea {
    border-color: var(--_sys-alert);
  }
  .error-summary {
    border: 4px solid var(--_sys-alert);
    padding: 1rem 1.25rem;
    margin: 0 0 1.5rem;
  }
  .error-summary a {
    color: var(--_sys-alert);
    font-weight: bold;
  }
  .error-summary a:focus {
    outline: 3px solid transparent;
    background: var(--_sys-focus);
    color: var(--_sys-focus-text);
    box-shadow: 0 4px var(--_sys-focus-text);
  }
  .saved {
    border: 4px solid var(--_sys-success);
    padding: 0.75rem 1rem;
    margin: 0 0 1rem;
  }
`;
