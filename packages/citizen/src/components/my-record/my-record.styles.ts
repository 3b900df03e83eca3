import { css } from 'lit';

export const myRecordStyles = css`
  .banner {
    background: var(--idcr-my-record-banner-background, var(--_sys-surface-strong));
    color: var(--idcr-my-record-banner-color, var(--_sys-on-strong));
    padding: 1rem 1.25rem;
    margin: 0 0 1.5rem;
  }
  .banner .name {
    font-size: 1.5rem;
    font-weight: bold;
    margin: 0 0 0.25rem;
  }
  .banner dl {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 2rem;
    margin: 0;
  }
  .banner dt {
    display: inline;
    font-weight: normal;
  }
  .banner dd {
    display: inline;
    margin: 0 0 0 0.375rem;
    font-weight: bold;
  }
  .proxy {
    border-left: 8px solid var(--_ref-yellow);
    background: var(--_sys-surface-muted);
    padding: 0.75rem 1rem;
    margin: 0 0 1.5rem;
  }
  section.heading {
    margin: 0 0 2rem;
  }
  .description {
    color: var(--_sys-text-secondary);
  }
  .detail {
    display: block;
    color: var(--_sys-text-secondary);
    font-size: 0.9375rem;
  }
  .empty {
    padding: 0.75rem 1rem;
    background: var(--_sys-surface-muted);
  }
`;
