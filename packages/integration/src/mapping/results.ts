import { CodeSystems } from '@openidcr/model';
import type { Hl7Segment } from '../hl7/message.js';
import { notEmpty, practitionerRef, prune, type CodeableConcept } from './datatypes.js';
import { patientRef, reader, stableId, type MappedResource, type MappingContext } from './context.js';

/**
 * OBX-11 (HL7 table 0085) → Observation.status, after the HL7 v2-to-FHIR IG's ConceptMap
 * `table-hl70085-to-observation-status`. The IG leaves B, I, N, O, R, S, U and V unmatched; the rows marked
 * "UK practice" are ours (listed in the README's deviations table). Anything else, and an empty OBX-11, is `unknown`:
 * a result is never guessed to be final.
 */
export const OBX_STATUS: Readonly<Record<string, string>> = {
  A: 'amended',
  C: 'corrected',
  D: 'entered-in-error',
  F: 'final',
  P: 'preliminary',
  X: 'cancelled',
  W: 'entered-in-error',
  // UK practice (the IG leaves these unmatched):
  B: 'amended', // appended report: final results reviewed, further information added
  I: 'registered', // specimen in lab, results pending
  O: 'registered', // order detail only, no result
  R: 'preliminary', // results entered, not verified
  S: 'preliminary', // partial results
  U: 'final', // status changed to final without retransmitting the results
  V: 'final', // verified
  N: 'cancelled', // not asked (with dataAbsentReason not-asked, as the IG says)
};

/**
 * OBR-25 (HL7 table 0123) → DiagnosticReport.status, after the IG's ConceptMap
 * `table-hl70123-queries-to-diagnostic-report-status` (O, I, S registered; P preliminary; C corrected; R partial;
 * F final; X cancelled). A (some results available) → partial, M (corrected, not final) → corrected and
 * N (procedure completed, results pending) → registered are ours; Y and Z (query answers) and an empty OBR-25 are
 * `unknown`, which the IG calls an error on the sender's side: the message is kept, with a warning.
 */
export const OBR_STATUS: Readonly<Record<string, string>> = {
  O: 'registered',
  I: 'registered',
  S: 'registered',
  P: 'preliminary',
  C: 'corrected',
  R: 'partial',
  F: 'final',
  X: 'cancelled',
  // UK practice (the IG leaves these unmatched):
  A: 'partial',
  M: 'corrected',
  N: 'registered',
};

const FLAG_DISPLAY: Record<string, string> = {
  H: 'High',
  HH: 'Critical high',
  L: 'Low',
  LL: 'Critical low',
  N: 'Normal',
  A: 'Abnormal',
  AA: 'Critical abnormal',
  '<': 'Off scale low',
  '>': 'Off scale high',
  HU: 'Significantly high',
  LU: 'Significantly low',
  R: 'Resistant',
  I: 'Intermediate',
  S: 'Susceptible',
  POS: 'Positive',
  NEG: 'Negative',
};

interface Group {
  obr: Hl7Segment | undefined;
  obrNotes: string[];
  items: { obx: Hl7Segment; notes: string[] }[];
}

/** Cuts ORU/MDM-like messages into OBR groups with their OBX and NTE in message order. */
export function resultGroups(segments: readonly Hl7Segment[]): Group[] {
  const groups: Group[] = [];
  let current: Group | undefined;
  for (const s of segments) {
    if (s.name === 'OBR') {
      current = { obr: s, obrNotes: [], items: [] };
      groups.push(current);
    } else if (s.name === 'OBX') {
      if (!current) {
        current = { obr: undefined, obrNotes: [], items: [] };
        groups.push(current);
      }
      current.items.push({ obx: s, notes: [] });
    } else if (s.name === 'NTE' && current) {
      const text = s.repetitions(3).map((_, i) => s.fieldText(3, i)).join('\n');
      const last = current.items.at(-1);
      if (last) last.notes.push(text);
      else current.obrNotes.push(text);
    }
  }
  return groups;
}

function number(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return undefined;
  return Number(t);
}

