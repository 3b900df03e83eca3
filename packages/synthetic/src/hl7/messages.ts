import type { SyntheticOrganisation, SyntheticUser } from '../locality/locality.js';
import { rngFor } from '../random/prng.js';
import { HOUR, MINUTE, fhirDateTime, hl7Date, hl7DateTime } from '../random/time.js';
import { DOCUMENT_TYPES, NO_KNOWN_ALLERGY } from '../terminology/clinical.js';
import type { Admission, AppointmentItem, CareEpisode, DocumentItem, ImmunisationItem, LabReport, MedicationCourse, Person, Problem, Referral } from '../history/model.js';
import { comp, mshSegment, rep, segment } from './encoding.js';
import type { Encoded } from './encoding.js';

export type Hl7Stream = 'gp' | 'acute' | 'mental-health' | 'community' | 'social-care' | 'lims';
export type Hl7Fault = 'missing-nhs-number' | 'misspelt-name' | 'duplicate' | 'out-of-order';

export interface SyntheticHl7Message {
  /** ODS code of the sending organisation (MSH-4). */
  sender: string;
  stream: Hl7Stream;
  /** Message type and trigger event, e.g. `ADT^A01`. */
  type: string;
  /** MSH-10; a duplicate repeats its original's. */
  controlId: string;
  /** The message, each segment ended by a carriage return. */
  text: string;
  /** When the source system sent it (MSH-7), ISO 8601. */
  sentAt: string;
  fault?: Hl7Fault;
}

interface PidOptions {
  omitNhsNumber?: boolean;
  family?: string;
}

/** A message before MSH-10 and faults: its PID is rendered last, so a fault can change it. */
interface Draft {
  stream: Hl7Stream;
  org: SyntheticOrganisation;
  app: string;
  type: string;
  structure: string;
  version: '2.4' | '2.5.1';
  atMs: number;
  /** Segments after MSH; `null` marks where PID goes. */
  body: Array<string | null>;
  admission?: Admission;
  order: number;
}

const STREAM_LETTER: Record<Hl7Stream, string> = { gp: 'G', acute: 'P', lims: 'L', 'mental-health': 'M', community: 'C', 'social-care': 'S' };

function sex(person: Person): string {
  return person.gender === 'male' ? 'M' : person.gender === 'female' ? 'F' : 'U';
}

function xcn(user: SyntheticUser): Encoded {
  const name = user.practitioner.name[0];
  return comp(user.practitioner.identifier[0]?.value, name?.family, name?.given[0], undefined, undefined, name?.prefix?.[0], undefined, undefined, 'SDS');
}

function xon(org: SyntheticOrganisation): Encoded {
  return comp(org.name, undefined, org.ods);
}

function location(pointOfCare: string, org: SyntheticOrganisation, bed?: string): Encoded {
  return comp(pointOfCare, undefined, bed, org.ods);
}

function pid(person: Person, org: SyntheticOrganisation, options: PidOptions): string {
  const ids: Encoded[] = [];
  if (!options.omitNhsNumber) ids.push(comp(person.nhsNumber, undefined, undefined, 'NHS', 'NH'));
  const local = person.localIds[org.ods];
  if (local) ids.push(comp(local, undefined, undefined, org.ods, 'MR'));
  const [line1, line2] = person.address.line;
  const phones = [comp(person.phone, 'PRN', 'PH')];
  if (person.mobile) phones.push(comp(person.mobile, 'ORN', 'CP'));
  return segment('PID', {
    1: '1',
    3: rep(...ids),
    5: comp(options.family ?? person.family, person.given[0], person.given[1], undefined, person.prefix || undefined, undefined, 'L'),
    7: hl7Date(person.birthMs),
    8: sex(person),
    11: comp(line1, line2, person.address.city, person.address.district, person.address.postalCode, 'GBR', 'H'),
    13: rep(...phones),
  });
}

