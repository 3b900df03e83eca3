import { css } from 'lit';

export const recordStyles = css`
  .record-notices {
    margin-top: 1rem;
  }
  [role='tablist'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0;
    border-bottom: 1px solid var(--_sys-border);
    margin: 1rem 0;
    padding: 0;
  }
  [role='tab'] {
    font: inherit;
    background: none;
    border: none;
    box-shadow: none;
    border-radius: 0;
    color: var(--_sys-link);
    text-decoration: underline;
    padding: 0.5rem 0.875rem;
    margin: 0;
    cursor: pointer;
    font-weight: 400;
    min-height: 2.75rem;
  }
  [role='tab'][aria-selected='true'] {
    color: var(--_sys-text);
    text-decoration: none;
    font-weight: 600;
    background: var(--_sys-surface);
    border: 1px solid var(--_sys-border);
    border-bottom: 1px solid var(--_sys-surface);
    margin-bottom: -1px;
  }
  [role='tab']:focus-visible {
    box-shadow: inset 0 -4px 0 var(--_sys-focus-text);
  }
  [role='tabpanel'] {
    padding: 0.5rem 0;
  }
  [role='tabpanel']:focus-visible {
    outline: 4px solid var(--_sys-focus);
    outline-offset: 2px;
  }
  .summary {
    display: grid;
    /* minmax(0, 1fr): a wide table scrolls inside its region instead of widening the page on a 360 px screen. */
    grid-template-columns: minmax(0, 1fr);
    gap: 1.5rem;
  }
  .summary > * {
    border-bottom: 1px solid var(--_sys-border);
    padding-bottom: 1rem;
  }
  @media print {
    .record-notices {
    margin-top: 1rem;
  }
  [role='tablist'] {
      display: none;
    }
    [role='tabpanel'][hidden] {
      display: none;
    }
  }
`;
