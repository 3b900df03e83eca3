import { css } from 'lit';

export const bannerStyles = css`
  .banner {
    background: var(--idcr-banner-background, var(--_sys-surface-strong));
    color: var(--idcr-banner-color, var(--_sys-on-strong));
    padding: 0.75rem 1rem;
  }
  .name {
    font-size: 1.5rem;
    font-weight: 700;
    margin: 0 0 0.25rem;
    line-height: 1.2;
  }
  dl {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1.75rem;
    margin: 0;
  }
  dl div {
    display: flex;
    gap: 0.4rem;
    align-items: baseline;
  }
  dt {
    font-size: 0.875rem;
    opacity: 0.92;
  }
  dd {
    margin: 0;
    font-weight: 600;
  }
  .nhs-number {
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
    user-select: all;
  }
  .secondary {
    margin-top: 0.25rem;
  }
  .allergy {
    display: inline-block;
    margin: 0.5rem 0 0;
    padding: 0.125rem 0.5rem;
    font-weight: 700;
    border-radius: var(--_sys-radius);
    background: var(--_sys-surface);
    color: var(--_sys-text);
    border: 2px solid var(--_sys-surface);
  }
  .allergy[data-state='known'] {
    background: var(--idcr-banner-allergy-background, var(--_sys-alert));
    color: var(--_ref-white);
  }
  .allergy[data-state='known']::before {
    content: '⚠ ';
  }
  .deceased {
    display: inline-block;
    margin-left: 0.5rem;
    padding: 0 0.5rem;
    background: var(--_ref-black);
    color: var(--_ref-white);
    font-size: 1rem;
    vertical-align: middle;
  }
  .banner.state {
    font-weight: 600;
  }
  .banner.state p {
    margin: 0;
  }
  @media (max-width: 40rem) {
    .name {
      font-size: 1.25rem;
    }
    dl {
      gap: 0.125rem 1rem;
    }
  }
  @media print {
    .banner {
      background: none;
      color: #000;
      border-bottom: 2px solid #000;
    }
  }
`;
