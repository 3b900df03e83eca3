import type { TraceMatrix } from './matrix.js';

const mark = { passed: 'passed', failed: 'FAILED', missing: 'missing' } as const;

function md(text: string): string {
  return text.replace(/([\\|*_`[\]<>])/g, '\\$1').replace(/\n/g, ' ');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The matrix as Markdown: totals by category, then one row per requirement. */
export function matrixToMarkdown(matrix: TraceMatrix): string {
  const lines = [
    '# Requirements traceability matrix',
    '',
    `Generated ${matrix.generatedAt}. ${matrix.overall.passed} of ${matrix.overall.total} requirements proved by passing tests; ${matrix.overall.failed} failing; ${matrix.overall.missing} without tests.`,
    matrix.overall.mustNotPassing.length === 0
      ? 'Every Must requirement has a passing test.'
      : `Must requirements without a passing test: ${matrix.overall.mustNotPassing.join(', ')}.`,
    '',
    '| category | requirements | passed | failed | missing |',
    '|---|---:|---:|---:|---:|',
    ...matrix.totals.map((t) => `| ${t.category} | ${t.total} | ${t.passed} | ${t.failed} | ${t.missing} |`),
    '',
    '| id | priority | requirement | status | tests |',
    '|---|---|---|---|---|',
    ...matrix.requirements.map(
      (r) => `| ${r.id} | ${r.priority} | ${md(r.title)} | ${mark[r.status]} | ${r.tests.map((t) => `${md(t.file)}: ${md(t.name)} (${t.status})`).join('<br>') || '—'} |`,
    ),
  ];
  if (matrix.unknownIds.length > 0) {
    lines.push('', '## Tests naming unknown requirements', '');
    for (const u of matrix.unknownIds) lines.push(`- ${u.id}: ${u.tests.map(md).join('; ')}`);
  }
  if (matrix.removed.length > 0) {
    lines.push('', '## Not adopted by this locality', '');
    for (const r of matrix.removed) lines.push(`- ${r.id}: ${md(r.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The matrix as a self-contained, accessible HTML page. */
export function matrixToHtml(matrix: TraceMatrix): string {
  const rows = matrix.requirements
    .map(
      (r) =>
        `<tr class="${r.status}"><th scope="row">${escapeHtml(r.id)}</th><td>${r.priority}</td><td>${escapeHtml(r.title)}</td><td>${mark[r.status]}</td><td>${
          r.tests.length === 0 ? '—' : `<ul>${r.tests.map((t) => `<li>${escapeHtml(t.file)}: ${escapeHtml(t.name)} (${t.status})</li>`).join('')}</ul>`
        }</td></tr>`,
    )
    .join('\n');
  const totals = matrix.totals
    .map((t) => `<tr><th scope="row">${t.category}</th><td>${t.total}</td><td>${t.passed}</td><td>${t.failed}</td><td>${t.missing}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenIDCR requirements traceability</title>
<style>body{font-family:Arial,sans-serif;margin:2rem;color:#212b32}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d8dde0;padding:.4rem;text-align:left;vertical-align:top}
tr.failed td:nth-child(4){color:#d5281b;font-weight:bold}tr.missing td:nth-child(4){color:#7a4f00}ul{margin:0;padding-left:1rem}</style></head>
<body><h1>Requirements traceability matrix</h1>
<p>Generated ${escapeHtml(matrix.generatedAt)}. ${matrix.overall.passed} of ${matrix.overall.total} requirements proved by passing tests; ${matrix.overall.failed} failing; ${matrix.overall.missing} without tests.</p>
<table><caption>Totals by category</caption><thead><tr><th scope="col">Category</th><th scope="col">Requirements</th><th scope="col">Passed</th><th scope="col">Failed</th><th scope="col">Missing</th></tr></thead><tbody>
${totals}
</tbody></table>
<table><caption>Requirements and the tests that prove them</caption><thead><tr><th scope="col">Id</th><th scope="col">Priority</th><th scope="col">Requirement</th><th scope="col">Status</th><th scope="col">Tests</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
