import { CodeSystems, sensitivityOfCode } from '@openidcr/model';
import type { SensitivityCode } from '@openidcr/model';
import { rngFor } from '../random/prng.js';
import type { Rng } from '../random/prng.js';
import { DAY, HOUR, MINUTE, YEAR, ageAt, startOfDay } from '../random/time.js';
import { FAMILY, FEMALE_GIVEN, MALE_GIVEN, POSTCODE_UNIT_LETTERS, STREET_NAMES, STREET_SUFFIXES } from '../people/names.js';
import { nhsNumberFor } from '../people/nhs-number.js';
import { CONDITIONS, ageBand } from '../terminology/conditions.js';
import type { ConditionDef } from '../terminology/conditions.js';
import { medicine } from '../terminology/medicines.js';
import { ALLERGIES, CLINICS, VACCINES, WARDS_BY_CONDITION } from '../terminology/clinical.js';
import type { VaccineDef } from '../terminology/clinical.js';
import { DETECTED, NOT_DETECTED, labPanel, labTest } from '../terminology/labs.js';
import type { LabTest } from '../terminology/labs.js';
import type { SyntheticOrganisation, SyntheticUser } from '../locality/locality.js';
import type { LocalityIndex } from './context.js';
import type {
  Admission,
  AllergyItem,
  AppointmentItem,
  CareEpisode,
  DocumentItem,
  ImmunisationItem,
  LabReport,
  LabResult,
  MedicationCourse,
  Person,
  Problem,
  Referral,
} from './model.js';
import { dischargeSummaryLines, clinicLetterLines } from './letters.js';

/** Relative sizes of 5-year age bands 0-4 .. 95-99 (roughly the population of England). */
const AGE_BAND_WEIGHTS = [5.7, 6.1, 5.9, 5.6, 6.1, 6.6, 6.9, 6.7, 6.3, 6.4, 6.8, 6.6, 5.7, 5.0, 4.9, 3.7, 2.6, 1.6, 0.8, 0.3];
const AGE_BANDS = AGE_BAND_WEIGHTS.map((_, i) => i);

const ADULT_ONLY = new Set(['citalopram20', 'citalopram10', 'fluoxetine20', 'naproxen500', 'codeine60', 'tramadol50', 'amoxicillin250', 'metformin500']);

/** Extra mean/sd for a test when the person has a problem (keyed by condition key then test key). */
const RESULT_SHIFTS: Record<string, Record<string, { mean: number; sd: number }>> = {
  t2dm: { hba1c: { mean: 58, sd: 11 } },
  ckd: { egfr: { mean: 46, sd: 10 }, creat: { mean: 138, sd: 25 }, urea: { mean: 9.2, sd: 2.5 }, hb: { mean: 118, sd: 12 } },
  hf: { ntprobnp: { mean: 1900, sd: 900 }, na: { mean: 135, sd: 3 } },
  hyperlipidaemia: { chol: { mean: 6.1, sd: 0.9 }, trig: { mean: 2.1, sd: 0.7 } },
  pneumonia: { crp: { mean: 140, sd: 60 }, wbc: { mean: 15, sd: 3 } },
  bronchitis: { crp: { mean: 22, sd: 10 } },
  uti: { crp: { mean: 34, sd: 18 }, wbc: { mean: 11.5, sd: 2.5 } },
  hypothyroid: { tsh: { mean: 6.5, sd: 3 }, ft4: { mean: 11, sd: 1.8 } },
  'fractured-nof': { hb: { mean: 112, sd: 12 } },
};

interface Counter {
  next(): number;
}

function counter(): Counter {
  let n = 0;
  return { next: () => ++n };
}

function labelsOf(code: string): SensitivityCode[] {
  return sensitivityOfCode(CodeSystems.snomed, code);
}

/** Keeps a time before `limitMs` (and after `floorMs`); a time past the limit moves to 10:00 the day before it. */
function clampPast(ms: number, limitMs: number, floorMs: number): number {
  const limit = limitMs - HOUR;
  if (ms <= limit) return Math.max(floorMs, ms);
  return Math.max(floorMs, startOfDay(limit) - DAY + 10 * HOUR);
}