function pd1(person: Person): string {
  return segment('PD1', { 3: xon(person.practice), 4: xcn(person.gp) });
}

function evn(code: string, atMs: number): string {
  return segment('EVN', { 1: code, 2: hl7DateTime(atMs), 6: hl7DateTime(atMs) });
}

function dg1(setId: number, problem: Problem, type: 'A' | 'W' | 'F'): string {
  return segment('DG1', { 1: String(setId), 3: comp(problem.def.code, problem.def.display, 'SCT'), 5: hl7DateTime(problem.onsetMs), 6: type });
}

function al1Segments(person: Person): string[] {
  if (person.allergyStatus === 'nka') return [segment('AL1', { 1: '1', 3: comp(NO_KNOWN_ALLERGY.code, NO_KNOWN_ALLERGY.display, 'SCT'), 6: hl7Date(person.allergyRecordedMs) })];
  return person.allergies.map((a, i) =>
    segment('AL1', {
      1: String(i + 1),
      2: a.def.v2Type,
      3: comp(a.def.code, a.def.display, 'SCT'),
      4: a.severity === 'severe' ? 'SV' : a.severity === 'moderate' ? 'MO' : 'MI',
      5: a.reaction.display,
      6: hl7Date(a.recordedMs),
    }),
  );
}

function inpatientPv1(person: Person, a: Admission, wardIndex: number, options: { discharged?: boolean } = {}): string {
  const ward = a.wards[wardIndex] ?? a.wards[a.wards.length - 1];
  const prior = wardIndex > 0 ? a.wards[wardIndex - 1] : undefined;
  const fields: Record<number, string | Encoded | undefined> = {
    1: '1',
    2: 'I',
    3: ward ? location(ward.ward, a.org, ward.bed) : location('Acute Medical Unit', a.org),
    4: 'E',
    6: prior ? location(prior.ward, a.org, prior.bed) : undefined,
    7: xcn(a.consultant),
    8: xcn(person.gp),
    10: 'MED',
    14: '1',
    19: comp(a.visitNumber, undefined, undefined, a.org.ods, 'VN'),
    44: hl7DateTime(a.admittedMs),
  };
  if (options.discharged && a.dischargedMs !== undefined) {
    fields[36] = '01';
    fields[45] = hl7DateTime(a.dischargedMs);
  }
  return segment('PV1', fields);
}

function outpatientPv1(org: SyntheticOrganisation, place: string, clinician?: SyntheticUser, service?: string): string {
  return segment('PV1', { 1: '1', 2: 'O', 3: location(place, org), 7: clinician ? xcn(clinician) : undefined, 10: service });
}

/** Builds every message a person's history makes the locality's systems send, in send order, with faults applied. */
export function personMessages(person: Person, faultRate: number): SyntheticHl7Message[] {
  const drafts: Draft[] = [];
  let order = 0;
  const add = (draft: Omit<Draft, 'order'>): void => {
    drafts.push({ ...draft, order: order++ });
  };
  const practice = person.practice;

  // GP system: registration, summary update, prescriptions, immunisations, referrals.
  const a28 = practice.system === 'GPSYSTEM-A';
  add({
    stream: 'gp', org: practice, app: practice.system, type: a28 ? 'ADT^A28' : 'ADT^A04', structure: a28 ? 'ADT_A05' : 'ADT_A01', version: '2.4', atMs: person.registeredMs,
    body: [evn(a28 ? 'A28' : 'A04', person.registeredMs), null, pd1(person), a28 ? segment('PV1', { 1: '1', 2: 'N' }) : outpatientPv1(practice, practice.name, person.gp)],
  });
  const gpProblems = person.problems.filter((p) => p.org === practice && p.onsetMs <= person.summaryUpdatedMs);
  add({
    stream: 'gp', org: practice, app: practice.system, type: 'ADT^A31', structure: 'ADT_A05', version: '2.4', atMs: person.summaryUpdatedMs,
    body: [
      evn('A31', person.summaryUpdatedMs), null, pd1(person), segment('PV1', { 1: '1', 2: 'N' }),
      ...al1Segments(person),
      ...gpProblems.map((p, i) => dg1(i + 1, p, 'F')),
    ],
  });
  for (const m of person.medications) addPrescription(add, person, m);
  for (const i of person.immunisations) addImmunisation(add, person, i);
  for (const r of person.referrals) addReferral(add, person, r);

  // Acute trust PAS: admissions, outpatient bookings, letters. LIMS: results.
  for (const a of person.admissions) addAdmission(add, person, a);
  for (const appt of person.appointments) addBooking(add, person, appt);
  for (const d of person.documents) addDocument(add, person, d);
  for (const r of person.reports) addResult(add, person, r);
  for (const e of person.episodes) addEpisode(add, person, e);

  drafts.sort((x, y) => x.atMs - y.atMs || x.order - y.order);
  return finalise(person, drafts, faultRate);
}

