import { CodeSystems } from '@openidcr/model';
import type { Hl7Segment } from '../hl7/message.js';
import { prune, type CodeableConcept } from './datatypes.js';
import { patientRef, reader, stableId, type MappedResource, type MappingContext } from './context.js';

const OBX_STATUS: Record<string, string> = {
  F: 'final',
  P: 'preliminary',
  C: 'corrected',
  X: 'cancelled',
  R: 'registered',
  I: 'registered',
  S: 'preliminary',
  D: 'entered-in-error',
  W: 'entered-in-error',
  U: 'final',
  A: 'amended',
};
const OBR_STATUS: Record<string, string> = {
  F: 'final',
  P: 'preliminary',
  C: 'corrected',
  A: 'partial',
  R: 'preliminary',
  I: 'registered',
  O: 'registered',
  S: 'registered',
  X: 'cancelled',
  Y: 'cancelled',
  Z: 'cancelled',
  M: 'amended',
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
    case 'SN': {
      const comparator = obx.text(5, 1).trim();
      const n1 = number(obx.text(5, 2));
      const sep = obx.text(5, 3).trim();
      const n2 = number(obx.text(5, 4));
      if (n1 !== undefined && !sep) {
        const cmp = comparator === '<' || comparator === '>' || comparator === '<=' || comparator === '>=' ? comparator : undefined;
        return { valueQuantity: prune({ value: n1, comparator: cmp, ...unit }) };
      }
      if (n1 !== undefined && n2 !== undefined && (sep === ':' || sep === '/')) {
        return { valueRatio: { numerator: { value: n1 }, denominator: { value: n2 } } };
      }
      if (n1 !== undefined && n2 !== undefined && (sep === '-' || sep === '+')) {
        return sep === '-' ? { valueRange: { low: prune({ value: n1, ...unit }), high: prune({ value: n2, ...unit }) } } : { valueString: obx.fieldText(5) };
      }
      return { valueString: obx.fieldText(5).replace(/\^/g, ' ').trim() };
    }
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
      // ST, TX, FT and anything else: text, repetitions as lines.
      return { valueString: reps.map((_, i) => obx.fieldText(5, i)).join('\n') };
  }
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

/** ORU^R01 (and OBR/OBX groups anywhere): DiagnosticReport per OBR + one Observation per OBX. */
export function mapResults(ctx: MappingContext): MappedResource[] {
  const out: MappedResource[] = [];
  for (const [gi, group] of resultGroups(ctx.message.segments).entries()) {
    const obr = group.obr;
    const r = obr ? reader(ctx, obr) : undefined;
    const code = (obr && r?.coded(4)) || { text: 'Result' };
    const filler = obr ? obr.get(3).trim() || obr.get(2).trim() : '';
    const reportKey = filler || `${ctx.message.header.controlId}:${gi}`;
    const reportId = stableId('dr', ctx, 'report', reportKey, filler ? '' : ctx.patientSourceKey);
    const effective = (obr && r?.softDateTime(7)) || ctx.sourceTime;
    const issued = obr && r?.softDateTime(22);
    const reportStatus = (obr && OBR_STATUS[obr.get(25).trim().toUpperCase()]) || 'final';
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
      const codeKey = obsCode.coding?.[0] ? `${obsCode.coding[0].system}|${obsCode.coding[0].code}` : `text:${obsCode.text}`;
      const subId = obx.get(4).trim();
      const n = (seen.get(`${codeKey}|${subId}`) ?? 0) + 1;
      seen.set(`${codeKey}|${subId}`, n);
      const id = stableId('obs', ctx, reportKey, filler ? '' : ctx.patientSourceKey, codeKey, subId, n);
      const unit = unitOf(obx, ctx);
      const range = referenceRange(obx.text(7), unit);
      const obsEffective = reader(ctx, obx).softDateTime(14) ?? effective;
      out.push(
        prune({
          resourceType: 'Observation',
          id,
          status: OBX_STATUS[obx.get(11).trim().toUpperCase()] ?? reportStatus.replace('partial', 'preliminary'),
          category: [{ coding: [{ system: CodeSystems.observationCategory, code: 'laboratory', display: 'Laboratory' }] }],
          code: obsCode,
          subject: patientRef(ctx),
          effectiveDateTime: obsEffective,
          issued: issued && /T/.test(issued) ? issued : undefined,
          performer: obx.get(15).trim() ? [{ display: obx.text(15, 2).trim() || obx.get(15).trim() }] : undefined,
          ...(value ?? { dataAbsentReason: { text: 'No value sent' } }),
          interpretation: interpretation(obx),
          referenceRange: range ? [range] : undefined,
          note: notes.filter((t) => t.trim()).map((text) => ({ text })),
        }) as MappedResource,
      );
      resultRefs.push({ reference: `Observation/${id}` });
    }

    const conclusion = [...group.obrNotes, ...textLines].filter((t) => t.trim()).join('\n');
    out.push(
      prune({
        resourceType: 'DiagnosticReport',
        id: reportId,
        identifier: filler ? [{ system: `https://openidcr.org/Id/filler-order/${encodeURIComponent(ctx.ods)}`, value: filler }] : undefined,
        status: reportStatus,
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: (obr?.get(24).trim() || 'LAB').toUpperCase() }] }],
        code,
        subject: patientRef(ctx),
        effectiveDateTime: effective,
        issued: issued && /T/.test(issued) ? issued : undefined,
        result: resultRefs,
        conclusion: conclusion || undefined,
        presentedForm,
      }) as MappedResource,
    );
  }
  return out;
}