/** OBX-7 `4.0-11.0`, `<5`, `>2.5`, `4.50&5.90` → FHIR referenceRange, always keeping the text. */
export function referenceRange(text: string, unit: { unit?: string; system?: string; code?: string }) {
  const t = text.trim();
  if (!t) return undefined;
  const q = (v: number) => prune({ value: v, ...unit });
  let m = /^([+-]?\d*\.?\d+)\s*(?:-|&|to)\s*([+-]?\d*\.?\d+)$/.exec(t);
  if (m) return { low: q(Number(m[1])), high: q(Number(m[2])), text: t };
  m = /^(<=?|≤)\s*([+-]?\d*\.?\d+)$/.exec(t);
  if (m) return { high: q(Number(m[2])), text: t };
  m = /^(>=?|≥)\s*([+-]?\d*\.?\d+)$/.exec(t);
  if (m) return { low: q(Number(m[2])), text: t };
  return { text: t };
}

function unitOf(obx: Hl7Segment, ctx: MappingContext): { unit?: string; system?: string; code?: string } {
  const code = obx.text(6, 1).trim();
  const text = obx.text(6, 2).trim();
  const system = obx.text(6, 3).trim().toUpperCase();
  if (!code && !text) return {};
  if (system === 'UCUM' || system === 'ISO+' || system === '') {
    return prune({ unit: text || code, system: system === 'UCUM' ? CodeSystems.ucum : undefined, code: system === 'UCUM' ? code : undefined });
  }
  void ctx;
  return { unit: text || code };
}

type ObservationValue = Record<string, unknown>;

/** OBX-5 by OBX-2 value type → the matching Observation value[x]. */
function observationValue(obx: Hl7Segment, ctx: MappingContext): ObservationValue | 'attachment' | undefined {
  const type = obx.get(2).trim().toUpperCase();
  const reps = obx.repetitions(5);
  if (reps.every((_, i) => obx.fieldText(5, i) === '')) return undefined;
  const unit = unitOf(obx, ctx);
  const r = reader(ctx, obx);
  switch (type) {
    case 'NM': {
      const n = number(obx.get(5));
      if (n !== undefined) return { valueQuantity: prune({ value: n, ...unit }) };
      const sn = structuredNumeric(obx.fieldText(5).replace(/\^/g, ''), unit);
      if (sn) return sn;
      ctx.warnings.push(`OBX.5: NM value ${JSON.stringify(obx.get(5))} of OBX ${obx.sequence} is not a number; kept as text`);
      return { valueString: obx.fieldText(5) };
    }
    case 'SN':
      return structuredNumber(obx, unit);
    case 'CE':
    case 'CWE':
    case 'CNE':
    case 'CF': {
      const cc = r.coded(5);
      return cc ? { valueCodeableConcept: cc } : undefined;
    }
    case 'DT':
    case 'TS':
    case 'DTM': {
      const v = r.softDateTime(5);
      return v ? { valueDateTime: v } : { valueString: obx.get(5) };
    }
    case 'ED':
    case 'RP':
      return 'attachment';
    default:
      // ST, TX, FT and anything else: text, repetitions as lines (the IG: markup is not presented).
      return { valueString: textValue(obx, 5) };
  }
}

/**
 * Free text of a field: repetitions as lines, components (an unescaped `^` in text) joined with a space, so no HL7
 * separator reaches the reader; escape sequences (`\.br\`, `\H\`) were already turned into text or nothing.
 */
export function textValue(segment: Hl7Segment, field: number): string {
  return segment
    .repetitions(field)
    .map((rep, r) => rep.map((_, c) => segment.text(field, c + 1, r)).filter((c) => c !== '').join(' '))
    .join('\n');
}

const COMPARATORS = new Set(['<', '>', '<=', '>=']);

/**
 * SN (comparator^num1^separator/suffix^num2) per the IG's SN datatype maps: `<>` (not equal) has no FHIR
 * comparator, so it is text; `:` or `/` a ratio (the comparator on the numerator); `-` a range; `+` a suffix
 * (`2+`); otherwise a quantity with its comparator (`=` means none).
 */