type Add = (draft: Omit<Draft, 'order'>) => void;

function addPrescription(add: Add, person: Person, m: MedicationCourse): void {
  const order = (control: 'NW' | 'DC', atMs: number): void => {
    const tq1: Record<number, string> = { 1: '1', 7: hl7DateTime(m.startMs) };
    if (m.endMs !== undefined) tq1[8] = hl7DateTime(m.endMs);
    add({
      stream: 'gp', org: m.org, app: m.org.system, type: 'RDE^O11', structure: 'RDE_O11', version: '2.5.1', atMs,
      body: [
        null,
        segment('PV1', { 1: '1', 2: 'O', 3: location(m.org.name, m.org) }),
        segment('ORC', { 1: control, 2: comp(m.orderNumber, m.org.ods), 5: control === 'NW' ? 'IP' : 'DC', 9: hl7DateTime(atMs), 12: xcn(m.prescriber), 21: comp(m.org.name, undefined, m.org.ods) }),
        segment('RXE', {
          2: comp(m.medicine.code, m.medicine.display, 'DMD'),
          3: String(m.medicine.amount),
          5: comp(m.medicine.unit, m.medicine.unit),
          7: comp(undefined, m.medicine.dose),
          10: m.medicine.courseDays ? String(m.medicine.amount * 3 * m.medicine.courseDays) : '28',
          11: comp(m.medicine.unit, m.medicine.unit),
          12: m.medicine.courseDays ? '0' : '5',
        }),
        segment('TQ1', tq1),
        segment('RXR', { 1: m.medicine.unit === 'dose' ? comp('IH', 'Inhalation', 'HL70162') : comp('PO', 'Oral', 'HL70162') }),
      ],
    });
  };
  order('NW', m.startMs);
  if (m.status === 'stopped' && m.endMs !== undefined) order('DC', m.endMs);
}

function addImmunisation(add: Add, person: Person, i: ImmunisationItem): void {
  add({
    stream: 'gp', org: i.org, app: i.org.system, type: 'VXU^V04', structure: 'VXU_V04', version: '2.5.1', atMs: i.atMs + 20 * MINUTE,
    body: [
      null,
      pd1(person),
      segment('ORC', { 1: 'RE', 3: comp(`IMM${person.index}-${i.n}`, i.org.ods), 12: xcn(i.by) }),
      segment('RXA', {
        1: '0', 2: '1', 3: hl7DateTime(i.atMs), 4: hl7DateTime(i.atMs),
        5: comp(i.def.code, i.def.display, 'SCT'), 6: '0.5', 7: comp('mL', 'mL', 'UCUM'),
        9: comp('00', 'New immunization record', 'NIP001'), 10: xcn(i.by), 11: comp(undefined, undefined, undefined, i.org.ods),
        15: i.lot, 20: 'CP', 21: 'A',
      }),
      segment('RXR', { 1: i.def.route === 'IM' ? comp('IM', 'Intramuscular', 'HL70162') : comp('SC', 'Subcutaneous', 'HL70162'), 2: comp('LA', 'Left arm', 'HL70163') }),
    ],
  });
}

