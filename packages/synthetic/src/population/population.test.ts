import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CodeSystems,
  HEADING_IDS,
  NHS_NUMBER_SYSTEM,
  headingOf,
  isTestRangeNhsNumber,
  parseResource,
  sensitivityOfCode,
} from '@openidcr/model';
import { generateLocality } from '../locality/locality.js';
import { toFhirBundle, toLocalityBundle } from '../fhir/bundle.js';
import type { FhirResource } from '../fhir/resources.js';
import { generatePatient, generatePatients } from './population.js';
import type { SyntheticPatientRecord } from './population.js';
import { parseSyntheticOptions } from './options.js';

const START = Date.parse('2026-06-01T00:00:00Z');

function hashPopulation(seed: number, patients: number): string {
  const hash = createHash('sha256');
  for (const record of generatePatients({ seed, patients, faultRate: 0.05 })) {
    hash.update(JSON.stringify(toFhirBundle(record)));
    for (const message of record.messages) hash.update(message.text);
  }
  return hash.digest('hex');
}

let wide: SyntheticPatientRecord[] = [];
let records: SyntheticPatientRecord[] = [];
let all: FhirResource[] = [];

beforeAll(() => {
  wide = [...generatePatients({ seed: 42, patients: 400 })];
  records = wide.slice(0, 200);
  all = records.flatMap((r) => r.resources) as unknown as FhirResource[];
}, 120_000);

const ms = (value: unknown): number => Date.parse(String(value));
const refId = (ref: unknown): string => String((ref as { reference?: string } | undefined)?.reference ?? '');

describe('generatePatients determinism [REQ-REQ-008]', () => {
  it('gives the same bytes for the same seed and different bytes for another seed', () => {
    const first = hashPopulation(42, 200);
    expect(hashPopulation(42, 200)).toBe(first);
    expect(hashPopulation(43, 200)).not.toBe(first);
  }, 120_000);

  it('is index-addressable: patient i depends only on (seed, i), so slices can be produced in parallel', () => {
    const slice = [...generatePatients({ seed: 42, patients: 5, offset: 100 })];
    expect(slice.map((r) => r.index)).toEqual([100, 101, 102, 103, 104]);
    expect(JSON.stringify(slice[2])).toBe(JSON.stringify(records[102]));
    expect(JSON.stringify(generatePatient(57, { seed: 42 }))).toBe(JSON.stringify(records[57]));
  });

  it('changes only the faults when the fault rate changes', () => {
    const clean = generatePatient(11, { seed: 42, faultRate: 0 });
    const faulty = generatePatient(11, { seed: 42, faultRate: 1 });
    expect(faulty.resources).toEqual(clean.resources);
    expect(faulty.messages.every((m) => m.fault !== undefined || faulty.messages.some((o) => o.fault === 'duplicate' && o.controlId === m.controlId) || faulty.messages.some((o) => o.fault === 'out-of-order' && o.controlId === `${m.controlId}X`))).toBe(true);
  });

  it('ends every history at the start date it is given', () => {
    const end = Date.parse('2019-03-01T00:00:00Z');
    const record = generatePatient(3, { seed: 42, start: '2019-03-01' });
    const dates = JSON.stringify(record.resources).match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g) ?? [];
    const booked = new Set(record.resources.filter((r) => r.resourceType === 'Appointment' && r.status === 'booked').flatMap((r) => [String(r.start), String(r.end)]));
    expect(dates.length).toBeGreaterThan(0);
    for (const d of dates) if (!booked.has(d)) expect(Date.parse(d)).toBeLessThan(end);
    for (const m of record.messages) expect(Date.parse(m.sentAt)).toBeLessThan(end);
  });

  it('rejects bad options with the field named', () => {
    const result = parseSyntheticOptions({ patients: -1, faultRate: 2, start: '2026-13-01' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.field).sort()).toEqual(['faultRate', 'patients', 'start']);
    expect(() => [...generatePatients({ patients: 1_000_000 })]).toThrow(/offset \+ patients must be at most 899991/);
  });
});

