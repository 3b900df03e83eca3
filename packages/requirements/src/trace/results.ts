import { z } from 'zod';

/** The parts of a Vitest (Jest-compatible) JSON report the matrix reads. */
const AssertionSchema = z.looseObject({
  title: z.string(),
  fullName: z.string().optional(),
  ancestorTitles: z.array(z.string()).default([]),
  status: z.string(),
});
export const VitestJsonSchema = z.looseObject({
  testResults: z.array(z.looseObject({ name: z.string(), assertionResults: z.array(AssertionSchema).default([]) })),
});

export type TestStatus = 'passed' | 'failed' | 'skipped';

/** One test as the matrix sees it. */
export interface TestCase {
  file: string;
  name: string;
  status: TestStatus;
  requirementIds: string[];
}

const TAG = /\[([^\]]*)\]/g;
const ID = /REQ-[A-Z]{2,6}-\d{3}/g;

/** The requirement ids a test names in square brackets: `[REQ-GOV-007]` or `[REQ-GOV-007, REQ-SEC-001]`. */
export function requirementIdsIn(name: string): string[] {
  const ids = new Set<string>();
  for (const tag of name.matchAll(TAG)) for (const id of tag[1]!.matchAll(ID)) ids.add(id[0]);
  return [...ids];
}

function statusOf(raw: string): TestStatus {
  if (raw === 'passed') return 'passed';
  if (raw === 'failed') return 'failed';
  return 'skipped';
}

/** Reads one Vitest JSON report into test cases, with paths relative to `root` when given. */
export function readVitestJson(json: unknown, root?: string): { ok: true; tests: TestCase[] } | { ok: false; error: string } {
  const parsed = VitestJsonSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { ok: false, error: `not a Vitest JSON report: ${first.path.join('.') || '(root)'}: ${first.message}` };
  }
  const tests: TestCase[] = [];
  for (const file of parsed.data.testResults) {
    const path = root && file.name.startsWith(root) ? file.name.slice(root.length).replace(/^\//, '') : file.name;
    for (const a of file.assertionResults) {
      const name = a.fullName ?? [...a.ancestorTitles, a.title].join(' ');
      tests.push({ file: path, name, status: statusOf(a.status), requirementIds: requirementIdsIn(name) });
    }
  }
  return { ok: true, tests };
}