function structuredNumber(obx: Hl7Segment, unit: { unit?: string; system?: string; code?: string }): ObservationValue | undefined {
  const comparator = obx.text(5, 1).trim();
  const n1 = number(obx.text(5, 2));
  const sep = obx.text(5, 3).trim();
  const n2 = number(obx.text(5, 4));
  const cmp = COMPARATORS.has(comparator) ? comparator : undefined;
  const asText = () => {
    const parts = [comparator === '=' ? '' : comparator, obx.text(5, 2).trim(), sep, obx.text(5, 4).trim()];
    const value = sep === '+' ? parts.join('') : parts.filter(Boolean).join(' ');
    return { valueString: [value, unit.unit].filter(Boolean).join(' ').trim() };
  };
  if (comparator === '<>') return asText();
  if (n1 !== undefined && !sep && !obx.text(5, 4).trim()) return { valueQuantity: prune({ value: n1, comparator: cmp, ...unit }) };
  if (n1 !== undefined && n2 !== undefined && (sep === ':' || sep === '/')) {
    return { valueRatio: { numerator: prune({ value: n1, comparator: cmp }), denominator: { value: n2 } } };
  }
  if (n1 !== undefined && n2 !== undefined && sep === '-' && !cmp) return { valueRange: { low: prune({ value: n1, ...unit }), high: prune({ value: n2, ...unit }) } };
  if (!obx.fieldText(5).trim()) return undefined;
  return asText();
}

function structuredNumeric(text: string, unit: Record<string, unknown>): ObservationValue | undefined {
  const m = /^(<=|>=|<|>)\s*([+-]?\d*\.?\d+)$/.exec(text.trim());
  if (!m) return undefined;
  return { valueQuantity: prune({ value: Number(m[2]), comparator: m[1], ...unit }) };
}

/** ED (source^type^subtype^encoding^data) or RP (pointer^application^type^subtype) → Attachment. */
export function attachmentOf(obx: Hl7Segment, ctx: MappingContext, field = 5): Record<string, unknown> | undefined {
  const type = obx.get(2).trim().toUpperCase();
  const title = obx.text(3, 2).trim() || obx.text(3, 1).trim() || undefined;
  if (type === 'RP') {
    const url = obx.text(field, 1).trim();
    return prune({ url, contentType: mime(obx.text(field, 3), obx.text(field, 4)), title });
  }
  const encoding = obx.text(field, 4).trim().toUpperCase();
  const data = obx.text(field, 5).replace(/\s+/g, '');
  const contentType = mime(obx.text(field, 2), obx.text(field, 3));
  if (encoding === 'BASE64' || encoding === 'B64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length === 0) {
      ctx.warnings.push(`OBX.5: ED data of OBX ${obx.sequence} is not valid base64 (elided?); attachment kept without content`);
      return prune({ contentType, title });
    }
    return prune({ contentType, data, title });
  }
  if (encoding === 'A' || encoding === '') {
    return prune({ contentType: contentType ?? 'text/plain', data: Buffer.from(obx.text(field, 5), 'utf8').toString('base64'), title });
  }
  if (encoding === 'HEX' && /^([0-9A-Fa-f]{2})+$/.test(data)) {
    return prune({ contentType, data: Buffer.from(data, 'hex').toString('base64'), title });
  }
  ctx.warnings.push(`OBX.5: ED encoding ${JSON.stringify(encoding)} of OBX ${obx.sequence} not supported; attachment kept without content`);
  return prune({ contentType, title });
}

function mime(type: string, subtype: string): string | undefined {
  const t = type.trim().toLowerCase();
  const s = subtype.trim().toLowerCase();
  if (t.includes('/')) return t;
  if (t === 'ap' || t === 'application') return `application/${s || 'octet-stream'}`;
  if (t === 'tx' || t === 'text') return `text/${s === 'rtf' ? 'rtf' : s || 'plain'}`;
  if (t === 'im' || t === 'image') return `image/${s || 'png'}`;
  if (s === 'pdf') return 'application/pdf';
  return undefined;
}

function interpretation(obx: Hl7Segment): CodeableConcept[] {
  return obx
    .repetitions(8)
    .map((_, i) => obx.text(8, 1, i).trim())
    .filter(Boolean)
    .map((code) => {
      const display = FLAG_DISPLAY[code.toUpperCase()];
      return display
        ? { coding: [{ system: CodeSystems.observationInterpretation, code: code.toUpperCase(), display }], text: display }
        : { text: code };
    });
}

