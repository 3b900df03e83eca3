import type { CareTeam, EpisodeOfCare, Patient, PractitionerRole } from '@openidcr/model';
import { conceptText, formatClinicalDate, NOT_KNOWN } from '../format/clinical.js';
import { headingOf } from '@openidcr/model';
import { type RecordContent } from './record-bundle.js';
import { referenceName, sourceOf } from './source.js';

export type Involvement = 'gp' | 'health' | 'social-care';

export interface CareTeamRow {
  id: string | undefined;
  involvement: Involvement;
  team: string;
  organisation: string;
  people: { name: string; role: string | undefined }[];
  since: string;
  contact: string | undefined;
  source: string;
}

export const INVOLVEMENT_TITLES: Record<Involvement, string> = {
  gp: 'GP practice',
  health: 'Health services',
  'social-care': 'Social care',
};

const SOCIAL = /social|council|local authority|home care|care package/i;

/** "Who else is involved": the registered GP, health teams and social care, active involvements only. */
export function toCareTeamRows(content: RecordContent): CareTeamRow[] {
  const rows: CareTeamRow[] = [];
  const patient = content.resources.find((r) => r.resourceType === 'Patient') as Patient | undefined;
  for (const gp of patient?.generalPractitioner ?? []) {
    rows.push({ id: undefined, involvement: 'gp', team: 'Registered GP practice', organisation: referenceName(content, gp) ?? NOT_KNOWN, people: [], since: NOT_KNOWN, contact: undefined, source: NOT_KNOWN });
  }
  for (const r of content.resources) {
    const heading = headingOf(r);
    if (heading !== 'care-team' && heading !== 'social-care') continue;
    const source = sourceOf(content, r)?.name ?? NOT_KNOWN;
    if (r.resourceType === 'CareTeam') {
      const t = r as CareTeam;
      if (t.status && t.status !== 'active') continue;
      const organisation = t.managingOrganization?.map((o) => referenceName(content, o)).find(Boolean) ?? source;
      rows.push({
        id: t.id,
        involvement: heading === 'social-care' || SOCIAL.test(`${t.name} ${organisation}`) ? 'social-care' : 'health',
        team: t.name ?? conceptText(t.category?.[0]) ?? 'Care team',
        organisation,
        people: (t.participant ?? []).map((p) => ({ name: referenceName(content, p.member) ?? NOT_KNOWN, role: conceptText(p.role?.[0]) })),
        since: formatClinicalDate(t.period?.start),
        contact: t.telecom?.find((c) => c.value)?.value,
        source,
      });
    } else if (r.resourceType === 'EpisodeOfCare') {
      const e = r as EpisodeOfCare;
      if (e.status !== 'active' && e.status !== 'onhold' && e.status !== 'waitlist') continue;
      const organisation = referenceName(content, e.managingOrganization) ?? source;
      const team = conceptText(e.type?.[0]) ?? 'Episode of care';
      rows.push({
        id: e.id,
        involvement: heading === 'social-care' || SOCIAL.test(`${team} ${organisation}`) ? 'social-care' : 'health',
        team,
        organisation,
        people: e.careManager ? [{ name: referenceName(content, e.careManager) ?? NOT_KNOWN, role: 'Allocated worker' }] : [],
        since: formatClinicalDate(e.period?.start),
        contact: undefined,
        source,
      });
    } else if (r.resourceType === 'PractitionerRole') {
      const p = r as PractitionerRole;
      if (p.active === false) continue;
      const organisation = referenceName(content, p.organization) ?? source;
      rows.push({
        id: p.id,
        involvement: SOCIAL.test(organisation) ? 'social-care' : 'health',
        team: conceptText(p.specialty?.[0]) ?? conceptText(p.code?.[0]) ?? 'Professional',
        organisation,
        people: [{ name: referenceName(content, p.practitioner) ?? NOT_KNOWN, role: conceptText(p.code?.[0]) }],
        since: formatClinicalDate(p.period?.start),
        contact: p.telecom?.find((c) => c.value)?.value,
        source,
      });
    }
  }
  const order: Involvement[] = ['gp', 'health', 'social-care'];
  return rows.sort((a, b) => order.indexOf(a.involvement) - order.indexOf(b.involvement));
}
