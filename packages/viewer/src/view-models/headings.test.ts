import { describe, expect, test } from 'vitest';
import { alerts, careTeam, documents, encounters, FIXTURE_TODAY, immunisations, organisations, patient, practitioners, problems, results, searchset } from '../fixtures/record.js';
import { readRecordBundle } from './record-bundle.js';
import { toProblemRows } from './problems.js';
import { toImmunisationRows } from './immunisations.js';
import { toAlertRows } from './alerts.js';
import { toResultRows, toResultSeries } from './results.js';
import { toTimeline } from './timeline.js';
import { attachmentKind, decodeText, sandboxedHtml, toDocumentRows } from './documents.js';
import { toCareTeamRows } from './care-team.js';
import { toWardRows } from './virtual-ward.js';
import { recordTabs } from './record-headings.js';
import { wardResources } from '../components/virtual-ward/virtual-ward.fixtures.js';
import { birthDateProblem } from './patient-search.js';

const ctx = [patient, ...Object.values(organisations), ...practitioners];
const read = (resources: object[]) => readRecordBundle(searchset([...ctx, ...(resources as { resourceType: string }[])]));

describe('problems', () => {
  test('active and past, newest onset first; entered-in-error left out', () => {
    const { active, past } = toProblemRows(read(problems));
    expect(active.map((p) => p.problem)).toEqual(['Type 2 diabetes mellitus', 'Hypertension']);
    expect(past).toEqual([{ id: 'c-dep', problem: 'Depressive disorder', status: 'Past', onset: '20-Jan-2018', onsetIso: '2018-01-20', ended: '01-Aug-2019', source: 'Northfield Mental Health Trust' }]);
  });
});

describe('immunisations', () => {
  test('given and not given with reason, newest first', () => {
    const rows = toImmunisationRows(read(immunisations));
    expect(rows.map((r) => [r.vaccine, r.date, r.dose, r.status])).toEqual([
      ['Influenza vaccine', '04-Oct-2025', 'Dose 1', 'Given'],
      ['COVID-19 vaccine', '20-Apr-2024', 'Dose 6', 'Given'],
      ['Shingles vaccine', '11-May-2023', 'Not known', 'Not given: Declined by the person'],
    ]);
  });
});

describe('alerts', () => {
  test('only active flags, with who raised them', () => {
    expect(toAlertRows(read(alerts))).toEqual([
      { id: 'flag-1', alert: 'Lives alone: needs a key safe code to enter the house', category: undefined, since: '01-Jun-2025', sinceIso: '2025-06-01', raisedBy: "St Luke's Hospital NHS Trust" },
    ]);
  });
});

describe('results', () => {
  test('flags from the lab, else from the range; ranges in words; comparators kept out of trends', () => {
    const rows = toResultRows(read(results));
    const byId = (id: string) => rows.find((r) => r.id === id)!;
    expect(byId('o-a1')).toMatchObject({ value: '58 mmol/mol', range: '20 to 41 mmol/mol', flag: 'High', date: '01-Mar-2023 09:30' });
    expect(byId('o-k2').flag).toBe('High');
    expect(byId('o-k1').flag).toBeUndefined();
    expect(byId('o-egfr')).toMatchObject({ value: '>88 mL/min/1.73m2', numeric: undefined, range: 'Over 60' });
    const series = toResultSeries(rows);
    expect(series.map((s) => [s.test, s.points.length, s.low, s.high])).toEqual([
      ['HbA1c', 5, 20, 41],
      ['Potassium', 2, 3.5, 5.3],
    ]);
    expect(series[0]!.points.map((p) => p.value)).toEqual([58, 52, 47, 41, 40]);
  });
  test('low, critical and coded values', () => {
    const obs = (id: string, extra: object) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'X' }, ...extra });
    const rows = toResultRows(
      readRecordBundle(
        searchset([
          obs('a', { valueQuantity: { value: 1 }, referenceRange: [{ low: { value: 2 } }] }),
          obs('b', { valueQuantity: { value: 9 }, interpretation: [{ coding: [{ code: 'HH' }] }] }),
          obs('c', { valueCodeableConcept: { text: 'Positive' } }),
          obs('d', { dataAbsentReason: { text: 'Sample haemolysed' } }),
          obs('e', { status: 'entered-in-error', valueQuantity: { value: 1 } }),
        ]),
      ),
    );
    expect(rows.map((r) => [r.id, r.value, r.flag, r.range])).toEqual([
      ['a', '1', 'Low', '2 or more'],
      ['b', '9', 'Critically high', 'Not known'],
      ['c', 'Positive', undefined, 'Not known'],
      ['d', 'No result: Sample haemolysed', undefined, 'Not known'],
    ]);
  });
});

