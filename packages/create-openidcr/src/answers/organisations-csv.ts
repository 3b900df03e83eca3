import { parse, CsvError } from 'csv-parse/sync';
import { GO_LIVE_STAGES } from '@openidcr/architecture';
import { ORGANISATION_KINDS, ORGANISATION_KIND_TITLES, type OrganisationKind } from '@openidcr/governance';
import { OrganisationAnswerSchema, type OrganisationAnswer } from './answers.js';

/** One problem in an organisations CSV, naming the row (as a spreadsheet numbers it, header = row 1) and the column. */
export interface CsvIssue {
  row: number;
  column?: string | undefined;
  message: string;
}

export type CsvResult = { ok: true; organisations: OrganisationAnswer[] } | { ok: false; issues: CsvIssue[] };

const COLUMNS = ['ods', 'name', 'kind', 'stage'] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['ods', 'name', 'kind'];

/** Header names people use for each column (compared lower-case, without spaces, hyphens or underscores). */
const HEADER_ALIASES: Record<string, Column> = {
  ods: 'ods',
  odscode: 'ods',
  code: 'ods',
  name: 'name',
  organisation: 'name',
  organisationname: 'name',
  kind: 'kind',
  type: 'kind',
  organisationkind: 'kind',
  stage: 'stage',
  golivestage: 'stage',
};

const squash = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, '');

/** A kind is named by its id (`gp-practice`) or its plain-English title (`GP practice`, `council social care`), in any case. */
const KIND_BY_NAME = new Map<string, OrganisationKind>(
  ORGANISATION_KINDS.flatMap((kind) => [
    [squash(kind), kind],
    [squash(ORGANISATION_KIND_TITLES[kind]), kind],
  ]),
);

/** The organisation kind a name means (`GP practice` → `gp-practice`), or undefined. */
export function kindOf(text: string): OrganisationKind | undefined {
  return KIND_BY_NAME.get(squash(text));
}

/** The organisation kinds a CSV may name, for error messages. */
export const KIND_LIST = ORGANISATION_KINDS.join(', ');

/** `Row 3, column kind: "surgery" is not an organisation kind (...)` */
export function formatCsvIssue(issue: CsvIssue): string {
  return `Row ${issue.row}${issue.column ? `, column ${issue.column}` : ''}: ${issue.message}`;
}

/**
 * Reads a locality's organisations from CSV text: a header row naming `ods`, `name`, `kind` and optionally `stage`
 * (in any order; `ODS code`, `organisation` and `type` are understood too), then one organisation a row. Kinds are
 * governance's (`gp-practice`, `acute-trust`, ...) or their plain names (`GP practice`). Every problem is reported
 * with its row and column, not just the first.
 */
export function parseOrganisationsCsv(text: string): CsvResult {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true, relax_column_count: false }) as unknown as typeof rows;
  } catch (error) {
    if (error instanceof CsvError) {
      const { lines, record } = error as CsvError & { lines?: number; record?: unknown[] };
      const expected = /expect (\d+)/.exec(error.message)?.[1];
      const message =
        error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && record && expected
          ? `has ${record.length} cells, but the header has ${expected} (check for a missing or extra comma; quote names that contain commas)`
          : error.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quote (") opened on this row is never closed'
            : error.message.replace(/^[^:]+: /, '').replace(/ (on|at) line \d+$/, '');
      const row = lines ?? 1;
      return { ok: false, issues: [{ row, message }] };
    }
    throw error;
  }
  const header = rows[0];
  if (!header) return { ok: false, issues: [{ row: 1, message: `the file is empty: it needs a header row (${COLUMNS.join(',')}) and one organisation a row` }] };

  const issues: CsvIssue[] = [];
  const columnAt = new Map<Column, number>();
  header.record.forEach((cell, index) => {
    const column = HEADER_ALIASES[squash(cell)];
    if (!column) issues.push({ row: 1, column: cell || `${index + 1}`, message: `is not a column this file can have (${COLUMNS.join(', ')})` });
    else if (columnAt.has(column)) issues.push({ row: 1, column: cell, message: `repeats the ${column} column` });
    else columnAt.set(column, index);
  });
  for (const column of REQUIRED) if (!columnAt.has(column)) issues.push({ row: 1, column, message: 'is missing from the header row' });
  if (issues.length > 0) return { ok: false, issues };
  if (rows.length === 1) return { ok: false, issues: [{ row: 2, message: 'no organisations: add one a row under the header' }] };

  const organisations: OrganisationAnswer[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { record, info } of rows.slice(1)) {
    const row = info.lines;
    const cell = (column: Column) => {
      const index = columnAt.get(column);
      return index === undefined ? undefined : record[index];
    };
    const rawKind = cell('kind') ?? '';
    const kind = KIND_BY_NAME.get(squash(rawKind));
    const rawStage = cell('stage');
    const parsed = OrganisationAnswerSchema.safeParse({
      ods: cell('ods'),
      name: cell('name'),
      kind: kind ?? rawKind,
      stage: rawStage === undefined || rawStage === '' ? undefined : rawStage.toLowerCase(),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? '');
        const value = cell(column as Column) ?? '';
        let message = issue.message;
        if (column === 'ods') message = value === '' ? 'is empty: every organisation needs its ODS code' : `"${value}" is not an ODS code (3 to 6 letters and digits, e.g. Y90001 or RR8)`;
        else if (column === 'kind') message = value === '' ? `is empty: say what kind of organisation it is (${KIND_LIST})` : `"${value}" is not an organisation kind (${KIND_LIST})`;
        else if (column === 'stage') message = `"${value}" is not a go-live stage (${GO_LIVE_STAGES.join(', ')})`;
        else if (column === 'name') message = 'is empty: every organisation needs a name';
        issues.push({ row, column, message });
      }
      continue;
    }
    const first = firstRowOf.get(parsed.data.ods);
    if (first !== undefined) {
      issues.push({ row, column: 'ods', message: `${parsed.data.ods} is already on row ${first}` });
      continue;
    }
    firstRowOf.set(parsed.data.ods, row);
    organisations.push(parsed.data);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, organisations };
}