/** A working-hours time on the day of `ms`: 08:00-17:59. */
function workingTime(rng: Rng, ms: number): number {
  return startOfDay(ms) + rng.int(8, 17) * HOUR + rng.int(0, 11) * 5 * MINUTE;
}

function postcode(rng: Rng, area: string, district: number): string {
  const unit = POSTCODE_UNIT_LETTERS;
  return `${area}${district} ${rng.int(1, 9)}${unit[rng.int(0, unit.length - 1)]}${unit[rng.int(0, unit.length - 1)]}`;
}

function prevalence(def: ConditionDef, age: number, gender: Person['gender']): number {
  let p = def.prevalence[ageBand(age)];
  if (def.sex && gender !== def.sex) p *= def.otherSexFactor ?? 0;
  return p;
}

/** Everything about patient `index`: depends only on (seed, index), the locality and the end date. */
export function generatePerson(seed: number, index: number, ctx: LocalityIndex, startMs: number): Person {
  const rng = rngFor(seed, index, 'person');
  const n = counter();

  // Demographics.
  const band = rng.weighted(AGE_BANDS, AGE_BAND_WEIGHTS);
  const age = band * 5 + rng.int(0, 4);
  const birthMs = startOfDay(startMs - age * YEAR - rng.int(1, 360) * DAY);
  const g = rng.next();
  const gender: Person['gender'] = g < 0.508 ? 'female' : g < 0.996 ? 'male' : 'unknown';
  const femaleName = gender === 'female' || (gender === 'unknown' && rng.chance(0.5));
  const given = [rng.pick(femaleName ? FEMALE_GIVEN : MALE_GIVEN)];
  if (rng.chance(0.3)) given.push(rng.pick(femaleName ? FEMALE_GIVEN : MALE_GIVEN));
  const family = rng.pick(FAMILY);
  const realAge = ageAt(birthMs, startMs);
  const prefix = realAge < 16 ? '' : gender === 'male' ? 'Mr' : gender === 'female' ? rng.pick(['Mrs', 'Ms', 'Miss', 'Mrs']) : 'Mx';
  const place = ctx.locality.place;
  const town = rng.pick(place.towns);
  const street = `${rng.pick(STREET_NAMES)} ${rng.pick(STREET_SUFFIXES)}`;
  const line = rng.chance(0.15) ? [`Flat ${rng.int(1, 24)}`, `${rng.int(1, 60)} ${street}`] : [`${rng.int(1, 240)} ${street}`];
  const address = { line, city: town.name, district: place.county, postalCode: postcode(rng, place.postcodeArea, rng.pick(town.districts)) };
  // Ofcom's drama ranges: 01632 960000-960999 and 07700 900000-900999 are never real lines.
  const phone = `01632 960${String(rng.int(0, 999)).padStart(3, '0')}`;
  const mobile = realAge >= 12 && rng.chance(0.8) ? `07700 900${String(rng.int(0, 999)).padStart(3, '0')}` : undefined;

  const practice = rng.pick(ctx.practices);
  const gp = rng.pick(ctx.users(practice.ods, 'gp'));
  let registeredMs = workingTime(
    rng,
    realAge < 1 ? birthMs + rng.int(14, 42) * DAY : Math.max(birthMs + 14 * DAY, startMs - rng.int(0, Math.min(realAge, 30)) * YEAR - rng.int(1, 360) * DAY),
  );
  const { acute, mentalHealth, community, council } = ctx;
  const localIds: Record<string, string> = {
    [practice.ods]: `${String(100000 + ((index * 7 + seed) % 900000))}${index}`.slice(0, 12),
    [acute.ods]: `${acute.ods.slice(0, 3)}${String(index).padStart(7, '0')}`,
  };

  const floor = birthMs + DAY;
  const clinician = (org: SyntheticOrganisation, role: Parameters<LocalityIndex['users']>[1]): SyntheticUser => rng.pick(ctx.users(org.ods, role));

  // Problems.
  const problems: Problem[] = [];
  for (const def of CONDITIONS) {
    if (realAge < def.minAge) continue;
    if (!rng.chance(prevalence(def, realAge, gender))) continue;
    let onsetAge: number;
    if (def.resolves) {
      const oldest = Math.max(def.minAge, realAge - 10);
      const youngest = Math.min(realAge, def.maxAge ?? realAge);
      if (youngest < oldest) continue;
      onsetAge = oldest + rng.next() * (youngest - oldest + 1);
    } else {
      // u^1.5 (via the exactly rounded sqrt) leans onsets towards recent years.
      const u = rng.next();
      onsetAge = realAge - u * Math.sqrt(u) * (realAge - def.minAge);
    }
    const onsetMs = clampPast(workingTime(rng, birthMs + onsetAge * YEAR), startMs - DAY, floor);
    const org = def.manager === 'mental-health' ? mentalHealth : practice;
    const recordedBy = def.manager === 'mental-health' ? clinician(mentalHealth, 'mental-health-clinician') : gp;
    const problem: Problem = { n: n.next(), labels: labelsOf(def.code), def, onsetMs, recordedBy, org };
    if (def.resolves) {
      const abatementMs = onsetMs + rng.int(7, 28) * DAY;
      if (abatementMs < startMs) problem.abatementMs = abatementMs;
    }
    problems.push(problem);
  }
  problems.sort((a, b) => a.onsetMs - b.onsetMs);

  // Allergies.
  const roll = rng.next();
  const allergyStatus: Person['allergyStatus'] = roll < 0.55 ? 'nka' : roll < 0.8 ? 'known' : 'none';
  const allergyRecordedMs = clampPast(workingTime(rng, registeredMs + rng.int(0, 60) * DAY), startMs, floor);
  const allergies: AllergyItem[] = [];
  if (allergyStatus === 'known') {
    const count = rng.chance(0.75) ? 1 : 2;
    const weights = ALLERGIES.map((a) => (a.code === '91936005' ? 5 : 1));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(ALLERGIES.indexOf(rng.weighted(ALLERGIES, weights)));
    for (const i of [...chosen].sort((a, b) => a - b)) {
      const def = ALLERGIES[i];
      if (!def) continue;
      const reaction = rng.pick(def.reactions);
      allergies.push({
        n: n.next(),
        labels: [],
        def,
        reaction,
        severity: reaction.code === '39579001' ? 'severe' : rng.pick(['mild', 'moderate'] as const),
        recordedMs: allergyRecordedMs,
      });
    }
  }
  const excluded = new Set(allergies.flatMap((a) => a.def.excludes ?? []));

  // Medications.
  const medications: MedicationCourse[] = [];
  for (const problem of problems) {
    const usable = problem.def.regimens
      .map((regimen) => regimen.filter((key) => !excluded.has(key) && (realAge >= 18 || !ADULT_ONLY.has(key))))
      .filter((regimen) => regimen.length > 0);
    if (usable.length === 0) continue;
    const regimen = rng.pick(usable);
    const prescriber = problem.org === practice ? gp : problem.recordedBy;
    for (const key of regimen) {
      const med = medicine(key);
      if (medications.some((m) => m.medicine.key === key && m.status === 'active')) continue;
      const startAt = clampPast(problem.onsetMs + (problem.def.resolves ? rng.int(0, 1) : rng.int(0, 90)) * DAY, startMs, problem.onsetMs);
      const item: MedicationCourse = {
        n: n.next(),
        labels: problem.labels,
        medicine: med,
        problem,
        startMs: startAt,
        status: 'active',
        prescriber,
        org: practice,
        orderNumber: `RX${index}-${medications.length + 1}`,
      };
      if (problem.def.resolves) {
        const endMs = startAt + (med.courseDays ?? 14) * DAY;
        if (endMs < startMs) {
          item.endMs = endMs;
          item.status = 'completed';
        }
      }
      medications.push(item);
    }
    // Sometimes an earlier medicine was stopped and replaced by the current regimen.
    if (!problem.def.resolves && usable.length > 1 && rng.chance(0.25)) {
      const other = rng.pick(usable.filter((r) => r !== regimen));
      const key = other[0];
      const first = medications.find((m) => m.problem === problem);
      if (key && first && !regimen.includes(key) && first.startMs - problem.onsetMs > 2 * DAY) {
        const med = medicine(key);
        medications.push({
          n: n.next(),
          labels: problem.labels,
          medicine: med,
          problem,
          startMs: problem.onsetMs,
          endMs: first.startMs - DAY,
          status: 'stopped',
          prescriber,
          org: practice,
          orderNumber: `RX${index}-${medications.length + 1}`,
        });
      }
    }
  }
  medications.sort((a, b) => a.startMs - b.startMs);

  // Immunisations.
  const immunisations: ImmunisationItem[] = [];
  const nurse = rng.pick(ctx.users(practice.ods, 'nurse'));
  const vaccine = (key: string): VaccineDef => {
    const def = VACCINES.find((v) => v.key === key);
    if (!def) throw new Error(`unknown vaccine ${key}`);
    return def;
  };
  const immunise = (key: string, atMs: number): void => {
    if (atMs <= birthMs || atMs >= startMs) return;
    immunisations.push({
      n: n.next(),
      labels: [],
      def: vaccine(key),
      atMs: workingTime(rng, atMs),
      by: nurse,
      org: practice,
      lot: `${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}${rng.int(1000, 9999)}`,
    });
  };
  const birthYear = new Date(birthMs).getUTCFullYear();
  if (rng.chance(0.05)) immunise('bcg', birthMs + rng.int(20, 60) * DAY);
  if (birthYear >= 1988 && rng.chance(0.92)) {
    immunise('mmr', birthMs + 13 * 30 * DAY + rng.int(0, 30) * DAY);
    immunise('mmr', birthMs + 40 * 30 * DAY + rng.int(0, 60) * DAY);
  }
  if ((gender === 'female' && birthYear >= 1996) || birthYear >= 2006) {
    if (rng.chance(0.8)) immunise('hpv', birthMs + 12.5 * YEAR + rng.int(0, 120) * DAY);
  }
  const startYear = new Date(startMs).getUTCFullYear();
  const fluEligible = realAge >= 65 || problems.some((p) => !p.def.resolves && ['asthma', 'copd', 't2dm', 'hf', 'ckd', 'ihd'].includes(p.def.key));
  if (fluEligible) {
    for (let year = startYear - 3; year < startYear; year++) {
      if (rng.chance(0.75)) immunise('flu', Date.UTC(year, 9, 1) + rng.int(0, 60) * DAY);
    }
  }
  if (realAge >= 66 && rng.chance(0.7)) immunise('pneumo', birthMs + 65 * YEAR + rng.int(10, 300) * DAY);
  if (realAge >= 71 && realAge <= 80 && rng.chance(0.5)) immunise('shingles', birthMs + 70 * YEAR + rng.int(10, 300) * DAY);
  if (realAge >= 55 && rng.chance(0.85)) immunise('covid', Date.UTC(2021, 0, 10) + rng.int(0, 80) * DAY);
  immunisations.sort((a, b) => a.atMs - b.atMs);

  // Laboratory reports.
  const reports: LabReport[] = [];
  const has = (key: string): boolean => problems.some((p) => p.def.key === key && (p.abatementMs === undefined || p.abatementMs > startMs));
  const resultFor = (test: LabTest, k: number, context: Problem | undefined): LabResult => {
    const female = gender === 'female';
    let mean = (female ? test.femaleMean : undefined) ?? test.mean ?? 0;
    let sd = test.sd ?? 1;
    for (const p of problems) {
      const active = p.abatementMs === undefined || p.abatementMs > startMs || p === context;
      const shift = RESULT_SHIFTS[p.def.key]?.[test.key];
      if (active && shift && (!p.def.resolves || p === context)) {
        mean = shift.mean;
        sd = shift.sd;
      }
    }
    const low = (female ? test.femaleLow : undefined) ?? test.low;
    const high = (female ? test.femaleHigh : undefined) ?? test.high;
    const factor = [1, 10, 100, 1000][test.decimals ?? 0] ?? 1;
    const value = Math.max(0, Math.round(rng.normal(mean, sd) * factor) / factor);
    const result: LabResult = { n: k, test, value };
    if (low !== undefined) result.low = low;
    if (high !== undefined) result.high = high;
    if (high !== undefined && value > high) result.flag = 'H';
    else if (low !== undefined && value < low) result.flag = 'L';
    if (test.key === 'egfr' && value > 90) {
      result.value = 90;
      result.text = '>90';
      delete result.flag;
    }
    return result;
  };
  const report = (panelKey: string, collected: number, requester: SyntheticUser, requesterOrg: SyntheticOrganisation, context?: Problem, admission?: Admission): void => {
    if (collected <= birthMs || collected >= startMs - 6 * HOUR) return;
    const panel = labPanel(panelKey);
    const results: LabResult[] = panel.tests.map((key, i) => {
      const test = labTest(key);
      if (!test.coded) return resultFor(test, i + 1, context);
      const positive = (key === 'chlamydia' && context?.def.key === 'chlamydia') || (key === 'gonorrhoea' && context?.def.key === 'gonorrhoea');
      const coded: LabResult = { n: i + 1, test, value: positive ? { ...DETECTED } : { ...NOT_DETECTED } };
      if (positive) coded.flag = 'A';
      return coded;
    });
    const item: LabReport = {
      n: n.next(),
      labels: panelKey === 'sti' ? ['STD'] : context?.labels ?? [],
      panel,
      collectedMs: collected,
      reportedMs: Math.min(collected + rng.int(3, 30) * HOUR, startMs - HOUR),
      requester,
      requesterOrg,
      lab: acute,
      results,
      accession: `L${seed % 100}${String(index).padStart(7, '0')}${reports.length + 1}`,
    };
    if (panel.comments && rng.chance(0.25)) item.comment = rng.pick(panel.comments);
    if (admission) item.admission = admission;
    reports.push(item);
  };
  for (const problem of problems) {
    if (problem.def.panels.length === 0) continue;
    if (problem.def.resolves) {
      if (problem.def.admissionChance === undefined || problem.def.admissionChance < 0.5) {
        for (const panel of problem.def.panels) report(panel, workingTime(rng, problem.onsetMs + HOUR), gp, practice, problem);
      }
      continue;
    }
    const from = Math.max(problem.onsetMs + 7 * DAY, startMs - 3 * YEAR);
    if (from >= startMs - 7 * DAY) continue;
    const times = rng.int(1, 3);
    for (let t = 0; t < times; t++) {
      const at = workingTime(rng, from + rng.next() * (startMs - 7 * DAY - from));
      for (const panel of problem.def.panels) report(panel, at, gp, practice, problem);
    }
  }
  if (realAge >= 16 && realAge <= 30 && !problems.some((p) => p.def.panels.includes('sti')) && rng.chance(0.08)) {
    report('sti', workingTime(rng, startMs - rng.int(30, 900) * DAY), gp, practice);
  }

  // Admissions.
  const admissions: Admission[] = [];
  const documents: DocumentItem[] = [];
  const consultantOf = (): SyntheticUser => clinician(acute, 'hospital-clinician');
  const overlaps = (from: number, to: number): boolean => admissions.some((a) => from < (a.dischargedMs ?? startMs) + DAY && to > a.admittedMs - DAY);
  const admit = (problem: Problem | undefined, admittedMs: number, losDays: number | undefined): void => {
    const dischargedMs = losDays === undefined ? undefined : admittedMs + losDays * DAY + rng.int(0, 8) * HOUR;
    if (admittedMs <= birthMs || overlaps(admittedMs, dischargedMs ?? startMs)) return;
    const specialtyWards = (problem && WARDS_BY_CONDITION[problem.def.key]) ?? (realAge >= 75 ? ['Elderly Care Ward 3'] : ['Acute Medical Unit']);
    const wards: Admission['wards'] = [];
    const viaAmu = specialtyWards[0] !== 'Acute Medical Unit' && rng.chance(0.4);
    if (viaAmu) wards.push({ ward: 'Acute Medical Unit', bed: `B${rng.int(1, 30)}`, fromMs: admittedMs });
    const transferAt = admittedMs + rng.int(8, 30) * HOUR;
    if (!viaAmu || dischargedMs === undefined || transferAt < dischargedMs - HOUR) {
      if (!viaAmu || transferAt < startMs - HOUR) wards.push({ ward: specialtyWards[0] as string, bed: `B${rng.int(1, 28)}`, fromMs: viaAmu ? transferAt : admittedMs });
    }
    const admission: Admission = {
      n: n.next(),
      labels: problem?.labels ?? [],
      admittedMs,
      wards,
      consultant: consultantOf(),
      org: acute,
      visitNumber: `V${String(index).padStart(7, '0')}${admissions.length + 1}`,
    };
    if (problem) admission.problem = problem;
    if (dischargedMs !== undefined) admission.dischargedMs = dischargedMs;
    const updateAt = admittedMs + rng.int(2, 20) * HOUR;
    if (rng.chance(0.5) && updateAt < (dischargedMs ?? startMs) - HOUR) admission.updateMs = updateAt;
    admissions.push(admission);
    for (const panel of ['fbc', 'ue', 'crp']) report(panel, admittedMs + rng.int(1, 3) * HOUR, admission.consultant, acute, problem, admission);
  };
  for (const problem of problems) {
    const chance = problem.def.admissionChance;
    if (chance === undefined || admissions.length >= 3 || !rng.chance(chance)) continue;
    const los = problem.def.key === 'fractured-nof' ? rng.int(5, 20) : rng.int(1, 12);
    let at = problem.def.resolves ? problem.onsetMs : problem.onsetMs + rng.next() * Math.max(0, startMs - problem.onsetMs);
    at = startOfDay(at) + rng.int(0, 23) * HOUR + rng.int(0, 59) * MINUTE;
    if (at + (los + 1) * DAY >= startMs) at = startMs - (los + 2) * DAY;
    if (at < problem.onsetMs) continue;
    admit(problem, at, los);
  }
  const inpatientChance = realAge >= 75 ? 0.05 : realAge >= 65 ? 0.025 : 0.008;
  if (rng.chance(inpatientChance)) {
    const reason = rng.chance(0.7) ? problems.find((p) => WARDS_BY_CONDITION[p.def.key] !== undefined && !p.def.resolves) : undefined;
    const at = startMs - rng.int(1, 9) * DAY - rng.int(1, 20) * HOUR;
    admit(reason, at, undefined);
  }
  admissions.sort((a, b) => a.admittedMs - b.admittedMs);
  for (const admission of admissions) {
    if (admission.dischargedMs === undefined) continue;
    const atMs = admission.dischargedMs + rng.int(1, 3) * HOUR;
    if (atMs >= startMs) continue;
    const doc: DocumentItem = {
      n: n.next(),
      labels: admission.labels,
      kind: 'discharge-summary',
      org: acute,
      author: admission.consultant,
      atMs,
      title: 'Discharge summary',
      lines: [],
      admission,
      documentNumber: `DS${String(index).padStart(7, '0')}${documents.length + 1}`,
    };
    documents.push(doc);
  }

  // Referrals, appointments and letters.
  const referrals: Referral[] = [];
  const appointments: AppointmentItem[] = [];
  const orgFor = (to: 'acute' | 'mental-health' | 'community'): SyntheticOrganisation => (to === 'acute' ? acute : to === 'mental-health' ? mentalHealth : community);
  const roleFor = (org: SyntheticOrganisation): Parameters<LocalityIndex['users']>[1] =>
    org === acute ? 'hospital-clinician' : org === mentalHealth ? 'mental-health-clinician' : 'nurse';
  const book = (
    org: SyntheticOrganisation,
    service: string,
    startAt: number,
    referral: Referral | undefined,
    labels: SensitivityCode[],
    location: string,
    attended = false,
  ): AppointmentItem => {
    const status: AppointmentItem['status'] = startAt >= startMs ? 'booked' : attended ? 'fulfilled' : rng.weighted(['fulfilled', 'cancelled', 'noshow'] as const, [85, 10, 5]);
    // Booked after the referral that asked for it and before the appointment itself (and before the end date).
    const earliest = Math.max(birthMs + HOUR, referral ? referral.authoredMs + HOUR : startAt - 60 * DAY);
    const latest = Math.min(startAt - HOUR, startMs - HOUR);
    const wanted = workingTime(rng, startAt - rng.int(7, 40) * DAY);
    const bookedMs = latest <= earliest ? earliest : Math.min(latest, Math.max(earliest, wanted));
    const item: AppointmentItem = {
      n: n.next(),
      labels,
      org,
      clinician: clinician(org, roleFor(org)),
      service,
      location,
      startMs: startAt,
      minutes: rng.pick([15, 20, 30, 45]),
      status,
      bookedMs,
      appointmentId: `A${String(index).padStart(7, '0')}${appointments.length + 1}`,
    };
    if (referral) item.referral = referral;
    appointments.push(item);
    return item;
  };
  for (const problem of problems) {
    const target = problem.def.referral;
    // Severe mental illness is diagnosed by the mental health trust after a GP referral; other problems are referred later, sometimes.
    const diagnosedOnReferral = problem.def.manager === 'mental-health';
    if (!target || problem.def.resolves || !(diagnosedOnReferral || rng.chance(0.35))) continue;
    const authoredMs = diagnosedOnReferral
      ? Math.max(birthMs + DAY, workingTime(rng, problem.onsetMs - rng.int(14, 60) * DAY))
      : clampPast(workingTime(rng, problem.onsetMs + rng.int(7, 180) * DAY), startMs - DAY, problem.onsetMs);
    const to = orgFor(target.to);
    const referral: Referral = {
      n: n.next(),
      labels: problem.labels,
      problem,
      authoredMs,
      from: gp,
      fromOrg: practice,
      to,
      specialty: target.specialty,
      priority: rng.chance(0.15) ? 'urgent' : 'routine',
      status: 'active',
      referralId: `R${String(index).padStart(7, '0')}${referrals.length + 1}`,
    };
    referrals.push(referral);
    const apptAt = diagnosedOnReferral
      ? problem.onsetMs
      : workingTime(rng, authoredMs + rng.int(referral.priority === 'urgent' ? 5 : 14, referral.priority === 'urgent' ? 14 : 84) * DAY);
    const location = to === acute ? `${target.specialty} Outpatients` : to === mentalHealth ? 'Community Mental Health Centre' : 'Community Clinic';
    const appt = book(to, target.specialty, apptAt, referral, problem.labels, location, diagnosedOnReferral);
    if (appt.status === 'fulfilled') {
      referral.status = 'completed';
      const letterAt = appt.startMs + rng.int(1, 10) * DAY;
      if (letterAt < startMs) {
        documents.push({
          n: n.next(),
          labels: problem.labels,
          kind: 'clinic-letter',
          org: to,
          author: appt.clinician,
          atMs: workingTime(rng, letterAt),
          title: `${target.specialty} clinic letter`,
          lines: [],
          appointment: appt,
          documentNumber: `CL${String(index).padStart(7, '0')}${documents.length + 1}`,
        });
      }
      if (to === acute && rng.chance(0.3)) book(to, target.specialty, workingTime(rng, startMs + rng.int(7, 120) * DAY), referral, problem.labels, location);
    }
  }
  if (realAge >= 40 && rng.chance(0.05)) {
    const clinic = rng.pick(CLINICS);
    book(acute, clinic, workingTime(rng, startMs + rng.int(3, 150) * DAY), undefined, [], `${clinic} Outpatients`);
  }

  // Episodes of care.
  const episodes: CareEpisode[] = [];
  const episode = (kind: CareEpisode['kind'], org: SyntheticOrganisation, manager: SyntheticUser, service: string, startAt: number, problem?: Problem): CareEpisode => {
    const item: CareEpisode = { n: n.next(), labels: problem?.labels ?? [], kind, org, manager, service, startMs: startAt };
    if (problem) item.problem = problem;
    if (rng.chance(0.25)) {
      const end = startAt + rng.int(30, 700) * DAY;
      if (end < startMs - DAY) item.endMs = end;
    }
    episodes.push(item);
    return item;
  };
  for (const problem of problems) {
    if (problem.def.manager !== 'mental-health') continue;
    episode('mental-health', mentalHealth, clinician(mentalHealth, 'care-coordinator'), 'Community mental health team', problem.onsetMs, problem);
  }
  for (const appt of appointments) {
    if (appt.org === mentalHealth && appt.status === 'fulfilled' && appt.referral && appt.referral.problem.def.manager !== 'mental-health') {
      episode('mental-health', mentalHealth, clinician(mentalHealth, 'care-coordinator'), appt.service, appt.startMs, appt.referral.problem);
    }
  }
  const frail = has('frailty') || has('dementia');
  if (has('frailty') || (has('hf') && realAge >= 75) || (realAge >= 85 && rng.chance(0.3))) {
    const startAt = workingTime(rng, startMs - rng.int(30, 730) * DAY);
    const ep = episode('community', community, clinician(community, 'nurse'), 'District nursing', Math.max(startAt, birthMs + DAY));
    const visits = rng.int(1, 4);
    for (let v = 0; v < visits; v++) {
      const at = workingTime(rng, ep.startMs + rng.next() * ((ep.endMs ?? startMs) - ep.startMs));
      if (at < startMs) book(community, 'District nursing home visit', at, undefined, [], 'Home visit');
    }
    if (ep.endMs === undefined) book(community, 'District nursing home visit', workingTime(rng, startMs + rng.int(1, 14) * DAY), undefined, [], 'Home visit');
  }
  const socialChance =
    (frail && realAge >= 75 ? 0.6 : 0) ||
    (has('learning-disability') ? 0.5 : 0) ||
    (has('schizophrenia') || has('bipolar') ? 0.15 : 0) ||
    (realAge >= 85 ? 0.15 : realAge >= 65 ? 0.05 : 0.004);
  const afterFracture = admissions.find((a) => a.problem?.def.key === 'fractured-nof' && a.dischargedMs !== undefined);
  if (afterFracture?.dischargedMs !== undefined && rng.chance(0.6)) {
    episode('social-care', council, clinician(council, 'social-worker'), 'Reablement', afterFracture.dischargedMs);
  } else if (realAge >= 18 && rng.chance(socialChance)) {
    const startAt = workingTime(rng, Math.max(birthMs + 18 * YEAR, startMs - rng.int(30, 5 * 365) * DAY));
    episode('social-care', council, clinician(council, 'social-worker'), rng.pick(['Long-term support', 'Carer support', 'Home care package']), startAt);
  }
  episodes.sort((a, b) => a.startMs - b.startMs);
  for (const ep of episodes) {
    if (ep.kind === 'social-care') localIds[council.ods] ??= `AS${String(index).padStart(8, '0')}`;
    if (ep.kind === 'mental-health') localIds[mentalHealth.ods] ??= `MH${String(index).padStart(8, '0')}`;
    if (ep.kind === 'community') localIds[community.ods] ??= `CS${String(index).padStart(8, '0')}`;
  }
  for (const appt of appointments) {
    if (appt.org === mentalHealth) localIds[mentalHealth.ods] ??= `MH${String(index).padStart(8, '0')}`;
    if (appt.org === community) localIds[community.ods] ??= `CS${String(index).padStart(8, '0')}`;
  }
  appointments.sort((a, b) => a.startMs - b.startMs);
  reports.sort((a, b) => a.collectedMs - b.collectedMs);

  // The practice registered the person before it recorded anything about them.
  const firstAtPractice = Math.min(
    ...problems.filter((p) => p.org === practice).map((p) => p.onsetMs),
    ...medications.map((m) => m.startMs),
    ...immunisations.map((i) => i.atMs),
    ...referrals.map((r) => r.authoredMs),
    ...reports.filter((r) => r.requesterOrg === practice).map((r) => r.collectedMs),
  );
  if (firstAtPractice - DAY < registeredMs) registeredMs = Math.max(birthMs + HOUR, workingTime(rng, firstAtPractice - rng.int(1, 400) * DAY));
  if (registeredMs >= firstAtPractice) registeredMs = Math.max(birthMs + HOUR, firstAtPractice - HOUR);
  registeredMs = Math.min(registeredMs, startMs - HOUR);
  const lastClinical = Math.max(registeredMs, allergyRecordedMs, ...problems.map((p) => p.onsetMs));
  const summaryUpdatedMs = clampPast(lastClinical + rng.int(1, 30) * DAY, startMs, registeredMs + HOUR);

  const person: Person = {
    seed,
    index,
    id: `pat-${seed}-${index}`,
    nhsNumber: nhsNumberFor(seed, index),
    family,
    given,
    prefix,
    gender,
    birthMs,
    address,
    phone,
    practice,
    gp,
    registeredMs,
    localIds,
    problems,
    medications,
    allergyStatus,
    allergies,
    allergyRecordedMs,
    immunisations,
    reports,
    admissions,
    referrals,
    appointments,
    documents,
    episodes,
    summaryUpdatedMs,
  };
  if (mobile) person.mobile = mobile;
  for (const doc of documents) doc.lines = doc.kind === 'discharge-summary' ? dischargeSummaryLines(person, doc) : clinicLetterLines(person, doc);
  documents.sort((a, b) => a.atMs - b.atMs);
  return person;
}
