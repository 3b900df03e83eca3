import { CATEGORIES, type Category, type Priority, type Requirement } from '../catalogue/schema.js';
import type { TestCase, TestStatus } from './results.js';

/** Where a requirement stands: proved by passing tests, contradicted by a failing one, or not tested at all. */
export type TraceStatus = 'passed' | 'failed' | 'missing';

export interface MatrixRow {
  id: string;
  title: string;
  category: Category;
  priority: Priority;
  status: TraceStatus;
  tests: { file: string; name: string; status: TestStatus }[];
}

export interface CategoryTotals {
  category: Category;
  total: number;
  passed: number;
  failed: number;
  missing: number;
}

export interface TraceMatrix {
  generatedAt: string;
  requirements: MatrixRow[];
  totals: CategoryTotals[];
  overall: { total: number; passed: number; failed: number; missing: number; mustNotPassing: string[] };
  /** Requirement ids named by tests that are not in the catalogue: a typo or a removed requirement. */
  unknownIds: { id: string; tests: string[] }[];
  removed: { id: string; reason: string }[];
}

/** Builds the traceability matrix: requirement → tests → passed/failed/missing. */
export function buildMatrix(
  requirements: readonly Requirement[],
  tests: readonly TestCase[],
  options: { now: Date; removed?: { id: string; reason: string }[] },
): TraceMatrix {
  const byId = new Map<string, TestCase[]>();
  for (const test of tests) for (const id of test.requirementIds) byId.set(id, [...(byId.get(id) ?? []), test]);

  const rows: MatrixRow[] = requirements.map((req) => {
    const linked = byId.get(req.id) ?? [];
    const ran = linked.filter((t) => t.status !== 'skipped');
    const status: TraceStatus = ran.some((t) => t.status === 'failed') ? 'failed' : ran.some((t) => t.status === 'passed') ? 'passed' : 'missing';
    return {
      id: req.id,
      title: req.title,
      category: req.category,
      priority: req.priority,
      status,
      tests: linked.map((t) => ({ file: t.file, name: t.name, status: t.status })),
    };
  });

  const known = new Set(requirements.map((r) => r.id));
  const unknownIds = [...byId.entries()]
    .filter(([id]) => !known.has(id))
    .map(([id, list]) => ({ id, tests: list.map((t) => `${t.file} > ${t.name}`) }))
    .sort((a, b) => a.id.localeCompare(b.id));

  const count = (list: MatrixRow[], s: TraceStatus) => list.filter((r) => r.status === s).length;
  const totals = CATEGORIES.map((category) => {
    const list = rows.filter((r) => r.category === category);
    return { category, total: list.length, passed: count(list, 'passed'), failed: count(list, 'failed'), missing: count(list, 'missing') };
  }).filter((t) => t.total > 0);

  return {
    generatedAt: options.now.toISOString(),
    requirements: rows,
    totals,
    overall: {
      total: rows.length,
      passed: count(rows, 'passed'),
      failed: count(rows, 'failed'),
      missing: count(rows, 'missing'),
      mustNotPassing: rows.filter((r) => r.priority === 'must' && r.status !== 'passed').map((r) => r.id),
    },
    unknownIds,
    removed: options.removed ?? [],
  };
}
