import { CodeSystems } from '@openidcr/model';
import type { Hl7Segment } from '../hl7/message.js';
import { practitionerRef, prune } from './datatypes.js';
import { patientRef, reader, stableId, type MappedResource, type MappingContext } from './context.js';

const ORC_REQUEST_STATUS: Record<string, string> = { CM: 'completed', DC: 'stopped', CA: 'cancelled', HD: 'on-hold', IP: 'active', SC: 'active', A: 'active', ER: 'entered-in-error' };
const CONTROL_STATUS: Record<string, string> = { CA: 'cancelled', OC: 'cancelled', CR: 'cancelled', DC: 'stopped', OD: 'stopped', DR: 'stopped', HD: 'on-hold', OH: 'on-hold' };

interface OrderGroup {
  orc: Hl7Segment | undefined;
  give: Hl7Segment;
  route: Hl7Segment | undefined;
}

/** Pairs each give segment (RXE, RXO, RXD) with the ORC before it and the RXR after it. */
function orderGroups(ctx: MappingContext, giveName: string): OrderGroup[] {
  const groups: OrderGroup[] = [];
  let orc: Hl7Segment | undefined;
  for (const s of ctx.message.segments) {
    if (s.name === 'ORC') orc = s;
    else if (s.name === giveName) groups.push({ orc, give: s, route: undefined });
    else if (s.name === 'RXR' && groups.length > 0 && !groups.at(-1)!.route) groups.at(-1)!.route = s;
  }
  return groups;
}

function dosageText(parts: (string | undefined)[]): string | undefined {
  const t = parts.map((p) => p?.trim()).filter(Boolean).join(' ');
  return t || undefined;
}

/** RDE^O11 (RXE) and OMP^O09 (RXO) → MedicationRequest. */
export function mapMedicationRequests(ctx: MappingContext): MappedResource[] {
  const giveName = ctx.message.header.messageCode === 'OMP' ? 'RXO' : 'RXE';
  return orderGroups(ctx, giveName).flatMap(({ orc, give, route }) => {
    const r = reader(ctx, give);
    const isRxe = giveName === 'RXE';
    const medication = isRxe ? r.coded(2) : r.coded(1);
    if (!medication) {
      ctx.warnings.push(`${giveName}.${isRxe ? 2 : 1}: no medicine code in ${giveName} ${give.sequence}; skipped`);
      return [];
    }
    const placer = orc?.get(2).trim() ?? '';
    const filler = orc?.get(3).trim() ?? '';
    const medKey = medication.coding?.[0]?.code ?? medication.text;
    const key = placer || filler || `${medKey}:${orc?.get(9).trim() ?? ''}`;
    const control = orc?.get(1).trim().toUpperCase() ?? '';
    const status = CONTROL_STATUS[control] ?? ORC_REQUEST_STATUS[orc?.get(5).trim().toUpperCase() ?? ''] ?? 'active';
    const amount = isRxe ? give.get(3).trim() : give.get(2).trim();
    const units = isRxe ? give.text(5, 2).trim() || give.text(5, 1).trim() : give.text(4, 2).trim() || give.text(4, 1).trim();
    const instructions = isRxe ? give.fieldText(7) : give.fieldText(6);
    const timing = isRxe ? give.text(1, 2).trim() : '';
    const routeText = route ? route.text(1, 2).trim() || route.text(1, 1).trim() : '';
    const text = dosageText([amount && `${amount}${units ? ` ${units}` : ''}`, routeText, timing, instructions.replace(/\^/g, ' ')]);
    return [
      prune({
        resourceType: 'MedicationRequest',
        id: stableId('medrq', ctx, ctx.patientSourceKey, key),
        identifier: placer ? [{ system: `https://openidcr.org/Id/placer-order/${encodeURIComponent(ctx.ods)}`, value: placer }] : undefined,
        status,
        intent: 'order',
        medicationCodeableConcept: medication,
        subject: patientRef(ctx),
        authoredOn: (orc && reader(ctx, orc).softDateTime(9)) || ctx.sourceTime,
        requester: orc ? practitionerRef(orc, 12) : undefined,
        dosageInstruction: text ? [{ text, route: route ? reader(ctx, route).coded(1) : undefined }] : undefined,
      }) as MappedResource,
    ];
  });
}

/** RDS^O13 (RXD: what was dispensed) → MedicationStatement. */
export function mapMedicationStatements(ctx: MappingContext): MappedResource[] {
  return orderGroups(ctx, 'RXD').flatMap(({ orc, give, route }) => {
    const r = reader(ctx, give);
    const medication = r.coded(2);
    if (!medication) {
      ctx.warnings.push(`RXD.2: no medicine code in RXD ${give.sequence}; skipped`);
      return [];
    }
    const placer = orc?.get(2).trim() ?? '';
    const prescription = give.get(7).trim();
    const dispensed = r.softDateTime(3) ?? ctx.sourceTime;
    const key = prescription || placer || `${medication.coding?.[0]?.code ?? medication.text}:${dispensed ?? ''}`;
    const amount = give.get(4).trim();
    const units = give.text(5, 2).trim() || give.text(5, 1).trim();
    const routeText = route ? route.text(1, 2).trim() || route.text(1, 1).trim() : '';
    const text = dosageText([amount && `${amount}${units ? ` ${units}` : ''} dispensed`, routeText, give.fieldText(15).replace(/\^/g, ' ')]);
    return [
      prune({
        resourceType: 'MedicationStatement',
        id: stableId('medst', ctx, ctx.patientSourceKey, key),
        status: orc && ['CA', 'DC', 'OC'].includes(orc.get(1).trim().toUpperCase()) ? 'stopped' : 'active',
        category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medication-statement-category', code: 'community' }] },
        medicationCodeableConcept: medication,
        subject: patientRef(ctx),
        effectiveDateTime: dispensed,
        dateAsserted: ctx.sourceTime,
        dosage: text ? [{ text }] : undefined,
        note: [{ text: `Dispensed by ${ctx.ods}` }],
      }) as MappedResource,
    ];
  });
}