/** The report-level status: OBR-25 through table 0123; empty or unknown is `unknown`, with a warning. */
function reportStatusOf(obr: Hl7Segment | undefined, ctx: MappingContext): string {
  if (!obr) return 'unknown';
  const code = obr.get(25).trim().toUpperCase();
  const status = OBR_STATUS[code];
  if (status) return status;
  ctx.warnings.push(code ? `OBR.25: result status ${JSON.stringify(code)} of OBR ${obr.sequence} is not in HL7 table 0123; recorded as unknown` : `OBR.25: OBR ${obr.sequence} has no result status; recorded as unknown, not final`);
  return 'unknown';
}

/** OBX-11 through table 0085; empty or unknown is `unknown`, with a warning. */
function observationStatusOf(obx: Hl7Segment, ctx: MappingContext): string {
  const code = obx.get(11).trim().toUpperCase();
  const status = OBX_STATUS[code];
  if (status) return status;
  ctx.warnings.push(code ? `OBX.11: result status ${JSON.stringify(code)} of OBX ${obx.sequence} is not in HL7 table 0085; recorded as unknown` : `OBX.11: OBX ${obx.sequence} has no result status; recorded as unknown, not final`);
  return 'unknown';
}

/** A coded element's key: `system|code`, else its text. */
function conceptKey(cc: CodeableConcept | undefined): string {
  const c = cc?.coding?.[0];
  return c ? `${c.system ?? ''}|${c.code ?? ''}` : `text:${cc?.text ?? ''}`;
}

/** OBR-26 (parent result: the parent OBX's OBX-3 ^ OBX-4 ^ its value as text): what a child group belongs to. */
function parentResultOf(obr: Hl7Segment | undefined): { code: string; subId: string; text: string } | undefined {
  if (!obr) return undefined;
  const code = obr.get(26, 1, 1).trim();
  if (!code) return undefined;
  return { code, subId: obr.get(26, 2).trim(), text: obr.text(26, 3).trim() };
}

interface PlannedGroup {
  group: Group;
  obr: Hl7Segment | undefined;
  filler: string;
  placer: string;
  reportKey: string;
  reportId: string;
  parent: { code: string; subId: string; text: string } | undefined;
  /** OBR-29.2 (else .1): the filler (or placer) number of the parent order. */
  parentOrder: string;
  observationIds: { obx: Hl7Segment; id: string }[];
}

/**
 * A report's identity: the filler number (else the placer number) with OBR-4 and, for a child group, its parent
 * result (OBR-26) — so the culture, each isolate's sensitivities and the microscopy under one accession number stay
 * separate reports, and a later message about the same group replaces it. Groups still alike in all of these (the
 * same test twice under one number) are told apart by their order in the message.
 */
function planGroups(ctx: MappingContext): PlannedGroup[] {
  const planned: PlannedGroup[] = [];
  const taken = new Map<string, number>();
  for (const [gi, group] of resultGroups(ctx.message.segments).entries()) {
    const obr = group.obr;
    const filler = obr ? obr.get(3).trim() : '';
    const placer = obr ? obr.get(2).trim() : '';
    const number = filler || placer;
    const parent = parentResultOf(obr);
    const service = obr ? conceptKey(reader(ctx, obr).coded(4)) : '';
    let reportKey = number ? [number, service, parent ? `${parent.code}^${parent.subId}` : ''].join('|') : `${ctx.message.header.controlId}:${gi}`;
    const seen = (taken.get(reportKey) ?? 0) + 1;
    taken.set(reportKey, seen);
    if (seen > 1) reportKey = `${reportKey}#${seen}`;
    const parentOrder = obr ? (obr.get(29, 2).trim() || obr.get(29, 1).trim()) : '';
    planned.push({
      group,
      obr,
      filler,
      placer,
      reportKey,
      reportId: stableId('dr', ctx, 'report', reportKey, number ? '' : ctx.patientSourceKey),
      parent,
      parentOrder,
      observationIds: [],
    });
  }
  return planned;
}

const FILLER_SYSTEM = (ods: string) => `https://openidcr.org/Id/filler-order/${encodeURIComponent(ods)}`;
const PLACER_SYSTEM = (ods: string) => `https://openidcr.org/Id/placer-order/${encodeURIComponent(ods)}`;
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
/** The R5 `DiagnosticReport.note` element, carried in R4 as its cross-version extension (the IG has no R4 home for OBR-13). */
export const REPORT_NOTE_EXTENSION = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DiagnosticReport.note';
/** A child report (sensitivities) names its parent report (the culture) with this extension. */
export const PARENT_REPORT_EXTENSION = 'https://openidcr.org/StructureDefinition/parent-report';

