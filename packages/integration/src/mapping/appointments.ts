import type { Hl7Segment } from '../hl7/message.js';
import { personName, prune } from './datatypes.js';
import { APPOINTMENT_REASON, APPOINTMENT_TYPE, SENDER_CODES } from './tables.js';
import { patientRef, reader, stableId, type MappedResource, type MappingContext } from './context.js';

const TRIGGER_STATUS: Record<string, string> = { S12: 'booked', S13: 'booked', S14: 'booked', S15: 'cancelled', S17: 'entered-in-error', S26: 'noshow' };
const FILLER_STATUS: Record<string, string> = {
  BOOKED: 'booked',
  PENDING: 'pending',
  WAITLIST: 'waitlist',
  CANCELLED: 'cancelled',
  DELETED: 'entered-in-error',
  COMPLETE: 'fulfilled',
  NOSHOW: 'noshow',
  STARTED: 'arrived',
};

/** Minutes in one duration unit (AIS-8, SCH-10): ISO+/ANSI+ and UCUM codes, and the words senders put instead. */
const MINUTES_PER_UNIT: Record<string, number> = {
  s: 1 / 60,
  sec: 1 / 60,
  second: 1 / 60,
  seconds: 1 / 60,
  min: 1,
  mins: 1,
  minute: 1,
  minutes: 1,
  h: 60,
  hr: 60,
  hrs: 60,
  hour: 60,
  hours: 60,
  d: 1440,
  day: 1440,
  days: 1440,
  wk: 10080,
  week: 10080,
  weeks: 10080,
};

/**
 * A duration field and its units field (AIS-7/AIS-8, SCH-9/SCH-10) in minutes. Without units it is read as minutes,
 * what UK PAS feeds mean; units it cannot read leave the duration out, with a warning naming the field.
 */
function durationMinutes(segment: Hl7Segment, field: number, unitsField: number, warnings: string[]): number | undefined {
  const raw = segment.get(field).trim();
  if (!raw) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) {
    warnings.push(`${segment.name}.${field}: duration ${JSON.stringify(raw)} is not a positive number; left out`);
    return undefined;
  }
  const code = segment.get(unitsField, 1).trim();
  const text = segment.get(unitsField, 2).trim();
  if (!code && !text) return Number(raw);
  const perUnit = MINUTES_PER_UNIT[code.toLowerCase()] ?? MINUTES_PER_UNIT[text.toLowerCase()];
  if (perUnit === undefined) {
    warnings.push(`${segment.name}.${unitsField}: duration unit ${JSON.stringify(code || text)} not understood; the duration in ${segment.name}-${field} is left out`);
    return undefined;
  }
  return Number(raw) * perUnit;
}

const hasTime = (v: string | undefined): v is string => v !== undefined && /T/.test(v);

/**
 * SIU^S12–S15/S26 → Appointment. Start and end come from one source, so an end never belongs to another start: AIS-4
 * with its duration (AIS-7/AIS-8, else SCH-9/SCH-10); else SCH-11.4 with SCH-11.5 (or the SCH-9/SCH-10 duration). An
 * end before its start is left out with a warning (the duration, if any, gives the end instead).
 */
export function mapAppointment(ctx: MappingContext): MappedResource[] {
  const sch = ctx.message.segment('SCH');
  if (!sch) return [];
  const r = reader(ctx, sch);
  const placer = sch.get(1).trim();
  const filler = sch.get(2).trim();
  const key = filler || placer || ctx.message.header.controlId;
  const ais = ctx.message.segment('AIS');
  const aisReader = ais ? reader(ctx, ais) : undefined;
  const aisStart = aisReader?.softDateTime(4);
  const schStart = r.softDateTime(11, 4);
  const schEnd = r.softDateTime(11, 5);
  const schMinutes = durationMinutes(sch, 9, 10, ctx.warnings);
  let start: string | undefined;
  let end: string | undefined;
  let minutes: number | undefined;
  if (aisStart) {
    start = aisStart;
    minutes = (ais ? durationMinutes(ais, 7, 8, ctx.warnings) : undefined) ?? schMinutes;
    // SCH-11.5 is the end of SCH-11.4's start: usable only when that is the same instant.
    if (minutes === undefined && hasTime(schStart) && hasTime(aisStart) && Date.parse(schStart) === Date.parse(aisStart)) end = schEnd;
  } else {
    start = schStart;
    end = schEnd;
    minutes = schMinutes;
  }
  if (hasTime(start) && hasTime(end) && Date.parse(end) < Date.parse(start)) {
    ctx.warnings.push(`SCH.11: end ${end} is before the start ${start} (${aisStart ? 'AIS-4' : 'SCH-11.4'}); the end is left out`);
    end = undefined;
  }
  // FHIR wants start and end together: derive the end from the duration when the sender gives only a start.
  if (end === undefined && hasTime(start) && minutes !== undefined) end = addMinutes(start, minutes);
  const duration = minutes !== undefined && Number.isInteger(minutes) ? minutes : undefined;
  const trigger = ctx.message.header.triggerEvent;
  const status = TRIGGER_STATUS[trigger] ?? FILLER_STATUS[sch.text(25, 1).trim().toUpperCase()] ?? 'booked';
  const participants: Record<string, unknown>[] = [{ actor: patientRef(ctx), status: 'accepted', required: 'required' }];
  for (const aip of ctx.message.all('AIP')) {
    const name = personName(aip, 3);
    if (name) participants.push({ actor: { display: name }, status: 'accepted' });
  }
  for (const ail of ctx.message.all('AIL')) {
    const where = [ail.text(3, 1), ail.text(3, 2), ail.text(3, 4)].map((s) => s.trim()).filter(Boolean).join(' ');
    if (where) participants.push({ actor: { display: where }, status: 'accepted' });
  }
  const instant = (v: string | undefined) => (hasTime(v) ? v : undefined);
  return [
    prune({
      resourceType: 'Appointment',
      id: stableId('appt', ctx, key),
      identifier: [placer, filler].filter(Boolean).map((value) => ({ system: `https://openidcr.org/Id/appointment/${encodeURIComponent(ctx.ods)}`, value })),
      status,
      cancelationReason: status === 'cancelled' ? (r.coded(6, 0, 1, SENDER_CODES) ?? undefined) : undefined,
      serviceType: ais ? [aisReader!.coded(3, 0, 1, SENDER_CODES)].filter(Boolean) : undefined,
      // The IG's SCH map: SCH-7 (table 0276) is the reason, SCH-8 (table 0277) the type; a bare code gets its table's system.
      appointmentType: r.coded(8, 0, 1, APPOINTMENT_TYPE),
      reasonCode: [r.coded(7, 0, 1, APPOINTMENT_REASON)].filter(Boolean),
      start: instant(start),
      end: instant(end),
      minutesDuration: duration,
      description: sch.text(7, 2).trim() || undefined,
      participant: participants,
    }) as MappedResource,
  ];
}

/** Adds minutes to a FHIR dateTime with an offset, keeping the offset. */
export function addMinutes(dateTime: string, minutes: number): string {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(dateTime);
  const offset = m ? m[1]! : 'Z';
  const offsetMinutes = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const t = new Date(Date.parse(dateTime) + (minutes + offsetMinutes) * 60000);
  const iso = t.toISOString().slice(0, 19);
  return `${iso}${offset}`;
}
