import { personName, prune } from './datatypes.js';
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

/** SIU^S12–S15/S26 → Appointment. */
export function mapAppointment(ctx: MappingContext): MappedResource[] {
  const sch = ctx.message.segment('SCH');
  if (!sch) return [];
  const r = reader(ctx, sch);
  const placer = sch.get(1).trim();
  const filler = sch.get(2).trim();
  const key = filler || placer || ctx.message.header.controlId;
  const ais = ctx.message.segment('AIS');
  const aisReader = ais ? reader(ctx, ais) : undefined;
  const start = aisReader?.softDateTime(4) ?? r.softDateTime(11, 4);
  const durationText = ais?.get(7).trim() || sch.get(9).trim();
  const duration = /^\d+$/.test(durationText) && Number(durationText) > 0 ? Number(durationText) : undefined;
  // FHIR wants start and end together: derive the end from the duration when the sender gives only a start.
  const end = r.softDateTime(11, 5) ?? (start && duration && /T/.test(start) ? addMinutes(start, duration) : undefined);
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
  const instant = (v: string | undefined) => (v && /T/.test(v) ? v : undefined);
  return [
    prune({
      resourceType: 'Appointment',
      id: stableId('appt', ctx, key),
      identifier: [placer, filler].filter(Boolean).map((value) => ({ system: `https://openidcr.org/Id/appointment/${encodeURIComponent(ctx.ods)}`, value })),
      status,
      cancelationReason: status === 'cancelled' ? (r.coded(6) ?? undefined) : undefined,
      serviceType: ais ? [aisReader!.coded(3)].filter(Boolean) : undefined,
      appointmentType: r.coded(8),
      reasonCode: [r.coded(7)].filter(Boolean),
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
