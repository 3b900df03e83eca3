import { css } from 'lit';

export const resultsStyles = css`
  .flag {
    font-weight: 700;
    white-space: nowrap;
  }
  .flag--abnormal {
    color: var(--idcr-results-abnormal-color, var(--_sys-alert));
  }
  .trends {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 26rem), 1fr));
    gap: 1rem;
  }
  figure.trend {
    margin: 0;
    border: 1px solid var(--_sys-border);
    padding: 0.75rem;
    background: var(--_sys-surface);
  }
  figcaption {
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  svg {
    width: 100%;
    height: auto;
    display: block;
  }
  .range {
    fill: var(--idcr-results-range-fill, #e8f1f8);
  }
  .line {
    fill: none;
    stroke: var(--idcr-results-line, var(--_sys-surface-strong));
    stroke-width: 2.5;
  }
  .point {
    fill: var(--idcr-results-line, var(--_sys-surface-strong));
  }
  .point.abnormal {
    fill: var(--idcr-results-abnormal-color, var(--_sys-alert));
  }
  .axis {
    font-size: 15px;
    fill: var(--_sys-text-secondary);
  }
  .axis-line {
    stroke: var(--_sys-text-secondary);
  }
  .legend {
    margin: 0.25rem 0 0;
  }
  .filter {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    flex-wrap: wrap;
    margin-bottom: 1rem;
  }
`;