function addReferral(add: Add, person: Person, r: Referral): void {
  const gpName = r.from.practitioner.name[0];
  const address = r.fromOrg.resource.address[0];
  add({
    stream: 'gp', org: r.fromOrg, app: r.fromOrg.system, type: 'REF^I12', structure: 'REF_I12', version: '2.4', atMs: r.authoredMs,
    body: [
      segment('RF1', {
        1: comp('P', 'Pending', 'HL70283'), 2: r.priority === 'urgent' ? 'A' : 'R',
        3: r.to.kind === 'mental-health-trust' ? comp('Psy', 'Psychiatric', 'HL70281') : comp('Med', 'Medical', 'HL70281'),
        6: comp(r.referralId, r.fromOrg.ods), 7: hl7DateTime(r.authoredMs), 9: hl7DateTime(r.authoredMs),
        10: comp(r.problem.def.code, r.problem.def.display, 'SCT'),
      }),
      segment('PRD', {
        1: comp('RP', 'Referring Provider', 'HL70286'), 2: comp(gpName?.family, gpName?.given[0], undefined, undefined, gpName?.prefix?.[0]),
        3: address ? comp(address.line[0], undefined, address.city, address.district, address.postalCode, 'GBR', 'B') : undefined,
        4: comp(r.fromOrg.name, undefined, undefined, r.fromOrg.ods), 7: comp(r.from.practitioner.identifier[0]?.value, 'SDS'),
      }),
      segment('PRD', { 1: comp('RT', 'Referred to Provider', 'HL70286'), 4: comp(r.specialty, undefined, undefined, r.to.ods), 7: comp(r.to.ods, 'ODS') }),
      null,
      dg1(1, r.problem, 'W'),
      segment('NTE', { 1: '1', 2: 'P', 3: `Please see: ${r.problem.def.display}. Referred to ${r.specialty} (${r.priority}).` }),
    ],
  });
}

function addAdmission(add: Add, person: Person, a: Admission): void {
  const base = { stream: 'acute' as const, org: a.org, app: a.org.system, version: '2.4' as const, admission: a };
  const dgs = a.problem ? [dg1(1, a.problem, 'A')] : [];
  add({ ...base, type: 'ADT^A01', structure: 'ADT_A01', atMs: a.admittedMs, body: [evn('A01', a.admittedMs), null, pd1(person), inpatientPv1(person, a, 0), ...al1Segments(person), ...dgs] });
  a.wards.forEach((ward, i) => {
    if (i === 0) return;
    add({ ...base, type: 'ADT^A02', structure: 'ADT_A02', atMs: ward.fromMs, body: [evn('A02', ward.fromMs), null, pd1(person), inpatientPv1(person, a, i)] });
  });
  if (a.updateMs !== undefined) {
    const wardIndex = a.wards.findLastIndex((w) => w.fromMs <= (a.updateMs ?? 0));
    const working = a.problem ? [dg1(1, a.problem, 'W')] : [];
    add({ ...base, type: 'ADT^A08', structure: 'ADT_A01', atMs: a.updateMs, body: [evn('A08', a.updateMs), null, pd1(person), inpatientPv1(person, a, Math.max(0, wardIndex)), ...working] });
  }
  if (a.dischargedMs !== undefined) {
    const final = a.problem ? [dg1(1, a.problem, 'F')] : [];
    add({ ...base, type: 'ADT^A03', structure: 'ADT_A03', atMs: a.dischargedMs, body: [evn('A03', a.dischargedMs), null, pd1(person), inpatientPv1(person, a, a.wards.length - 1, { discharged: true }), ...final] });
  }
}