describe('timeline', () => {
  test('admissions, attendances, appointments and referrals, newest first', () => {
    const items = toTimeline(read(encounters));
    expect(items.map((i) => [i.kind, i.type, i.start])).toEqual([
      ['appointment', 'Appointment', '03-Dec-2026 09:20'],
      ['referral', 'Referral', '30-Oct-2026'],
      ['attendance', 'A&E attendance', '19-Jul-2025 14:00'],
      ['admission', 'Admission', '01-Feb-2024 22:10'],
      ['attendance', 'Outpatient attendance', '15-Jul-2019 10:00'],
    ]);
    expect(items[3]).toMatchObject({ title: 'Emergency admission — Community-acquired pneumonia', where: "St Luke's Hospital NHS Trust", status: 'Finished', end: '05-Feb-2024 11:00' });
    expect(items[1]!.where).toBe('Community podiatry service');
  });
});

describe('documents', () => {
  test('rows with author names and attachment kinds, newest first', () => {
    const rows = toDocumentRows(read(documents));
    expect(rows.map((r) => [r.title, r.date, r.author, r.attachments[0]!.kind])).toEqual([
      ['Diabetes review letter', '20-Mar-2025', 'Rhys Jones', 'pdf'],
      ['Discharge summary', '05-Feb-2024', 'Dr Asha Patel', 'text'],
      ['Clinic letter', '16-Jul-2019', 'Northfield Mental Health Trust', 'html'],
    ]);
    expect(decodeText(rows[1]!.attachments[0]!.data!)).toContain('Follow-up: GP review in 2 weeks.');
  });
  test('attachment kinds and the sandbox document', () => {
    expect(attachmentKind('text/html; charset=utf-8')).toBe('html');
    expect(attachmentKind('application/pdf')).toBe('pdf');
    expect(attachmentKind('image/png')).toBe('other');
    expect(attachmentKind(undefined)).toBe('other');
    const doc = sandboxedHtml('<p>x</p>');
    expect(doc).toContain("default-src 'none'");
    expect(doc).toContain('<body><p>x</p></body>');
    expect(decodeText(btoa('caf\u00c3\u00a9'))).toBe('café');
  });
});

describe('care team', () => {
  test('GP, health and social care with people and roles', () => {
    const rows = toCareTeamRows(read(careTeam));
    expect(rows.map((r) => [r.involvement, r.team, r.organisation, r.people.map((p) => p.name)])).toEqual([
      ['gp', 'Registered GP practice', 'Riverside Medical Practice', []],
      ['health', 'District nursing team', "St Luke's Hospital NHS Trust", ['Grace Okafor']],
      ['social-care', 'Adult social care: home care package', 'Ridgeway City Council Adult Social Care', ['Sam Taylor (social worker)']],
    ]);
  });
});

describe('virtual ward', () => {
  test('in-progress stays, longest first, with ward, days in and expected discharge', () => {
    const rows = toWardRows(readRecordBundle(searchset(wardResources)), FIXTURE_TODAY);
    expect(rows.map((r) => [r.name, r.nhsNumber, r.ward, r.admitted, r.daysIn, r.expectedDischarge])).toEqual([
      ['BROWN, Olive', '999 000 0026', 'Ward 12 (respiratory)', '02-Nov-2026', 20, '25-Nov-2026'],
      ['SMITH, John', '943 476 5919', 'Ward 12 (respiratory)', '18-Nov-2026', 4, '24-Nov-2026'],
      ['AHMED, Fatima', '999 000 0018', 'Acute medical unit', '21-Nov-2026', 1, 'Not known'],
    ]);
  });
});

describe('record tabs', () => {
  test('a locality order; shared elements merge; unknown ids reported', () => {
    const { tabs, unknown } = recordTabs('allergies, medications, appointments, encounters, nonsense');
    expect(tabs.map((t) => [t.id, t.label, t.element, t.headings])).toEqual([
      ['allergies', 'Allergies', 'idcr-allergies', ['allergies']],
      ['medications', 'Medications', 'idcr-medications', ['medications']],
      ['appointments', 'Timeline', 'idcr-encounters', ['appointments', 'encounters']],
    ]);
    expect(unknown).toEqual(['nonsense']);
    expect(recordTabs(undefined).tabs).toHaveLength(9);
  });
});

describe('patient search dates', () => {
  test('real past dates only', () => {
    expect(birthDateProblem('12', '3', '1960', FIXTURE_TODAY)).toEqual({ iso: '1960-03-12' });
    expect(birthDateProblem('31', '2', '1960', FIXTURE_TODAY).problem).toBe('Date of birth must be a real date');
    expect(birthDateProblem('1', '1', '2030', FIXTURE_TODAY).problem).toBe('Date of birth must be in the past');
    expect(birthDateProblem('', '', '', FIXTURE_TODAY).problem).toBe('Enter a date of birth');
    expect(birthDateProblem('1', 'x', '1960', FIXTURE_TODAY).problem).toContain('real date');
  });
});
