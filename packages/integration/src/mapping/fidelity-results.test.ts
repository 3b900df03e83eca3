/* eslint-disable @typescript-eslint/no-explicit-any -- these tests probe mapped FHIR JSON by path; a wrong path fails the assertion */
import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';
import { ingestChecked, segment } from '../test-support/ingest.js';

/** Messages written for issue #16, one per finding; each must map as the lab sent it. */
const msh = (id: string, type = 'ORU^R01^ORU_R01') => `MSH|^~\\&|WINPATH|RAE|OPENIDCR|LOCALITY|20260110153000||${type}|${id}|P|2.5.1`;
const pid = 'PID|1||9990000018^^^NHS^NH~H100001^^^RAE^MR||JONES^Sarah^Anne^^Mrs||19600312|F';

const ingest = (lines: string[], channel = 'lims') => ingestChecked(lines, channel);

const seg = segment;

/** A urine culture with two isolates, a sensitivity panel for each (OBR-26 → the isolate, OBR-29 → the culture) and a microscopy, all under one accession (filler) number. */
const URINE_CULTURE = [
  msh('MICRO001'),
  pid,
  seg('OBR', { 1: '1', 2: 'ORD900^ICE', 3: 'M26000111^WINPATH', 4: 'UCUL^Urine culture^WINPATH', 7: '20260110080000', 13: '?UTI on trimethoprim', 14: '20260110081500', 16: 'C3456789^Darwin^Samuel^^^Dr^^^GMC', 22: '20260110150000', 25: 'F' }),
  'NTE|1||Mixed growth on first plate',
  'OBX|1|CWE|ORG^Organism^WINPATH|1|112283007^Escherichia coli^SCT||||||F',
  'OBX|2|CWE|ORG^Organism^WINPATH|2|3092008^Staphylococcus aureus^SCT||||||F',
  seg('OBR', { 1: '2', 2: 'ORD900^ICE', 3: 'M26000111^WINPATH', 4: 'SENS^Sensitivities^WINPATH', 7: '20260110080000', 25: 'F', 26: 'ORG&Organism&WINPATH^1^Escherichia coli', 29: 'ORD900&ICE^M26000111&WINPATH' }),
  'OBX|1|ST|AMOX^Amoxicillin^WINPATH|1|R||||||F',
  'OBX|2|ST|NIT^Nitrofurantoin^WINPATH|1|S||||||F',
  seg('OBR', { 1: '3', 2: 'ORD900^ICE', 3: 'M26000111^WINPATH', 4: 'SENS^Sensitivities^WINPATH', 7: '20260110080000', 25: 'F', 26: 'ORG&Organism&WINPATH^2^Staphylococcus aureus', 29: 'ORD900&ICE^M26000111&WINPATH' }),
  'OBX|1|ST|AMOX^Amoxicillin^WINPATH|2|S||||||F',
  'OBX|2|ST|NIT^Nitrofurantoin^WINPATH|2|S||||||F',
  seg('OBR', { 1: '4', 2: 'ORD900^ICE', 3: 'M26000111^WINPATH', 4: 'UMIC^Urine microscopy^WINPATH', 7: '20260110080000', 25: 'P' }),
  'OBX|1|NM|WBC^White cells^WINPATH||120|/uL|<10|H|||P',
  'OBX|2|NM|RBC^Red cells^WINPATH||5|/uL|<10|N|||P',
];