function streamOf(org: SyntheticOrganisation): Hl7Stream {
  switch (org.kind) {
    case 'acute-trust':
      return 'acute';
    case 'mental-health-trust':
      return 'mental-health';
    case 'community-services':
      return 'community';
    case 'social-care':
      return 'social-care';
    default:
      return 'gp';
  }
}

function addBooking(add: Add, person: Person, appt: AppointmentItem): void {
  const sch = (status: 'Booked' | 'Cancelled'): string =>
    segment('SCH', {
      1: comp(appt.appointmentId, appt.org.ods), 2: comp(appt.appointmentId, appt.org.ods),
      7: comp(undefined, appt.referral ? appt.referral.problem.def.display : appt.service),
      8: comp(appt.referral ? 'REFERRAL' : 'ROUTINE'), 9: String(appt.minutes), 10: comp('min', 'minutes', 'ISO+'),
      11: comp(undefined, undefined, `M${appt.minutes}`, hl7DateTime(appt.startMs), hl7DateTime(appt.startMs + appt.minutes * MINUTE)),
      16: xcn(appt.clinician), 25: comp(status),
    });
  const resources = [
    segment('RGS', { 1: '1', 2: 'A' }),
    segment('AIS', { 1: '1', 2: 'A', 3: comp(undefined, appt.service) }),
    segment('AIL', { 1: '1', 2: 'A', 3: location(appt.location, appt.org) }),
    segment('AIP', { 1: '1', 2: 'A', 3: xcn(appt.clinician) }),
  ];
  const base = { stream: streamOf(appt.org), org: appt.org, app: appt.org.system, version: '2.4' as const };
  add({ ...base, type: 'SIU^S12', structure: 'SIU_S12', atMs: appt.bookedMs, body: [sch('Booked'), null, outpatientPv1(appt.org, appt.location, appt.clinician, appt.service), ...resources] });
  if (appt.status === 'cancelled') {
    add({ ...base, type: 'SIU^S15', structure: 'SIU_S12', atMs: appt.startMs - 2 * 24 * HOUR, body: [sch('Cancelled'), null, outpatientPv1(appt.org, appt.location, appt.clinician, appt.service), ...resources] });
  }
}

function addDocument(add: Add, person: Person, d: DocumentItem): void {
  const type = d.kind === 'discharge-summary' ? DOCUMENT_TYPES.dischargeSummary : DOCUMENT_TYPES.clinicLetter;
  const pv1 = d.admission ? inpatientPv1(person, d.admission, d.admission.wards.length - 1, { discharged: true }) : outpatientPv1(d.org, d.appointment?.location ?? d.org.name, d.author);
  add({
    stream: streamOf(d.org), org: d.org, app: d.org.system, type: 'MDM^T02', structure: 'MDM_T02', version: '2.4', atMs: d.atMs,
    body: [
      evn('T02', d.atMs), null, pv1,
      segment('TXA', {
        1: '1', 2: d.kind === 'discharge-summary' ? 'DS' : 'CN', 3: 'TX', 4: hl7DateTime(d.atMs), 5: xcn(d.author), 6: hl7DateTime(d.atMs),
        12: comp(d.documentNumber, d.org.ods), 17: 'AU', 18: d.labels.length > 0 ? 'R' : 'U', 19: 'AV',
      }),
      ...d.lines.map((line, i) => segment('OBX', { 1: String(i + 1), 2: 'TX', 3: comp(type.code, d.title, 'SCT'), 4: '1', 5: line, 11: 'F' })),
    ],
  });
}

function range(low: number | undefined, high: number | undefined): string | undefined {
  if (low !== undefined && high !== undefined) return `${low}-${high}`;
  if (high !== undefined) return `<${high}`;
  if (low !== undefined) return `>${low}`;
  return undefined;
}