const COMPLETION: Record<string, string> = { CP: 'completed', PA: 'completed', RE: 'not-done', NA: 'not-done' };

/** VXU^V04 (RXA) → Immunization. */
export function mapImmunizations(ctx: MappingContext): MappedResource[] {
  return orderGroups(ctx, 'RXA').flatMap(({ orc, give: rxa, route }) => {
    const r = reader(ctx, rxa);
    const vaccine = r.coded(5);
    if (!vaccine) {
      ctx.warnings.push(`RXA.5: no vaccine code in RXA ${rxa.sequence}; skipped`);
      return [];
    }
    const when = r.dateTime(3, { required: true });
    const filler = orc?.get(3).trim() ?? '';
    const key = filler || `${vaccine.coding?.[0]?.code ?? vaccine.text}:${rxa.get(3).trim()}`;
    const action = rxa.get(21).trim().toUpperCase();
    const status = action === 'D' ? 'entered-in-error' : (COMPLETION[rxa.get(20).trim().toUpperCase()] ?? 'completed');
    const amount = Number(rxa.get(6).trim());
    const dose = Number.isFinite(amount) && rxa.get(6).trim() !== '' && amount !== 999 ? amount : undefined;
    return [
      prune({
        resourceType: 'Immunization',
        id: stableId('imm', ctx, ctx.patientSourceKey, key),
        status,
        statusReason: status === 'not-done' ? r.coded(18) : undefined,
        vaccineCode: vaccine,
        patient: patientRef(ctx),
        occurrenceDateTime: when,
        occurrenceString: when ? undefined : 'Unknown',
        recorded: ctx.sourceTime,
        primarySource: rxa.get(9, 1).trim() === '00' ? true : rxa.get(9, 1).trim() === '01' ? false : undefined,
        lotNumber: rxa.get(15).trim() || undefined,
        expirationDate: (() => {
          const d = reader(ctx, rxa).softDateTime(16);
          return d?.slice(0, 10);
        })(),
        manufacturer: rxa.text(17, 2).trim() || rxa.text(17, 1).trim() ? { display: rxa.text(17, 2).trim() || rxa.text(17, 1).trim() } : undefined,
        route: route ? reader(ctx, route).coded(1) : undefined,
        site: route ? reader(ctx, route).coded(2) : undefined,
        doseQuantity: dose !== undefined ? prune({ value: dose, unit: rxa.text(7, 2).trim() || rxa.text(7, 1).trim() || undefined }) : undefined,
        performer: practitionerRef(rxa, 10) ? [{ actor: practitionerRef(rxa, 10) }] : undefined,
      }) as MappedResource,
    ];
  });
}

const PRB_ACTION_DELETE = new Set(['DE', 'D']);
const LIFE_CYCLE: Record<string, string> = { A: 'active', ACTIVE: 'active', I: 'inactive', INACTIVE: 'inactive', R: 'resolved', RESOLVED: 'resolved', C: 'resolved' };

/** PPR^PC1/PC2 (PRB) → Condition (problem-list item). */
export function mapProblems(ctx: MappingContext): MappedResource[] {
  return ctx.message.all('PRB').flatMap((prb) => {
    const r = reader(ctx, prb);
    const code = r.coded(3);
    if (!code) {
      ctx.warnings.push(`PRB.3: no problem code in PRB ${prb.sequence}; skipped`);
      return [];
    }
    const instance = prb.get(4).trim();
    const key = instance || (code.coding?.[0] ? `${code.coding[0].system}|${code.coding[0].code}` : `text:${code.text}`);
    const deleted = PRB_ACTION_DELETE.has(prb.get(1).trim().toUpperCase());
    const lifeCycle = LIFE_CYCLE[(prb.text(14, 1).trim() || prb.text(14, 2).trim()).toUpperCase()];
    const resolved = r.softDateTime(9);
    return [
      prune({
        resourceType: 'Condition',
        id: stableId('prob', ctx, ctx.patientSourceKey, key),
        identifier: instance ? [{ system: `https://openidcr.org/Id/problem/${encodeURIComponent(ctx.ods)}`, value: instance }] : undefined,
        clinicalStatus: deleted ? undefined : { coding: [{ system: CodeSystems.conditionClinical, code: lifeCycle ?? (resolved ? 'resolved' : 'active') }] },
        verificationStatus: { coding: [{ system: CodeSystems.conditionVerification, code: deleted ? 'entered-in-error' : 'confirmed' }] },
        category: [{ coding: [{ system: CodeSystems.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] }],
        code,
        subject: patientRef(ctx),
        onsetDateTime: r.softDateTime(16),
        abatementDateTime: resolved,
        recordedDate: r.softDateTime(7) ?? r.softDateTime(2) ?? ctx.sourceTime,
        note: ctx.message.all('NTE').map((n) => ({ text: n.fieldText(3) })).filter((n) => n.text.trim()),
      }) as MappedResource,
    ];
  });
}
