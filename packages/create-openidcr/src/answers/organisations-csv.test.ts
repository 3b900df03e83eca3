import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCsvIssue, parseOrganisationsCsv } from './organisations-csv.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

describe('organisations CSV', () => {
  it('reads a spreadsheet export: BOM, CRLF, header aliases, plain-English kinds, quoted commas, blank lines and stages', () => {
    const result = parseOrganisationsCsv(fixture('organisations.csv'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.organisations).toEqual([
      { ods: 'Y90001', name: 'Riverside Surgery', kind: 'gp-practice', stage: 'live' },
      { ods: 'Y90002', name: 'Hillview Medical Centre, Wakefield Road', kind: 'gp-practice', stage: 'pilot' },
      { ods: 'X9A', name: 'Northshire Hospitals NHS Foundation Trust', kind: 'acute-trust', stage: 'staged' },
      { ods: 'X9M', name: 'Northshire Mental Health NHS Trust', kind: 'mental-health-trust', stage: 'pilot' },
      { ods: 'X9L', name: 'Northshire Council Adult Social Care', kind: 'local-authority', stage: 'pilot' },
      { ods: 'FA123', name: 'Canal Pharmacy', kind: 'community-pharmacy', stage: 'pilot' },
    ]);
  });

  it('names the row and column of every problem in a bad file, not just the first', () => {
    const result = parseOrganisationsCsv(fixture('organisations-bad.csv'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatCsvIssue)).toEqual([
      'Row 3, column ods: "Y9-001" is not an ODS code (3 to 6 letters and digits, e.g. Y90001 or RR8)',
      'Row 4, column kind: "hospital" is not an organisation kind (gp-practice, acute-trust, mental-health-trust, community-services, local-authority, community-pharmacy, hospice, ambulance-trust, other)',
      'Row 5, column name: is empty: every organisation needs a name',
      'Row 6, column stage: "soon" is not a go-live stage (pilot, staged, live)',
    ]);
  });

  it('reports a repeated ODS code against the row it first appeared on', () => {
    const result = parseOrganisationsCsv('ods,name,kind\nY90001,Riverside Surgery,gp-practice\nX9A,Northshire Hospitals,acute-trust\ny90001,Riverside again,gp-practice\n');
    expect(result).toEqual({ ok: false, issues: [{ row: 4, column: 'ods', message: 'Y90001 is already on row 2' }] });
  });

  it('says what is wrong with the header, a short row, or an empty file', () => {
    expect(parseOrganisationsCsv('ods,name,type of thing\nY90001,Riverside,gp-practice\n')).toEqual({
      ok: false,
      issues: [
        { row: 1, column: 'type of thing', message: 'is not a column this file can have (ods, name, kind, stage)' },
        { row: 1, column: 'kind', message: 'is missing from the header row' },
      ],
    });
    const short = parseOrganisationsCsv('ods,name,kind\nY90001,Riverside Surgery,gp-practice\nX9A,Northshire Hospitals\n');
    expect(short.ok).toBe(false);
    if (!short.ok) expect(formatCsvIssue(short.issues[0]!)).toBe('Row 3: has 2 cells, but the header has 3 (check for a missing or extra comma; quote names that contain commas)');
    expect(parseOrganisationsCsv('ods,name,kind\nY90001,"Riverside Surgery,gp-practice\n')).toEqual({ ok: false, issues: [{ row: 2, message: 'a quote (") opened on this row is never closed' }] });
    expect(parseOrganisationsCsv('')).toEqual({ ok: false, issues: [{ row: 1, message: 'the file is empty: it needs a header row (ods,name,kind,stage) and one organisation a row' }] });
    expect(parseOrganisationsCsv('ods,name,kind\n')).toEqual({ ok: false, issues: [{ row: 2, message: 'no organisations: add one a row under the header' }] });
  });
});