describe('ORU report groups stay apart [#16 item 1]', () => {
  it('one DiagnosticReport per OBR group and one Observation per OBX, even when the groups share a filler number', async () => {
    const { result, of } = await ingest(URINE_CULTURE);
    expect(result.outcome).toBe('accepted');
    expect(of('DiagnosticReport')).toHaveLength(4);
    expect(of('Observation')).toHaveLength(8);
    const reports = new Map(of('DiagnosticReport').map((r) => [r.id, r]));
    expect(reports.size).toBe(4);
    for (const report of of('DiagnosticReport')) expect(report.identifier).toContainEqual(expect.objectContaining({ value: 'M26000111' }));
  });

  it("isolate 1's Amoxicillin stays R and isolate 2's stays S; each sensitivity points at its isolate", async () => {
    const { of } = await ingest(URINE_CULTURE);
    const obs = of('Observation');
    const byId = new Map(obs.map((o) => [`Observation/${o.id}`, o]));
    const amox = obs.filter((o) => o.code.coding[0].code === 'AMOX');
    expect(amox.map((o) => o.valueString).sort()).toEqual(['R', 'S']);
    const isolateOf = (o: Record<string, any>) => byId.get(o.derivedFrom?.[0]?.reference)?.valueCodeableConcept?.coding?.[0]?.display;
    expect(Object.fromEntries(amox.map((o) => [isolateOf(o), o.valueString]))).toEqual({ 'Escherichia coli': 'R', 'Staphylococcus aureus': 'S' });
    // The isolate lists its sensitivities (hasMember), so a reader starting at the organism finds them.
    const ecoli = obs.find((o) => o.valueCodeableConcept?.coding?.[0]?.code === '112283007')!;
    expect(ecoli.hasMember?.map((m: { reference: string }) => byId.get(m.reference)?.code.coding[0].code).sort()).toEqual(['AMOX', 'NIT']);
  });

  it('the sensitivity reports name their parent report (OBR-29); order-level notes and OBR-13 clinical information are kept', async () => {
    const { of } = await ingest(URINE_CULTURE);
    const reports = of('DiagnosticReport');
    const culture = reports.find((r) => r.code.coding[0].code === 'UCUL')!;
    const sens = reports.filter((r) => r.code.coding[0].code === 'SENS');
    expect(sens).toHaveLength(2);
    for (const s of sens) {
      expect(s.extension).toContainEqual({ url: 'https://openidcr.org/StructureDefinition/parent-report', valueReference: { reference: `DiagnosticReport/${culture.id}` } });
    }
    expect(culture.conclusion).toContain('Mixed growth on first plate');
    expect(JSON.stringify(culture.extension)).toContain('?UTI on trimethoprim');
    expect(reports.find((r) => r.code.coding[0].code === 'UMIC')!.status).toBe('preliminary');
  });

  it('a later message correcting one panel replaces that panel only', async () => {
    const { store, ingestor } = harness();
    await ingestor.ingest(URINE_CULTURE.join('\r') + '\r', 'lims');
    const corrected = URINE_CULTURE.map((l) => l.replace('MICRO001', 'MICRO002').replace('AMOX^Amoxicillin^WINPATH|1|R||||||F', 'AMOX^Amoxicillin^WINPATH|1|S||||||C'));
    await ingestor.ingest(corrected.join('\r') + '\r', 'lims');
    const obs = [...store.resources.values()].map((r) => r.resource as Record<string, any>).filter((r) => r.resourceType === 'Observation');
    expect(obs).toHaveLength(8);
    expect(obs.filter((o) => o.code.coding[0].code === 'AMOX').map((o) => `${o.valueString}/${o.status}`).sort()).toEqual(['S/corrected', 'S/final']);
  });
});

describe('result status is what the lab said, never guessed as final [#16 item 2]', () => {
  const report = (obr25: string, obx11: string) => [
    msh(`ST-${obr25 || 'none'}-${obx11 || 'none'}`),
    pid,
    `OBR|1|ORD1^ICE|L1^WINPATH|FBC^Full blood count^WINPATH|||20260110120000||||||||||||||||||${obr25}`,
    `OBX|1|NM|HB^Haemoglobin^WINPATH||98|g/L|115-165|L|||${obx11}`,
  ];
  const cases: [string, string, string, string][] = [
    // OBR-25, OBX-11, DiagnosticReport.status, Observation.status (HL7 v2-to-FHIR IG: tables 0123 and 0085)
    ['F', 'F', 'final', 'final'],
    ['P', 'P', 'preliminary', 'preliminary'],
    ['C', 'C', 'corrected', 'corrected'],
    ['R', 'R', 'partial', 'preliminary'],
    ['O', 'O', 'registered', 'registered'],
    ['I', 'I', 'registered', 'registered'],
    ['S', 'S', 'registered', 'preliminary'],
    ['X', 'X', 'cancelled', 'cancelled'],
    ['A', 'A', 'partial', 'amended'],
    ['F', 'D', 'final', 'entered-in-error'],
    ['F', 'W', 'final', 'entered-in-error'],
    ['F', 'B', 'final', 'amended'],
    ['F', 'U', 'final', 'final'],
    ['', '', 'unknown', 'unknown'],
    ['Q', 'Q', 'unknown', 'unknown'],
  ];
  for (const [obr25, obx11, reportStatus, obsStatus] of cases) {
    it(`OBR-25 ${JSON.stringify(obr25)} → ${reportStatus}, OBX-11 ${JSON.stringify(obx11)} → ${obsStatus}`, async () => {
      const { result, of } = await ingest(report(obr25, obx11));
      expect(result.outcome).toBe('accepted');
      expect(of('DiagnosticReport')[0]!.status).toBe(reportStatus);
      expect(of('Observation')[0]!.status).toBe(obsStatus);
      if (!obr25 || obr25 === 'Q') expect(result.warnings.join('\n')).toMatch(/OBR\.25/);
      if (!obx11 || obx11 === 'Q') expect(result.warnings.join('\n')).toMatch(/OBX\.11/);
    });
  }

  it('OBX-11 N (not asked) is a cancelled observation with a data-absent reason', async () => {
    const { of } = await ingest([msh('ST-N'), pid, 'OBR|1|ORD1^ICE|L2^WINPATH|UE^U and E^WINPATH|||20260110120000||||||||||||||||||F', 'OBX|1|NM|K^Potassium^WINPATH||||||||N']);
    expect(of('Observation')[0]).toMatchObject({ status: 'cancelled', dataAbsentReason: { coding: [{ code: 'not-asked' }] } });
  });
});