function addResult(add: Add, person: Person, r: LabReport): void {
  const stay = r.admission;
  const obx = r.results.map((res) => {
    const code = comp(res.test.loinc, res.test.short, 'LN');
    if (typeof res.value !== 'number') {
      return segment('OBX', { 1: String(res.n), 2: 'CE', 3: code, 4: '1', 5: comp(res.value.code, res.value.display, 'SCT'), 8: res.flag, 11: 'F', 14: hl7DateTime(r.collectedMs) });
    }
    const unit = res.test.unit ?? '';
    return segment('OBX', {
      1: String(res.n), 2: res.text ? 'ST' : 'NM', 3: code, 4: '1', 5: res.text ?? String(res.value), 6: comp(unit, unit, 'UCUM'),
      7: range(res.low, res.high), 8: res.flag ?? 'N', 11: 'F', 14: hl7DateTime(r.collectedMs),
    });
  });
  const panelSystem = r.panel.system === 'snomed' ? 'SCT' : 'LN';
  add({
    stream: 'lims', org: r.lab, app: 'LIMS', type: 'ORU^R01', structure: 'ORU_R01', version: '2.4', atMs: r.reportedMs,
    body: [
      null,
      stay ? inpatientPv1(person, stay, Math.max(0, stay.wards.findLastIndex((w) => w.fromMs <= r.collectedMs))) : outpatientPv1(r.requesterOrg, r.requesterOrg.name, r.requester),
      segment('ORC', { 1: 'RE', 2: comp(`${r.accession}P`, r.requesterOrg.ods), 3: comp(r.accession, r.lab.ods), 5: 'CM', 9: hl7DateTime(r.reportedMs), 12: xcn(r.requester) }),
      segment('OBR', {
        1: '1', 2: comp(`${r.accession}P`, r.requesterOrg.ods), 3: comp(r.accession, r.lab.ods), 4: comp(r.panel.code, r.panel.display, panelSystem),
        7: hl7DateTime(r.collectedMs), 14: hl7DateTime(r.collectedMs + HOUR), 16: xcn(r.requester), 22: hl7DateTime(r.reportedMs),
        24: r.panel.key === 'fbc' ? 'HM' : r.panel.key === 'sti' ? 'MB' : 'CH', 25: 'F',
      }),
      ...(r.comment ? [segment('NTE', { 1: '1', 2: 'L', 3: r.comment })] : []),
      ...obx,
    ],
  });
}

function addEpisode(add: Add, person: Person, e: CareEpisode): void {
  const stream = streamOf(e.org);
  const service = e.kind === 'social-care' ? 'ASC' : e.kind === 'mental-health' ? 'MH' : 'DN';
  const pv1 = (discharged: boolean): string =>
    segment('PV1', {
      1: '1', 2: 'O', 3: location(e.service, e.org), 7: xcn(e.manager), 10: service,
      19: comp(`EP${person.index}-${e.n}`, undefined, undefined, e.org.ods, 'VN'), 44: hl7DateTime(e.startMs),
      45: discharged && e.endMs !== undefined ? hl7DateTime(e.endMs) : undefined,
    });
  const dgs = e.problem ? [dg1(1, e.problem, 'W')] : [];
  add({ stream, org: e.org, app: e.org.system, type: 'ADT^A04', structure: 'ADT_A01', version: '2.4', atMs: e.startMs, body: [evn('A04', e.startMs), null, pd1(person), pv1(false), ...dgs] });
  if (e.endMs !== undefined) {
    add({ stream, org: e.org, app: e.org.system, type: 'ADT^A03', structure: 'ADT_A03', version: '2.4', atMs: e.endMs, body: [evn('A03', e.endMs), null, pd1(person), pv1(true)] });
  }
}