describe('generated resources', () => {
  it('are valid FHIR R4 for the model (parseResource), one by one and as bundles', () => {
    const failures: string[] = [];
    for (const resource of all) {
      const result = parseResource(resource);
      if (!result.ok) failures.push(`${resource.resourceType}/${resource.id}: ${result.issues.map((i) => `${i.location} ${i.message}`).join('; ')}`);
    }
    expect(failures).toEqual([]);
    for (const record of records.slice(0, 20)) expect(parseResource(toFhirBundle(record)).ok).toBe(true);
    expect(parseResource(toLocalityBundle(generateLocality({ seed: 42 }))).ok).toBe(true);
  });

  it('have unique stable ids, a source system and references into the patient and the locality', () => {
    const locality = generateLocality({ seed: 42 });
    const known = new Set([...locality.organisations.map((o) => `Organization/${o.resource.id}`), ...locality.users.map((u) => `Practitioner/${u.id}`)]);
    const ids = new Set<string>();
    for (const record of records) {
      const local = new Set(record.resources.map((r) => `${r.resourceType}/${r.id}`));
      for (const resource of record.resources as unknown as FhirResource[]) {
        const key = `${resource.resourceType}/${resource.id}`;
        expect(ids.has(key)).toBe(false);
        ids.add(key);
        expect(resource.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
        expect(resource.meta.source).toMatch(/^urn:ods:[A-Z0-9]{3,6}:[A-Z-]+/);
        const json = JSON.stringify(resource);
        for (const [, ref] of json.matchAll(/"reference":"([^"]+)"/g)) {
          expect(ref === `Patient/${record.patient.id}` || local.has(ref as string) || known.has(ref as string), `${key} -> ${ref}`).toBe(true);
        }
      }
    }
  });

  it('give every patient a valid test-range NHS number and a registered GP practice of the locality', () => {
    const locality = generateLocality({ seed: 42 });
    const practices = new Set(locality.organisations.filter((o) => o.kind === 'gp-practice').map((o) => `Organization/${o.resource.id}`));
    const numbers = new Set<string>();
    for (const record of records) {
      expect(isTestRangeNhsNumber(record.nhsNumber)).toBe(true);
      const identifier = (record.patient.identifier as Array<{ system: string; value: string }>).find((i) => i.system === NHS_NUMBER_SYSTEM);
      expect(identifier?.value).toBe(record.nhsNumber);
      numbers.add(record.nhsNumber);
      const gp = record.patient.generalPractitioner as Array<{ reference: string }>;
      expect(practices.has(gp[0]?.reference ?? '')).toBe(true);
      const address = (record.patient.address as Array<{ postalCode: string }>)[0];
      expect(address?.postalCode).toMatch(/^[A-Z]{1,2}\d{1,2} \d[ABD-HJLNP-UW-Z]{2}$/);
    }
    expect(numbers.size).toBe(records.length);
  });

  it('tell a coherent story: nothing before birth or after the end date, discharge after admission, treatment after diagnosis', () => {
    for (const record of records) {
      const birth = Date.parse(`${String(record.patient.birthDate)}T00:00:00Z`);
      const own = record.resources as unknown as FhirResource[];
      const byId = new Map(own.map((r) => [`${r.resourceType}/${r.id}`, r]));
      for (const r of own) {
        const dates: unknown[] = [r.onsetDateTime, r.recordedDate, r.effectiveDateTime, r.occurrenceDateTime, r.authoredOn, r.date, (r.effectivePeriod as { start?: string } | undefined)?.start, (r.period as { start?: string } | undefined)?.start];
        for (const d of dates.filter((x) => x !== undefined)) {
          expect(ms(d), `${r.resourceType}/${r.id}`).toBeGreaterThanOrEqual(birth);
          expect(ms(d), `${r.resourceType}/${r.id}`).toBeLessThan(START);
        }
        if (r.resourceType === 'Encounter') {
          const period = r.period as { start: string; end?: string };
          if (period.end) expect(ms(period.end)).toBeGreaterThan(ms(period.start));
          expect(r.status).toBe(period.end ? 'finished' : 'in-progress');
        }
        if (r.resourceType === 'MedicationStatement') {
          const period = r.effectivePeriod as { start: string; end?: string };
          if (period.end) expect(ms(period.end)).toBeGreaterThan(ms(period.start));
          const condition = byId.get(refId((r.reasonReference as unknown[])[0]));
          expect(condition?.resourceType).toBe('Condition');
          expect(ms(period.start)).toBeGreaterThanOrEqual(ms(condition?.onsetDateTime));
        }
        if (r.resourceType === 'Condition' && r.abatementDateTime) expect(ms(r.abatementDateTime)).toBeGreaterThan(ms(r.onsetDateTime));
        if (r.resourceType === 'Appointment' && r.status === 'booked') expect(ms(r.start)).toBeGreaterThanOrEqual(START);
        if (r.resourceType === 'Appointment' && r.status === 'fulfilled') expect(ms(r.start)).toBeLessThan(START);
      }
    }
  });

  it('keep prescriptions age-appropriate and clear of recorded allergies', () => {
    for (const record of records) {
      const age = (START - Date.parse(`${String(record.patient.birthDate)}T00:00:00Z`)) / (365.25 * 86_400_000);
      const meds = record.resources.filter((r) => r.resourceType === 'MedicationStatement').map((r) => JSON.stringify(r.medicationCodeableConcept));
      if (age < 18) for (const med of meds) expect(med).not.toMatch(/Citalopram|Fluoxetine|Naproxen|Codeine|Tramadol|Metformin/);
      const penicillinAllergy = record.resources.some((r) => r.resourceType === 'AllergyIntolerance' && JSON.stringify(r.code).includes('91936005'));
      if (penicillinAllergy) for (const med of meds) expect(med).not.toContain('Amoxicillin');
    }
  });

  it('cover every heading, with NKA, unrecorded allergies, current inpatients and social care involvement', () => {
    const wideAll = wide.flatMap((r) => r.resources) as unknown as FhirResource[];
    const headings = new Set(wideAll.map((r) => headingOf(r)).filter((h) => h !== undefined));
    for (const id of HEADING_IDS) if (id !== 'alerts' && id !== 'care-team') expect(headings, id).toContain(id);
    const allergyStates = records.map((r) => {
      const list = r.resources.filter((x) => x.resourceType === 'AllergyIntolerance');
      if (list.length === 0) return 'none';
      return list.some((x) => JSON.stringify(x.code).includes('716186003')) ? 'nka' : 'known';
    });
    expect(new Set(allergyStates)).toEqual(new Set(['none', 'nka', 'known']));
    const socialCare = wideAll.filter((r) => r.resourceType === 'EpisodeOfCare' && r.meta.tag?.some((t) => t.code === 'social-care'));
    expect(socialCare.length).toBeGreaterThan(0);
    const council = generateLocality({ seed: 42 }).organisations.find((o) => o.kind === 'social-care');
    for (const episode of socialCare) expect(refId(episode.managingOrganization)).toBe(`Organization/${council?.resource.id}`);
    const inpatients = wide.filter((r) => r.resources.some((x) => x.resourceType === 'Encounter' && x.status === 'in-progress'));
    expect(inpatients.length).toBeGreaterThan(3);
    const docs = all.filter((r) => r.resourceType === 'DocumentReference');
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const attachment = (doc.content as Array<{ attachment: { contentType: string; data: string } }>)[0]?.attachment;
      expect(attachment?.contentType).toBe('text/plain');
      expect(Buffer.from(attachment?.data ?? '', 'base64').toString('utf8')).toMatch(/NHS No\. 999 \d{3} \d{4}/);
    }
  });

  it('label sensitive items with their sensitivity and restricted confidentiality', () => {
    const sensitive = (wide.flatMap((r) => r.resources) as unknown as FhirResource[]).filter((r) => r.meta.security && r.meta.security.length > 0);
    expect(sensitive.length).toBeGreaterThan(10);
    const labels = new Set(sensitive.flatMap((r) => r.meta.security?.map((s) => s.code) ?? []));
    expect(labels).toContain('PSY');
    expect(labels).toContain('STD');
    for (const r of sensitive) expect(r.meta.security?.some((s) => s.system === CodeSystems.confidentiality && s.code === 'R')).toBe(true);
    for (const r of all.filter((x) => x.resourceType === 'Condition')) {
      const coding = (r.code as { coding: Array<{ system: string; code: string }> }).coding[0];
      const expected = sensitivityOfCode(coding?.system, coding?.code);
      expect((r.meta.security ?? []).filter((s) => s.system !== CodeSystems.confidentiality).map((s) => s.code)).toEqual(expected);
    }
  });

  it('gives results reference ranges and H/L flags that agree with the values', () => {
    const observations = all.filter((r) => r.resourceType === 'Observation' && r.valueQuantity);
    expect(observations.length).toBeGreaterThan(100);
    let flagged = 0;
    for (const obs of observations) {
      const value = (obs.valueQuantity as { value: number; comparator?: string }).value;
      const range = (obs.referenceRange as Array<{ low?: { value: number }; high?: { value: number } }> | undefined)?.[0];
      const flag = (obs.interpretation as Array<{ coding: Array<{ code: string }> }> | undefined)?.[0]?.coding[0]?.code;
      const expected = range?.high && value > range.high.value ? 'H' : range?.low && value < range.low.value ? 'L' : undefined;
      if ((obs.valueQuantity as { comparator?: string }).comparator) continue;
      expect(flag, JSON.stringify(obs.code)).toBe(expected);
      if (flag) flagged++;
    }
    expect(flagged).toBeGreaterThan(5);
  });
});
