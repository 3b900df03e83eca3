import { NHS_NUMBER_SYSTEM } from '@openidcr/model';
import { generatePatients } from '@openidcr/synthetic';
import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';
import { ingestChecked, segment } from '../test-support/ingest.js';

// Issue #16, items 4–7: what reaches the clinician is what the PAS sent. Every message here is written for its test
// and goes through the real ingest (parse, profile, MPI, mapping, MemoryStore).

/** The parts of a stored Patient these tests read. */
interface StoredPatient {
  identifier: { system: string; value: string; type?: { text?: string } }[];
  name: { use?: string; family?: string; given?: string[] }[];
  birthDate?: string;
  _birthDate?: { extension?: { url: string; valueDateTime?: string }[] };
  address: { line: string[] }[];
}

const UNVERIFIED_NHS = 'https://openidcr.org/Id/unverified-nhs-number';
const OPEN = new Set(['planned', 'arrived', 'triaged', 'in-progress', 'onleave']);

const msh = (type: string, id: string, when = '20260120083000', sender = 'PAS|RAE') => `MSH|^~\\&|${sender}|IDCR|LOC|${when}||${type}|${id}|P|2.4`;
/** A PV1 with the fields given by number (PV1-19 visit number, PV1-44 admitted, PV1-45 discharged ...). */
const pv1 = (fields: Record<number, string>) => segment('PV1', fields);
const PID = 'PID|1||H200001^^^RAE^MR||PATEL^Arjun^^^Mr||19851105|M|||4 Chapel Street^^Bradford^^BD1 5AB^GBR^H';

async function ingest(lines: string[] | string[][], channel = 'acute-pas') {
  const ingested = await ingestChecked(lines, channel);
  return { ...ingested, patient: ingested.of('Patient')[0] as unknown as StoredPatient };
}

describe('item 4: a registration is not an attendance (no Encounter that never closes)', () => {
  it('an A04 without visit number (PV1-19) or admit time (PV1-44) records no Encounter, and says why', async () => {
    const { result, of, store } = await ingest([msh('ADT^A04', 'R1'), 'EVN|A04|20260120083000', PID, pv1({ 1: '1', 2: 'O', 3: 'THE SURGERY^^^B86001', 7: 'G1234567^Khan^Amir^^^Dr' })]);
    expect(result.outcome).toBe('accepted');
    expect(of('Encounter')).toEqual([]);
    expect(of('Patient')).toHaveLength(1);
    expect(store.relationships.size).toBe(0);
    expect(result.warnings.some((w) => w.includes('PV1.19') && w.includes('PV1.44') && /no Encounter/.test(w))).toBe(true);
  });

  it('an A08 carrying only a patient class records no Encounter', async () => {
    const { result, of } = await ingest([msh('ADT^A08', 'U1'), 'EVN|A08|20260120083000', PID, 'PV1|1|I']);
    expect(of('Encounter')).toEqual([]);
    expect(result.warnings.some((w) => w.includes('PV1.19') && w.includes('PV1.44'))).toBe(true);
  });

  it('a discharge without visit number or admit time cannot say which visit ended: no Encounter', async () => {
    const { of, result } = await ingest([msh('ADT^A03', 'D1'), 'EVN|A03|20260120083000', PID, pv1({ 1: '1', 2: 'I', 45: '20260120080000' })]);
    expect(of('Encounter')).toEqual([]);
    expect(result.warnings.some((w) => w.includes('PV1.19'))).toBe(true);
  });

  it('a social care A04 without visit number or start opens no involvement', async () => {
    const { of } = await ingest([msh('ADT^A04', 'S1', '20260120083000', 'CASE|00CX'), 'EVN|A04|20260120083000', PID.replace('RAE^MR', '00CX^PI'), pv1({ 1: '1', 2: 'O', 10: 'ASC' })], 'social-care');
    expect(of('EpisodeOfCare')).toEqual([]);
  });

  it('a PV1 with nothing in it is not worth a warning', async () => {
    const { of, result } = await ingest([msh('ADT^A04', 'R2'), 'EVN|A04|20260120083000', PID, 'PV1|1']);
    expect(of('Encounter')).toEqual([]);
    expect(result.warnings.filter((w) => w.includes('PV1'))).toEqual([]);
  });

  it('an attendance with a visit number, or keyed by its admit time, is still an Encounter', async () => {
    const numbered = await ingest([msh('ADT^A04', 'E1'), 'EVN|A04|20260120083000', PID, pv1({ 1: '1', 2: 'E', 3: 'ED^MAJORS 4^^RAE01', 19: 'A000104^^^RAE^VN', 44: '20260120083000' })]);
    expect(numbered.of('Encounter')).toMatchObject([{ status: 'in-progress', identifier: [{ value: 'A000104' }], period: { start: '2026-01-20T08:30:00Z' } }]);
    const timed = await ingest([msh('ADT^A04', 'E2'), 'EVN|A04|20260120083000', PID, pv1({ 1: '1', 2: 'O', 3: 'CARDIOLOGY OPD^^^RAE01', 44: '20260120090000' })]);
    expect(timed.of('Encounter')).toMatchObject([{ status: 'in-progress', period: { start: '2026-01-20T09:00:00Z' } }]);
    expect(timed.store.relationships.size).toBe(1);
  });

  it('the synthetic feed leaves no open ambulatory Encounter without a visit number', { timeout: 120_000 }, async () => {
    const channel: Record<string, string> = { gp: 'gp', acute: 'acute-pas', 'mental-health': 'mental-health', community: 'generic', 'social-care': 'social-care', lims: 'lims' };
    const { store, ingestor } = harness();
    for (const record of generatePatients({ seed: 42, patients: 150, faultRate: 0.05 })) {
      for (const m of record.messages) await ingestor.ingest(m.text, channel[m.stream]);
    }
    const open = [...store.resources.values()].map((r) => r.resource).filter((r) => r.resourceType === 'Encounter' && OPEN.has(String(r.status)));
    const ambulatory = open.filter((r) => (r.class as { code?: string }).code === 'AMB');
    // Before issue #16: 79 open ambulatory Encounters, 70 of them GP registrations (A04) without visit number.
    expect(ambulatory.filter((r) => !r.identifier)).toEqual([]);
    expect(ambulatory.length).toBeLessThan(10);
  });
});

