import { describe, expect, it } from 'vitest';
import { ingestChecked } from '../test-support/ingest.js';

/** Messages written for issue #16 items 8 and 9. */
const ingest = (lines: string[], channel = 'acute-pas') => ingestChecked(lines, channel);
const pid = 'PID|1||9990000018^^^NHS^NH~H100001^^^RAE^MR||JONES^Sarah^Anne^^Mrs||19600312|F';

describe('code systems [#16 item 8]', () => {
  const systems: [string, string][] = [
    ['LN', 'http://loinc.org'],
    ['SCT', 'http://snomed.info/sct'],
    ['SNM', 'http://snomed.info/sct'],
    ['I10', 'http://hl7.org/fhir/sid/icd-10'],
    ['I10C', 'http://hl7.org/fhir/sid/icd-10-cm'],
    ['I9C', 'http://hl7.org/fhir/sid/icd-9-cm'],
    ['NDC', 'http://hl7.org/fhir/sid/ndc'],
    ['NCIT', 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl'],
    ['RXNORM', 'http://www.nlm.nih.gov/research/umls/rxnorm'],
    ['CTV3', 'http://read.info/ctv3'],
    ['READ', 'http://read.info/readv2'],
    ['HL70136', 'http://terminology.hl7.org/CodeSystem/v2-0136'],
    ['99LOCAL', 'https://openidcr.org/CodeSystem/local/RAE/99LOCAL'],
  ];
  it('known v2 coding-system names map to their canonical URIs; local ones keep their own system', async () => {
    const dg1 = systems.map(([name], i) => `DG1|${i + 1}||CODE${i}^Diagnosis ${i}^${name}||20260110`);
    const { result, of } = await ingest(['MSH|^~\\&|PAS|RAE|IDCR|LOC|20260110093000||ADT^A31|C1|P|2.4', 'EVN|A31|20260110093000', pid, ...dg1]);
    expect(result.outcome).toBe('accepted');
    const bySystem = new Map(of('Condition').map((c) => [c.code.coding[0].code, c.code.coding[0].system]));
    expect(systems.map(([, uri], i) => bySystem.get(`CODE${i}`) === uri ? uri : `${systems[i]![0]} → ${bySystem.get(`CODE${i}`)}`)).toEqual(systems.map(([, uri]) => uri));
  });

  it('TXA-2 carries the table 0270 system and words ("Discharge summary", not "DS"); an unknown type keeps a system of the sender', async () => {
    const mdm = (type: string) => [
      `MSH|^~\\&|EPR|RAE|IDCR|LOC|20260110093000||MDM^T02|D-${type}|P|2.4`,
      'EVN|T02|20260110093000',
      pid,
      `TXA|1|${type}|TX|20260110090000|||20260110090000||||DOC-${type}||||||AU||AV`,
      'OBX|1|TX|DOC^Document||Patient discharged home.||||||F',
    ];
    const { of } = await ingest(mdm('DS'));
    expect(of('DocumentReference')[0]!.type).toEqual({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0270', code: 'DS', display: 'Discharge summary' }], text: 'Discharge summary' });
    const local = await ingest(mdm('ZZLET'));
    expect(local.of('DocumentReference')[0]!.type.coding[0]).toEqual({ system: 'https://openidcr.org/CodeSystem/local/RAE/TXA-2', code: 'ZZLET' });
  });
});

describe('allergies by AL1-2 as the IG maps table 0127 [#16 item 9]', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['DA', 'medication', 'allergy'],
    ['FA', 'food', 'allergy'],
    ['EA', 'environment', 'allergy'],
    ['AA', 'biologic', 'allergy'],
    ['PA', 'environment', 'allergy'],
    ['LA', 'environment', 'allergy'],
    ['MA', undefined, 'allergy'],
    ['MC', undefined, undefined],
  ];
  it('category and type', async () => {
    const al1 = cases.map(([type], i) => `AL1|${i + 1}|${type}|A${i}^Allergen ${i}^99LOCAL|SV|Rash`);
    const { of } = await ingest(['MSH|^~\\&|PAS|RAE|IDCR|LOC|20260110093000||ADT^A31|A1|P|2.4', 'EVN|A31|20260110093000', pid, ...al1]);
    const got = of('AllergyIntolerance').map((a) => [a.code.coding[0].code, a.category?.[0], a.type]);
    expect(Object.fromEntries(got.map(([c, ...rest]) => [c, rest]))).toEqual(Object.fromEntries(cases.map(([, cat, type], i) => [`A${i}`, [cat, type]])));
  });
});

describe('SCH codes carry a system [#16 item 8]', () => {
  it('SCH-7 reads table 0276, SCH-8 table 0277 (the IG SCH map); codes outside a table keep a system of the sender', async () => {
    const { of } = await ingest([
      'MSH|^~\\&|PAS|RAE|OPENIDCR|LOCALITY|20260109100000||SIU^S12^SIU_S12|S1|P|2.4',
      'SCH|APT-1|APT-1F||||CANCEL-PT^Patient request|ROUTINE|Normal|20|min|^^20^20260224093000^20260224095000',
      pid,
      'AIS|1||CARDFU^Cardiology follow-up|20260224093000|||20|min',
    ]);
    const appointment = of('Appointment')[0]!;
    expect(appointment.reasonCode).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE', display: 'Routine appointment' }], text: 'Routine appointment' }]);
    expect(appointment.appointmentType.coding).toEqual([{ system: 'http://terminology.hl7.org/CodeSystem/v2-0277', code: 'Normal', display: 'Routine schedule request type' }]);
    expect(appointment.serviceType[0].coding[0]).toEqual({ system: 'https://openidcr.org/CodeSystem/local/RAE/AIS-3', code: 'CARDFU', display: 'Cardiology follow-up' });
  });
});