describe('values keep their meaning and never leak separators [#16 item 3]', () => {
  const obx = (n: number, type: string, code: string, value: string, unit = '') => `OBX|${n}|${type}|${code}^${code}^WINPATH||${value}|${unit}|||||F`;
  const message = [
    msh('SN1'),
    pid,
    'OBR|1|ORD1^ICE|L3^WINPATH|MISC^Misc^WINPATH|||20260110120000||||||||||||||||||F',
    obx(1, 'SN', 'CRP', '<^5', 'mg/L^mg/L^UCUM'),
    obx(2, 'SN', 'EGFR', '>=^90', 'mL/min/{1.73_m2}^mL/min/1.73m2^UCUM'),
    obx(3, 'SN', 'NE', '<>^5', 'mmol/L'),
    obx(4, 'SN', 'TITRE', '^1^:^128'),
    obx(5, 'SN', 'RANGE', '^10^-^20', 'mg/L'),
    obx(6, 'SN', 'GRADE', '^2^+'),
    obx(7, 'SN', 'EQ', '=^7', 'mmol/L'),
    obx(8, 'SN', 'GTR', '>^1^:^64'),
    obx(9, 'TX', 'TXT', 'Line one^with a caret~Line two \\H\\bold\\N\\'),
    obx(10, 'FT', 'FTX', 'First\\.br\\Second'),
    obx(11, 'CWE', 'ORG', '112283007^E. coli^SCT^^^^^^Escherichia coli (as the lab wrote it)'),
    obx(12, 'ST', 'STX', 'Collect & send'),
  ];

  it('SN comparators, ratios and ranges as the IG says', async () => {
    const { result, of } = await ingest(message);
    expect(result.outcome).toBe('accepted');
    const v = (code: string) => of('Observation').find((o) => o.code.coding[0].code === code)!;
    expect(v('CRP').valueQuantity).toMatchObject({ value: 5, comparator: '<', unit: 'mg/L' });
    expect(v('EGFR').valueQuantity).toMatchObject({ value: 90, comparator: '>=' });
    expect(v('NE').valueQuantity).toBeUndefined();
    expect(v('NE').valueString).toBe('<> 5 mmol/L');
    expect(v('TITRE').valueRatio).toEqual({ numerator: { value: 1 }, denominator: { value: 128 } });
    expect(v('RANGE').valueRange).toMatchObject({ low: { value: 10 }, high: { value: 20 } });
    expect(v('GRADE').valueString).toBe('2+');
    expect(v('EQ').valueQuantity).toEqual({ value: 7, unit: 'mmol/L' });
    expect(v('GTR').valueRatio).toEqual({ numerator: { value: 1, comparator: '>' }, denominator: { value: 64 } });
  });

  it('text values: no component or highlight markup, line breaks as line breaks', async () => {
    const { of } = await ingest(message);
    const v = (code: string) => of('Observation').find((o) => o.code.coding[0].code === code)!;
    expect(v('TXT').valueString).toBe('Line one with a caret\nLine two bold');
    expect(v('FTX').valueString).toBe('First\nSecond');
    expect(v('STX').valueString).toBe('Collect & send');
    for (const o of of('Observation')) {
      for (const s of [o.valueString, o.valueCodeableConcept?.text].filter(Boolean)) expect(s).not.toMatch(/[\^~|]|\\[HN]\\/);
    }
  });

  it('CWE original text (CWE.9) is the concept text', async () => {
    const { of } = await ingest(message);
    expect(of('Observation').find((o) => o.code.coding[0].code === 'ORG')!.valueCodeableConcept).toEqual({
      coding: [{ system: 'http://snomed.info/sct', code: '112283007', display: 'E. coli' }],
      text: 'Escherichia coli (as the lab wrote it)',
    });
  });

  it('a family name with subcomponents (FN) does not leak `&` into a practitioner name', async () => {
    const { of } = await ingest([
      msh('FN1'),
      pid,
      'OBR|1|ORD1^ICE|L4^WINPATH|FBC^FBC^WINPATH|||20260110120000||||||||||||||20260110150000|||F',
      'OBX|1|NM|HB^Haemoglobin^WINPATH||98|g/L|||||F|||20260110120000||C123^van der Berg&van der&Berg^Anna^^^Dr^^^GMC',
    ]);
    const text = JSON.stringify([...of('Observation'), ...of('Practitioner')]);
    expect(text).not.toContain('&');
    expect(text).toContain('Dr Anna van der Berg');
  });
});
