import type { Observation, Quantity } from '@openidcr/model';
import { conceptText, formatClinicalDateTime, formatNumber, formatQuantity, NOT_KNOWN } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { resourcesOfHeading, type RecordContent } from './record-bundle.js';
import { sourceOf } from './source.js';

/** The abnormal flag in words (never colour alone). */
export type ResultFlag = 'High' | 'Low' | 'Critically high' | 'Critically low' | 'Abnormal' | 'Critically abnormal' | 'Normal';

export interface ResultRow {
  id: string | undefined;
  test: string;
  testKey: string;
  value: string;
  numeric: number | undefined;
  unit: string | undefined;
  range: string;
  low: number | undefined;
  high: number | undefined;
  flag: ResultFlag | undefined;
  date: string;
  dateIso: string | undefined;
  source: string;
}

export interface ResultSeries {
  testKey: string;
  test: string;
  unit: string | undefined;
  low: number | undefined;
  high: number | undefined;
  /** Oldest first, numeric values only. */
  points: { dateIso: string; date: string; value: number; flag: ResultFlag | undefined }[];
}

const INTERPRETATION: Record<string, ResultFlag> = {
  H: 'High',
  HU: 'High',
  L: 'Low',
  LU: 'Low',
  HH: 'Critically high',
  LL: 'Critically low',
  A: 'Abnormal',
  AA: 'Critically abnormal',
  N: 'Normal',
};

function testKeyOf(o: Observation): string {
  const coding = o.code.coding?.find((c) => c.system && c.code);
  return coding ? `${coding.system}|${coding.code}` : `text|${(conceptText(o.code) ?? '').toLowerCase()}`;
}

function rangeText(range: NonNullable<Observation['referenceRange']>[number] | undefined): string {
  if (!range) return NOT_KNOWN;
  if (range.text) return range.text;
  const unit = range.low?.unit ?? range.high?.unit;
  const low = range.low?.value;
  const high = range.high?.value;
  if (low !== undefined && high !== undefined) return `${formatNumber(low)} to ${formatNumber(high)}${unit ? ` ${unit}` : ''}`;
  if (low !== undefined) return `${formatNumber(low)} or more${unit ? ` ${unit}` : ''}`;
  if (high !== undefined) return `${formatNumber(high)} or less${unit ? ` ${unit}` : ''}`;
  return NOT_KNOWN;
}

function valueText(o: Observation): { text: string; numeric?: number; unit?: string } {
  const q = o.valueQuantity as Quantity | undefined;
  if (q?.value !== undefined) {
    const unit = q.unit ?? q.code;
    return { text: formatQuantity(q)!, ...(q.comparator ? {} : { numeric: q.value }), ...(unit ? { unit } : {}) };
  }
  if (o.valueInteger !== undefined) return { text: String(o.valueInteger), numeric: o.valueInteger };
  if (o.valueString !== undefined) return { text: o.valueString };
  if (o.valueCodeableConcept) return { text: conceptText(o.valueCodeableConcept) ?? NOT_KNOWN };
  if (o.valueBoolean !== undefined) return { text: o.valueBoolean ? 'Yes' : 'No' };
  if (o.dataAbsentReason) return { text: `No result: ${conceptText(o.dataAbsentReason) ?? 'not known'}` };
  return { text: NOT_KNOWN };
}

/** The flag the lab gave; when it gave none, High or Low worked out from the reference range. */
function flagOf(o: Observation, numeric: number | undefined, low: number | undefined, high: number | undefined): ResultFlag | undefined {
  for (const concept of o.interpretation ?? []) for (const c of concept.coding ?? []) if (c.code && INTERPRETATION[c.code]) return INTERPRETATION[c.code];
  if (numeric === undefined) return undefined;
  if (high !== undefined && numeric > high) return 'High';
  if (low !== undefined && numeric < low) return 'Low';
  return undefined;
}

/** Results newest first, with reference ranges and abnormal flags in words. Panels (no value, has members) are left out. */
export function toResultRows(content: RecordContent): ResultRow[] {
  return resourcesOfHeading<Observation>(content, 'results')
    .filter((o) => o.resourceType === 'Observation' && !['entered-in-error', 'cancelled'].includes(o.status) && !(o.hasMember && !o.valueQuantity))
    .map((o) => {
      const value = valueText(o);
      const range = o.referenceRange?.[0];
      const low = range?.low?.value;
      const high = range?.high?.value;
      const dateIso = o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.effectiveInstant ?? o.issued;
      return {
        id: o.id,
        test: conceptText(o.code) ?? NOT_KNOWN,
        testKey: testKeyOf(o),
        value: value.text,
        numeric: value.numeric,
        unit: value.unit,
        range: rangeText(range),
        low,
        high,
        flag: flagOf(o, value.numeric, low, high),
        date: formatClinicalDateTime(dateIso),
        dateIso,
        source: sourceOf(content, o)?.name ?? NOT_KNOWN,
      };
    })
    .sort(byDateDescending((r) => r.dateIso));
}

/** One series per test with two or more numeric values, oldest first: what a trend chart draws. */
export function toResultSeries(rows: readonly ResultRow[]): ResultSeries[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    if (row.numeric === undefined || !row.dateIso) continue;
    const group = groups.get(row.testKey);
    if (group) group.push(row);
    else groups.set(row.testKey, [row]);
  }
  return [...groups.values()]
    .filter((g) => g.length >= 2)
    .map((g) => {
      const sorted = [...g].sort((a, b) => (a.dateIso! < b.dateIso! ? -1 : 1));
      const latest = sorted.at(-1)!;
      return {
        testKey: latest.testKey,
        test: latest.test,
        unit: latest.unit,
        low: latest.low,
        high: latest.high,
        points: sorted.map((r) => ({ dateIso: r.dateIso!, date: r.date, value: r.numeric!, flag: r.flag })),
      };
    });
}
