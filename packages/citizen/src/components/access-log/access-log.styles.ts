import { css } from 'lit';

export const accessLogStyles = css`
  .base {
    background: var(--idcr-access-log-background, transparent);
  }
  .count {
    font-size: 1.125rem;
  }
  tr.flagged th,
  tr.flagged td {
    background: var(--idcr-access-log-flag-background, #fdf4f3);
  }
  tr.flagged th {
    border-left: 6px solid var(--idcr-access-log-flag-color, var(--_sys-alert));
    padding-left: 0.75rem;
  }
  .tag.emergency {
    color: var(--idcr-access-log-flag-color, var(--_sys-alert));
    background: var(--_sys-surface);
  }
  .tag.refused {
    color: var(--_sys-text);
    background: var(--_sys-surface-muted);
  }
  .who-role {
    display: block;
  }
  .who-org {
    display: block;
    color: var(--_sys-text-secondary);
  }
  .parts {
    display: block;
    color: var(--_sys-text-secondary);
    font-size: 0.9375rem;
  }
  .reason {
    display: block;
    font-size: 0.9375rem;
  }
  @media (max-width: 40em) {
    thead {
      position: absolute;
      clip: rect(0 0 0 0);
      width: 1px;
      height: 1px;
      overflow: hidden;
    }
    tr {
      display: block;
      border-bottom: 2px solid var(--_sys-border);
      padding: 0.5rem 0;
    }
    th,
    td {
      display: block;
      border: 0;
      padding: 0.25rem 0;
    }
  }
`;