describe('item 5: an NHS number that fails validation is kept, unverified, never matched on', () => {
  it.each([
    ['943476591', 'NHS number must have 10 digits, found 9'],
    ['94347A5919', 'NHS number must contain only digits'],
    ['1111111111', 'NHS number cannot be ten identical digits'],
    ['9434765918', 'NHS number check digit is wrong'],
  ])('%s: kept as an unverified identifier; the warning says %s', async (value, reason) => {
    const { patient, result, store } = await ingest([msh('ADT^A04', 'N1'), 'EVN|A04|20260120083000', PID.replace('H200001^^^RAE^MR', `${value}^^^NHS^NH~H200001^^^RAE^MR`), 'PV1|1']);
    expect(patient.identifier).toEqual([
      { system: 'https://openidcr.org/Id/local/RAE', value: 'H200001' },
      { system: UNVERIFIED_NHS, value, type: { text: `NHS number as sent, not verified: ${reason}` } },
    ].map((x) => expect.objectContaining(x)));
    expect(patient.identifier.some((i) => i.system === NHS_NUMBER_SYSTEM)).toBe(false);
    const warning = result.warnings.find((w) => w.startsWith('PID.3:'));
    expect(warning).toContain(reason);
    if (!reason.includes('check digit')) expect(warning).not.toContain('check digit');
    expect([...store.persons.values()][0]!.nhsNumber).toBeUndefined();
  });

  it('a Patient whose only identifier is a bad NHS number still carries it (identified by demographics)', async () => {
    const { patient, result } = await ingest([msh('ADT^A04', 'N2'), 'EVN|A04|20260120083000', PID.replace('H200001^^^RAE^MR', '9434765918^^^NHS^NH'), 'PV1|1']);
    expect(result.outcome).toBe('accepted');
    expect(patient.identifier).toEqual([expect.objectContaining({ system: UNVERIFIED_NHS, value: '9434765918' })]);
  });

  it('a bare PID-2 that is not a valid NHS number is kept unverified too', async () => {
    const { patient, result } = await ingest([msh('ADT^A04', 'N3'), 'EVN|A04|20260120083000', PID.replace('PID|1||', 'PID|1|4010232138|'), 'PV1|1']);
    expect(patient.identifier).toContainEqual(expect.objectContaining({ system: UNVERIFIED_NHS, value: '4010232138' }));
    expect(result.warnings.find((w) => w.startsWith('PID.2:'))).toContain('check digit is wrong');
  });

  it('the MPI does not match two people on the same unverified number', async () => {
    const { store } = await ingest([
      [msh('ADT^A04', 'M1'), 'EVN|A04|20260120083000', 'PID|1||9434765918^^^NHS^NH||PATEL^Arjun||19851105|M', 'PV1|1'],
      [msh('ADT^A04', 'M2'), 'EVN|A04|20260120090000', 'PID|1||9434765918^^^NHS^NH||OKAFOR^Grace||19700202|F', 'PV1|1'],
    ]);
    expect(store.persons.size).toBe(2);
    expect([...store.persons.values()].every((p) => p.nhsNumber === undefined)).toBe(true);
  });

  it('a bad NHS number alone, with too few demographics to identify anyone, is AE and the error says so', async () => {
    const { ingestor } = harness();
    const [result] = await ingestor.ingest([msh('ADT^A04', 'N5'), 'EVN|A04|20260120083000', 'PID|1||9434765918^^^NHS^NH||PATEL', 'PV1|1'].join('\r'), 'acute-pas');
    expect(result!.outcome).toBe('error');
    expect(result!.problems[0]!.message).toContain('an NHS number that fails validation is not used to identify anyone');
  });

  it('a FHIR bundle keeps a bad NHS number unverified and never matches on an unverified one', async () => {
    const { store, ingestor } = harness();
    const patient = (local: string, family: string) => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'Patient',
            id: local,
            identifier: [
              { system: NHS_NUMBER_SYSTEM, value: '9434765918' },
              { system: UNVERIFIED_NHS, value: '12345', type: { text: 'NHS number as sent, not verified: NHS number must have 10 digits, found 5' } },
              { system: 'https://community.example.org/Id/patient', value: local },
            ],
            name: [{ family, given: ['Sam'] }],
            birthDate: family === 'ONE' ? '1970-01-01' : '1990-09-09',
          },
        },
      ],
    });
    const channel = { name: 'community', profile: (await import('../profiles/shipped.js')).ShippedProfiles.generic };
    expect((await ingestor.ingestBundle(patient('C1', 'ONE'), channel)).outcome).toBe('accepted');
    expect((await ingestor.ingestBundle(patient('C2', 'TWO'), channel)).outcome).toBe('accepted');
    expect(store.persons.size).toBe(2);
    const stored = [...store.resources.values()].map((r) => r.resource).filter((r) => r.resourceType === 'Patient');
    for (const p of stored) {
      const ids = p.identifier as { system: string; value: string }[];
      expect(ids.filter((i) => i.system === UNVERIFIED_NHS).map((i) => i.value)).toEqual(['9434765918', '12345']);
      expect(ids.some((i) => i.system === NHS_NUMBER_SYSTEM)).toBe(false);
    }
  });

  it('a valid NHS number is still the verified identifier', async () => {
    const { patient, result } = await ingest([msh('ADT^A04', 'N4'), 'EVN|A04|20260120083000', PID.replace('H200001^^^RAE^MR', '9434765919^^^NHS^NH~H200001^^^RAE^MR'), 'PV1|1']);
    expect(patient.identifier).toContainEqual({ system: NHS_NUMBER_SYSTEM, value: '9434765919' });
    expect(patient.identifier.some((i) => i.system === UNVERIFIED_NHS)).toBe(false);
    expect(result.warnings.filter((w) => w.startsWith('PID.3'))).toEqual([]);
  });
});