/**
 * ORU^R01 (and OBR/OBX groups anywhere): a DiagnosticReport per OBR group and an Observation per OBX, so the number
 * of reports and results always equals the number of OBR and OBX segments (an ED/RP OBX is the report's
 * `presentedForm`, an OBX without OBX-3 goes into the report's text). Sensitivities point at their isolate
 * (`derivedFrom`; the isolate lists them in `hasMember`) and their report at the parent report.
 */
export function mapResults(ctx: MappingContext): MappedResource[] {
  const out: MappedResource[] = [];
  const planned = planGroups(ctx);
  const observations = new Map<string, Record<string, unknown>>();

  for (const plan of planned) {
    const { group, obr, filler, placer, reportKey, reportId } = plan;
    const r = obr ? reader(ctx, obr) : undefined;
    const code = (obr && r?.coded(4)) || { text: 'Result' };
    const effective = (obr && r?.softDateTime(7)) || ctx.sourceTime;
    const effectiveEnd = obr && r?.softDateTime(8);
    const issued = obr && r?.softDateTime(22);
    const reportStatus = reportStatusOf(obr, ctx);
    const resultRefs: { reference: string }[] = [];
    const presentedForm: Record<string, unknown>[] = [];
    const textLines: string[] = [];
    const seen = new Map<string, number>();

    for (const { obx, notes } of group.items) {
      const value = observationValue(obx, ctx);
      if (value === 'attachment') {
        const a = attachmentOf(obx, ctx);
        if (a) presentedForm.push(a);
        continue;
      }
      const obsCode = reader(ctx, obx).coded(3);
      if (!obsCode) {
        ctx.warnings.push(`OBX.3: OBX ${obx.sequence} has no observation identifier; kept in the report text`);
        if (value && typeof value.valueString === 'string') textLines.push(value.valueString);
        continue;
      }
      const codeKey = conceptKey(obsCode);
      const subId = obx.get(4).trim();
      const n = (seen.get(`${codeKey}|${subId}`) ?? 0) + 1;
      seen.set(`${codeKey}|${subId}`, n);
      const id = stableId('obs', ctx, reportKey, filler || placer ? '' : ctx.patientSourceKey, codeKey, subId, n);
      const unit = unitOf(obx, ctx);
      const range = referenceRange(obx.text(7), unit);
      const obsEffective = reader(ctx, obx).softDateTime(14) ?? effective;
      const status = observationStatusOf(obx, ctx);
      const notAsked = obx.get(11).trim().toUpperCase() === 'N';
      const observation = prune({
        resourceType: 'Observation',
        id,
        status,
        category: [{ coding: [{ system: CodeSystems.observationCategory, code: 'laboratory', display: 'Laboratory' }] }],
        code: obsCode,
        subject: patientRef(ctx),
        effectiveDateTime: obsEffective,
        issued: issued && /T/.test(issued) ? issued : undefined,
        performer: notEmpty([...responsibleObservers(ctx, obx), obx.get(15).trim() ? { display: obx.text(15, 2).trim() || obx.get(15).trim() } : undefined]),
        ...(value ?? { dataAbsentReason: notAsked ? { coding: [{ system: DATA_ABSENT_REASON, code: 'not-asked', display: 'Not Asked' }] } : { text: 'No value sent' } }),
        interpretation: interpretation(obx),
        referenceRange: range ? [range] : undefined,
        note: notes.filter((t) => t.trim()).map((text) => ({ text })),
      }) as Record<string, unknown>;
      observations.set(`${plan.reportId}|${obx.get(3, 1).trim()}|${subId}`, observation);
      plan.observationIds.push({ obx, id });
      out.push(observation as MappedResource);
      resultRefs.push({ reference: `Observation/${id}` });
    }

    const conclusion = [...group.obrNotes, ...textLines].filter((t) => t.trim()).join('\n');
    const clinicalInfo = obr ? textValue(obr, 13).trim() : '';
    const identifier = notEmpty([
      filler ? { type: { coding: [{ system: V2_0203, code: 'FILL', display: 'Filler Identifier' }] }, system: FILLER_SYSTEM(ctx.ods), value: filler } : undefined,
      placer ? { type: { coding: [{ system: V2_0203, code: 'PLAC', display: 'Placer Identifier' }] }, system: PLACER_SYSTEM(ctx.ods), value: placer } : undefined,
    ]);
    out.push(
      prune({
        resourceType: 'DiagnosticReport',
        id: reportId,
        extension: clinicalInfo ? [{ url: REPORT_NOTE_EXTENSION, valueAnnotation: { text: `Clinical information: ${clinicalInfo}` } }] : undefined,
        identifier,
        status: reportStatus,
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: (obr?.get(24).trim() || 'LAB').toUpperCase() }] }],
        code,
        subject: patientRef(ctx),
        ...(effectiveEnd && effective ? { effectivePeriod: { start: effective, end: effectiveEnd } } : { effectiveDateTime: effective }),
        issued: issued && /T/.test(issued) ? issued : undefined,
        result: resultRefs,
        conclusion: conclusion || undefined,
        presentedForm,
      }) as MappedResource,
    );
  }
  linkChildren(ctx, planned, observations, out);
  return out;
}

