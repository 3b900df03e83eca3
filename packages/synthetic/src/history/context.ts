import type { OrganisationKind, SyntheticLocality, SyntheticOrganisation, SyntheticUser, UserRole } from '../locality/locality.js';

/** Quick lookups into a locality: its organisations by kind and its users by organisation and role. */
export interface LocalityIndex {
  locality: SyntheticLocality;
  practices: SyntheticOrganisation[];
  acute: SyntheticOrganisation;
  mentalHealth: SyntheticOrganisation;
  community: SyntheticOrganisation;
  council: SyntheticOrganisation;
  users(ods: string, role: UserRole): SyntheticUser[];
}

const cache = new WeakMap<SyntheticLocality, LocalityIndex>();

function only(locality: SyntheticLocality, kind: OrganisationKind): SyntheticOrganisation {
  const found = locality.organisations.find((org) => org.kind === kind);
  if (!found) throw new Error(`locality ${locality.name} has no ${kind} organisation`);
  return found;
}

/** The index of a locality (built once per locality object). */
export function indexLocality(locality: SyntheticLocality): LocalityIndex {
  const cached = cache.get(locality);
  if (cached) return cached;
  const byKey = new Map<string, SyntheticUser[]>();
  for (const user of locality.users) {
    const key = `${user.ods}|${user.role}`;
    const list = byKey.get(key) ?? [];
    list.push(user);
    byKey.set(key, list);
  }
  const practices = locality.organisations.filter((org) => org.kind === 'gp-practice');
  if (practices.length === 0) throw new Error(`locality ${locality.name} has no GP practice`);
  const index: LocalityIndex = {
    locality,
    practices,
    acute: only(locality, 'acute-trust'),
    mentalHealth: only(locality, 'mental-health-trust'),
    community: only(locality, 'community-services'),
    council: only(locality, 'social-care'),
    users(ods, role) {
      const list = byKey.get(`${ods}|${role}`);
      if (!list || list.length === 0) throw new Error(`no ${role} at ${ods} in locality ${locality.name}`);
      return list;
    },
  };
  cache.set(locality, index);
  return index;
}
