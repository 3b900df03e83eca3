import type { Appointment, Encounter, ServiceRequest } from '@openidcr/model';
import { conceptText, formatClinicalDateTime, NOT_KNOWN } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { type RecordContent } from './record-bundle.js';
import { referenceName, sourceOf } from './source.js';
import { headingOf } from '@openidcr/model';

export type TimelineKind = 'admission' | 'attendance' | 'appointment' | 'referral' | 'contact';

export const TIMELINE_KINDS: Record<TimelineKind, string> = {
  admission: 'Admissions',
  attendance: 'Attendances',
  appointment: 'Appointments',
  referral: 'Referrals',
  contact: 'Other contacts',
};

export interface TimelineItem {
  id: string | undefined;
  kind: TimelineKind;
  /** `Admission`, `A&E attendance`, ... */
  type: string;
  title: string;
  start: string;
  startIso: string | undefined;
  end: string | undefined;
  where: string;
  status: string;
  source: string;
}

const ENCOUNTER_STATUS: Record<string, string> = {
  planned: 'Planned',
  arrived: 'Arrived',
  triaged: 'Triaged',
  'in-progress': 'In progress',
  onleave: 'On leave',
  finished: 'Finished',
  cancelled: 'Cancelled',
  unknown: NOT_KNOWN,
};

function encounterKind(e: Encounter): { kind: TimelineKind; type: string } {
  switch (e.class.code) {
    case 'IMP':
    case 'ACUTE':
    case 'NONAC':
    case 'PRENC':
    case 'SS':
      return { kind: 'admission', type: 'Admission' };
    case 'EMER':
      return { kind: 'attendance', type: 'A&E attendance' };
    case 'AMB':
    case 'OBSENC':
      return { kind: 'attendance', type: 'Outpatient attendance' };
    default:
      return { kind: 'contact', type: e.class.display ? e.class.display[0]!.toUpperCase() + e.class.display.slice(1) : 'Contact' };
  }
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1).replace(/-/g, ' ');

/** Admissions, attendances, appointments and referrals on one timeline, newest first. */
export function toTimeline(content: RecordContent): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const r of content.resources) {
    const heading = headingOf(r);
    if (heading !== 'encounters' && heading !== 'appointments' && heading !== 'referrals') continue;
    const source = sourceOf(content, r)?.name ?? NOT_KNOWN;
    if (r.resourceType === 'Encounter') {
      const e = r as Encounter;
      if (e.status === 'entered-in-error') continue;
      const { kind, type } = encounterKind(e);
      items.push({
        id: e.id,
        kind,
        type,
        title: conceptText(e.type?.[0]) ?? conceptText(e.reasonCode?.[0]) ?? type,
        start: formatClinicalDateTime(e.period?.start),
        startIso: e.period?.start,
        end: e.period?.end ? formatClinicalDateTime(e.period.end) : undefined,
        where: referenceName(content, e.serviceProvider) ?? referenceName(content, e.location?.[0]?.location) ?? source,
        status: ENCOUNTER_STATUS[e.status] ?? cap(e.status),
        source,
      });
      if (e.reasonCode?.[0] && e.type?.[0]) items.at(-1)!.title += ` — ${conceptText(e.reasonCode[0])}`;
      else if (e.reasonCode?.[0] && !e.type?.[0]) items.at(-1)!.title = `${type}: ${conceptText(e.reasonCode[0])}`;
    } else if (r.resourceType === 'Appointment') {
      const a = r as Appointment;
      if (a.status === 'entered-in-error') continue;
      items.push({
        id: a.id,
        kind: 'appointment',
        type: 'Appointment',
        title: conceptText(a.serviceType?.[0]) ?? a.description ?? conceptText(a.appointmentType) ?? 'Appointment',
        start: formatClinicalDateTime(a.start),
        startIso: a.start,
        end: undefined,
        where: a.participant.map((p) => referenceName(content, p.actor)).find((n) => n && !n.startsWith('Patient')) ?? source,
        status: cap(a.status === 'noshow' ? 'did not attend' : a.status),
        source,
      });
    } else if (r.resourceType === 'ServiceRequest') {
      const s = r as ServiceRequest;
      if (s.status === 'entered-in-error') continue;
      const to = s.performer?.map((p) => referenceName(content, p)).find(Boolean);
      items.push({
        id: s.id,
        kind: 'referral',
        type: 'Referral',
        title: `${conceptText(s.code) ?? 'Referral'}${s.reasonCode?.[0] ? ` — ${conceptText(s.reasonCode[0])}` : ''}`,
        start: formatClinicalDateTime(s.authoredOn),
        startIso: s.authoredOn,
        end: undefined,
        where: to ?? NOT_KNOWN,
        status: cap(s.status),
        source,
      });
    }
  }
  return items.sort(byDateDescending((i) => i.startIso));
}