/** A plausible typing error in a family name from two random draws in [0, 1): a swapped, dropped or doubled letter. */
export function misspell(draws: readonly [number, number], name: string): string {
  const letters = [...name];
  const positions = letters.map((_, i) => i).filter((i) => i > 0 && /[A-Za-z]/.test(letters[i] ?? '') && /[A-Za-z]/.test(letters[i + 1] ?? ''));
  if (positions.length === 0) return `${name}e`;
  const i = positions[Math.floor(draws[0] * positions.length)] as number;
  const kind = Math.floor(draws[1] * 3);
  let out: string;
  if (kind === 0) {
    const a = letters[i] as string;
    letters[i] = letters[i + 1] as string;
    letters[i + 1] = a;
    out = letters.join('');
  } else if (kind === 1) {
    out = letters.slice(0, i).join('') + letters.slice(i + 1).join('');
  } else {
    out = letters.slice(0, i + 1).join('') + letters.slice(i).join('');
  }
  return out === name ? `${name}e` : out;
}

function render(person: Person, draft: Draft, controlId: string, atMs: number, options: PidOptions): string {
  const msh = mshSegment({
    3: draft.app, 4: draft.org.ods, 5: 'OPENIDCR', 6: 'IDCR', 7: hl7DateTime(atMs),
    9: comp(...draft.type.split('^'), draft.structure), 10: controlId, 11: 'P', 12: draft.version,
    15: 'AL', 16: 'NE', 17: 'GBR', 18: draft.version === '2.5.1' ? 'UNICODE UTF-8' : undefined,
  });
  const pidSegment = pid(person, draft.org, options);
  return [msh, ...draft.body.map((s) => s ?? pidSegment)].map((s) => `${s}\r`).join('');
}

function finalise(person: Person, drafts: Draft[], faultRate: number): SyntheticHl7Message[] {
  const rng = rngFor(person.seed, person.index, 'faults');
  const out: SyntheticHl7Message[] = [];
  drafts.forEach((draft, k) => {
    const controlId = `${STREAM_LETTER[draft.stream]}${person.index}.${k + 1}`;
    const base = { sender: draft.org.ods, stream: draft.stream, type: draft.type, sentAt: fhirDateTime(draft.atMs) };
    // The rolls are made for every message, faulty or not, so the fault rate changes nothing else.
    const faulty = rng.next() < faultRate;
    const roll = rng.next();
    // Two draws reserved for the misspelling, used only when that fault is chosen.
    const spellDraws = [rng.next(), rng.next()] as const;
    const canReorder = draft.admission !== undefined && draft.type !== 'ADT^A01';
    // Few messages can arrive out of order (hospital updates after an admission), so they take that fault half the time.
    const fault: Hl7Fault | undefined = !faulty
      ? undefined
      : canReorder && roll < 0.5
        ? 'out-of-order'
        : (['missing-nhs-number', 'misspelt-name', 'duplicate'] as const)[Math.floor(((canReorder ? roll - 0.5 : roll) / (canReorder ? 0.5 : 1)) * 3)];
    const options: PidOptions = {};
    if (fault === 'missing-nhs-number') options.omitNhsNumber = true;
    if (fault === 'misspelt-name') options.family = misspell(spellDraws, person.family);
    const message: SyntheticHl7Message = { ...base, controlId, text: render(person, draft, controlId, draft.atMs, options) };
    if (fault === 'missing-nhs-number' || fault === 'misspelt-name') message.fault = fault;
    out.push(message);
    if (fault === 'duplicate') out.push({ ...message, fault: 'duplicate' });
    if (fault === 'out-of-order' && draft.admission) {
      // A stale update: an A08 describing the stay as it was at admission, sent after this newer event.
      const a = draft.admission;
      const staleMs = a.admittedMs + 30 * MINUTE;
      const staleId = `${controlId}X`;
      const stale: Draft = {
        ...draft,
        type: 'ADT^A08',
        structure: 'ADT_A01',
        atMs: staleMs,
        body: [evn('A08', staleMs), null, pd1(person), inpatientPv1(person, a, 0)],
      };
      const sentMs = draft.atMs + 5 * MINUTE;
      out.push({ ...base, type: 'ADT^A08', controlId: staleId, sentAt: fhirDateTime(sentMs), text: render(person, stale, staleId, sentMs, {}), fault: 'out-of-order' });
    }
  });
  return out;
}