const DATA_ABSENT_REASON = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';

/** OBX-16 responsible observers as display references (FN's surname, not its subcomponents). */
function responsibleObservers(ctx: MappingContext, obx: Hl7Segment): Record<string, unknown>[] {
  void ctx;
  return obx
    .repetitions(16)
    .map((_, i) => practitionerRef(obx, 16, i))
    .filter((ref): ref is NonNullable<typeof ref> => ref !== undefined);
}

/**
 * OBR-26 / OBR-29: a child group (sensitivities) belongs to a parent result (the isolate, OBX-3 + OBX-4) of a parent
 * order (OBR-29's filler number). Found in the same message, the child's Observations get `derivedFrom` the
 * isolate, the isolate `hasMember` them, and the child report the parent-report extension. A parent sent in
 * another message is named by identifier and display.
 */
function linkChildren(ctx: MappingContext, planned: PlannedGroup[], observations: Map<string, Record<string, unknown>>, out: MappedResource[]): void {
  const byId = new Map(out.map((r) => [`${r.resourceType}/${r.id}`, r as Record<string, unknown>]));
  for (const child of planned) {
    if (!child.parent && !child.parentOrder) continue;
    const candidates = planned.filter((p) => p !== child && (!child.parentOrder || p.filler === child.parentOrder || p.placer === child.parentOrder));
    let parentGroup: PlannedGroup | undefined;
    let isolate: Record<string, unknown> | undefined;
    for (const p of candidates) {
      const found = child.parent ? observations.get(`${p.reportId}|${child.parent.code}|${child.parent.subId}`) : undefined;
      if (found) {
        parentGroup = p;
        isolate = found;
        break;
      }
    }
    parentGroup ??= candidates.find((p) => !p.parent && !p.parentOrder);
    const report = byId.get(`DiagnosticReport/${child.reportId}`)!;
    const parentRef = parentGroup
      ? { reference: `DiagnosticReport/${parentGroup.reportId}` }
      : child.parentOrder
        ? { identifier: { system: FILLER_SYSTEM(ctx.ods), value: child.parentOrder }, display: child.parent?.text || undefined }
        : undefined;
    if (parentRef) report.extension = [...((report.extension as unknown[]) ?? []), { url: PARENT_REPORT_EXTENSION, valueReference: prune(parentRef) }];
    if (!child.parent) continue;
    const isolateRef: { reference?: string; display?: string } = isolate
      ? { reference: `Observation/${isolate.id as string}` }
      : prune({ display: [child.parent.text, child.parent.subId ? `(isolate ${child.parent.subId})` : ''].filter(Boolean).join(' ') || undefined });
    if (!isolateRef.reference && !isolateRef.display) continue;
    for (const { id } of child.observationIds) {
      const obs = byId.get(`Observation/${id}`)!;
      obs.derivedFrom = [isolateRef];
    }
    if (isolate) isolate.hasMember = [...((isolate.hasMember as unknown[]) ?? []), ...child.observationIds.map(({ id }) => ({ reference: `Observation/${id}` }))];
  }
}
