import { css } from 'lit';

export const fairProcessingNoticeStyles = css`
  section.part {
    border-top: 1px solid var(--_sys-border);
    padding-top: 1rem;
    margin-top: 1.5rem;
  }
  nav ol {
    padding-left: 1.5rem;
    columns: 2 20rem;
  }
  nav a,
  a {
    color: var(--_sys-link);
  }
  nav a:focus {
    outline: 3px solid transparent;
    background: var(--_sys-focus);
    color: var(--_sys-focus-text);
    box-shadow: 0 4px var(--_sys-focus-text);
    text-decoration: none;
  }
  ul {
    padding-left: 1.25rem;
    margin: 0 0 1rem;
  }
  li {
    margin-bottom: 0.375rem;
  }
  .choices {
    border-left: 8px solid var(--idcr-notice-choices-border, var(--_sys-surface-strong));
    background: var(--_sys-surface-muted);
    padding: 1rem 1.25rem;
  }
`;