describe('item 6: names, birth time and addresses as sent', () => {
  const names = 'SMITH^Jane^Mary^Jnr^Mrs^PhD^L~JONES^Jane^^^Miss^^M~^Janey^^^^^N~SMYTHE^Jane^^^^^BAD~SMITH^Jay^^^^^D~OLDNAME^Jane^^^^^NOUSE~BIRTHNAME^Jane^^^^^B~ALIAS^Jo^^^^^A';

  it('keeps every PID-5 repetition with its use (table 0200), suffix, degree and prefix', async () => {
    const { patient, result } = await ingest([msh('ADT^A04', 'P1'), 'EVN|A04|20260120083000', PID.replace('PATEL^Arjun^^^Mr', names), 'PV1|1']);
    expect(patient.name).toEqual([
      { use: 'official', family: 'SMITH', given: ['Jane', 'Mary'], prefix: ['Mrs'], suffix: ['Jnr', 'PhD'] },
      { use: 'maiden', family: 'JONES', given: ['Jane'], prefix: ['Miss'] },
      { use: 'nickname', given: ['Janey'] },
      { use: 'old', family: 'SMYTHE', given: ['Jane'] },
      { use: 'usual', family: 'SMITH', given: ['Jay'] },
      { use: 'old', family: 'OLDNAME', given: ['Jane'] },
      { use: 'old', family: 'BIRTHNAME', given: ['Jane'] },
      { family: 'ALIAS', given: ['Jo'] },
    ]);
    expect(result.warnings.filter((w) => w.startsWith('PID.5'))).toEqual([]);
  });

  it('matches on the legal name (first L), not the first repetition', async () => {
    const { store, patient } = await ingest([msh('ADT^A04', 'P2'), 'EVN|A04|20260120083000', PID.replace('PATEL^Arjun^^^Mr', 'SMITH^Jay^^^^^D~SMITH^Jane^^^^^L'), 'PV1|1']);
    expect([...store.persons.values()][0]!.demographics).toMatchObject({ family: 'SMITH', given: 'Jane' });
    expect(patient.name.map((n) => n.use)).toEqual(['usual', 'official']);
  });

  it('the first repetition without a name type is the legal name (PID-5: the legal name is sent first)', async () => {
    const { patient, store } = await ingest([msh('ADT^A04', 'P3'), 'EVN|A04|20260120083000', PID.replace('PATEL^Arjun^^^Mr', 'PATEL^Arjun^^^Mr~PATEL^AJ'), 'PV1|1']);
    expect(patient.name).toEqual([
      { use: 'official', family: 'PATEL', given: ['Arjun'], prefix: ['Mr'] },
      { family: 'PATEL', given: ['AJ'] },
    ]);
    expect([...store.persons.values()][0]!.demographics).toMatchObject({ family: 'PATEL', given: 'Arjun' });
  });

  it('an unknown name type keeps the name without a use, with a warning', async () => {
    const { patient, result } = await ingest([msh('ADT^A04', 'P4'), 'EVN|A04|20260120083000', PID.replace('PATEL^Arjun^^^Mr', 'PATEL^Arjun^^^Mr^^L~PATEL^Arjun^^^^^QQ'), 'PV1|1']);
    expect(patient.name[1]).toEqual({ family: 'PATEL', given: ['Arjun'] });
    expect(result.warnings).toContainEqual(expect.stringMatching(/^PID\.5: name type "QQ"/));
  });

  it('keeps the birth time of PID-7 in the patient-birthTime extension', async () => {
    const { patient } = await ingest([msh('ADT^A04', 'B1'), 'EVN|A04|20260120083000', PID.replace('19851105', '198507052215'), 'PV1|1']);
    expect(patient.birthDate).toBe('1985-07-05');
    expect(patient._birthDate).toEqual({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1985-07-05T22:15:00+01:00' }] });
    const dateOnly = await ingest([msh('ADT^A04', 'B2'), 'EVN|A04|20260120083000', PID, 'PV1|1']);
    expect(dateOnly.patient.birthDate).toBe('1985-11-05');
    expect(dateOnly.patient._birthDate).toBeUndefined();
  });

  it('a later message without PID-7 keeps the birth time, like the birth date', async () => {
    const { patient } = await ingest([
      [msh('ADT^A04', 'B3'), 'EVN|A04|20260120083000', PID.replace('19851105', '198507052215'), 'PV1|1'],
      [msh('ADT^A08', 'B4'), 'EVN|A08|20260121083000', 'PID|1||H200001^^^RAE^MR||PATEL^Arjun^^^Mr', 'PV1|1'],
    ]);
    expect(patient.birthDate).toBe('1985-07-05');
    expect(patient._birthDate?.extension?.[0]?.valueDateTime).toBe('1985-07-05T22:15:00+01:00');
  });

  it('splits XAD street address subcomponents (SAD) into a readable line', async () => {
    const address = '1000&Hospital Lane^^Leeds^^LS1 3EX^GBR^H~Flat 2&Park Lane&8^Block B^Leeds^^LS1 2AB^GBR^C~12 Manor Road&Manor Road&12^^Leeds^^LS6 1AA^GBR^O';
    const { patient } = await ingest([msh('ADT^A04', 'A1'), 'EVN|A04|20260120083000', PID.replace('4 Chapel Street^^Bradford^^BD1 5AB^GBR^H', address), 'PV1|1']);
    expect(patient.address.map((a) => a.line)).toEqual([['1000 Hospital Lane'], ['Flat 2, 8 Park Lane', 'Block B'], ['12 Manor Road']]);
    expect(JSON.stringify(patient.address)).not.toContain('&');
  });
});

describe('item 7: an appointment starts and ends by one source, never ends before it starts', () => {
  const siu = (sch: string, ais?: string) => [msh('SIU^S12', `S-${Math.random()}`), sch, 'PID|1||H200001^^^RAE^MR||PATEL^Arjun^^^Mr||19851105|M', 'RGS|1|A', ...(ais ? [ais] : [])];
  const appointment = async (sch: string, ais?: string) => {
    const out = await ingest(siu(sch, ais));
    return { ...out, appt: out.of('Appointment')[0]! };
  };

  it('AIS-4 start with AIS-7/AIS-8 duration wins; SCH-11.5 is not mixed in', async () => {
    const { appt } = await appointment('SCH|A1|A1F||||||CONSULT|||^^20^20260224090000^20260224092000', 'AIS|1||CARDFU^Cardiology follow-up^L|20260224093000|||20|min');
    expect(appt).toMatchObject({ start: '2026-02-24T09:30:00Z', end: '2026-02-24T09:50:00Z', minutesDuration: 20 });
  });

  it('reads AIS-8 units (hours)', async () => {
    const { appt } = await appointment('SCH|A2|A2F', 'AIS|1||CARDFU^Cardiology follow-up^L|20260224093000|||1|h^hour^ISO+');
    expect(appt).toMatchObject({ start: '2026-02-24T09:30:00Z', end: '2026-02-24T10:30:00Z', minutesDuration: 60 });
  });

  it('AIS-4 without a duration of its own takes SCH-9/SCH-10, never SCH-11.5 of another start', async () => {
    const { appt } = await appointment('SCH|A3|A3F||||||CONSULT|30|min^minutes^ISO+|^^30^20260224100000^20260224103000', 'AIS|1||CARDFU^Cardiology follow-up^L|20260224093000');
    expect(appt).toMatchObject({ start: '2026-02-24T09:30:00Z', end: '2026-02-24T10:00:00Z', minutesDuration: 30 });
  });

  it('without AIS-4: SCH-11.4 and SCH-11.5', async () => {
    const { appt } = await appointment('SCH|A4|A4F||||||CONSULT|||^^^20260224093000^20260224095000');
    expect(appt).toMatchObject({ start: '2026-02-24T09:30:00Z', end: '2026-02-24T09:50:00Z' });
  });

  it('an end before the start is dropped with a warning naming the field', async () => {
    const { appt, result } = await appointment('SCH|A5|A5F||||||CONSULT|||^^^20260224093000^20260224091000');
    expect(appt.start).toBe('2026-02-24T09:30:00Z');
    expect(appt.end).toBeUndefined();
    expect(result.warnings).toContainEqual(expect.stringMatching(/^SCH\.11: .*end.*before.*start/));
  });

  it('an end before the start gives way to the duration when there is one', async () => {
    const { appt, result } = await appointment('SCH|A6|A6F||||||CONSULT|15|min|^^^20260224093000^20260224091000');
    expect(appt).toMatchObject({ start: '2026-02-24T09:30:00Z', end: '2026-02-24T09:45:00Z', minutesDuration: 15 });
    expect(result.warnings).toContainEqual(expect.stringMatching(/^SCH\.11: /));
  });

  it('a duration in units it cannot read gives no end, and says so', async () => {
    const { appt, result } = await appointment('SCH|A7|A7F', 'AIS|1||CARDFU^Cardiology follow-up^L|20260224093000|||3|XX');
    expect(appt.start).toBe('2026-02-24T09:30:00Z');
    expect(appt.end).toBeUndefined();
    expect(appt.minutesDuration).toBeUndefined();
    expect(result.warnings).toContainEqual(expect.stringMatching(/^AIS\.8: /));
  });
});
