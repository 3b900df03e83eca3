import { ODS_CODE_SYSTEM } from '@openidcr/model';
import { stableId, type MappedResource } from './context.js';
import { SENDER_PRACTITIONER_ID } from './datatypes.js';

/**
 * Resources that describe the people and places of care rather than a patient: stored as reference data (no
 * patient key), so one Practitioner serves every patient a sender names them for.
 */
export const REFERENCE_DATA_TYPES: ReadonlySet<string> = new Set(['Organization', 'Practitioner', 'Location']);

interface Ref {
  reference?: string;
  type?: string;
  display?: string;
  identifier?: { system?: string; value?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Makes the people and places a message names resolvable, so that `_include` and a viewer can follow them:
 * - a practitioner reference (`type: 'Practitioner'`, from an XCN) points at a `Practitioner` made from it, keyed by
 *   their register number or the sender's staff number (else their name), under the sender;
 * - an Encounter's location named only in words points at a `Location` of the sender;
 * - an organisation named by ODS code stays a logical reference (`identifier`, `type: 'Organization'`): the ODS code
 *   is the national key, resolved against the locality's organisations.
 * Returns the resources with their references filled in, followed by the new reference resources (one each).
 */
export function resolveParticipants(sender: { ods: string }, resources: MappedResource[]): MappedResource[] {
  const made = new Map<string, MappedResource>();
  const practitioner = (ref: Ref): void => {
    if (ref.identifier?.system === SENDER_PRACTITIONER_ID) ref.identifier = { system: `https://openidcr.org/Id/practitioner/${encodeURIComponent(sender.ods)}`, value: ref.identifier.value! };
    const key = ref.identifier ? `${ref.identifier.system}|${ref.identifier.value}` : `name:${ref.display}`;
    const id = stableId('prac', sender, key);
    if (!made.has(`Practitioner/${id}`)) {
      made.set(`Practitioner/${id}`, {
        resourceType: 'Practitioner',
        id,
        ...(ref.identifier ? { identifier: [{ ...ref.identifier }] } : {}),
        ...(ref.display ? { name: [{ text: ref.display }] } : {}),
      } as MappedResource);
    }
    ref.reference = `Practitioner/${id}`;
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    const ref = value as Ref;
    if (ref.reference === undefined && ref.type === 'Practitioner' && (ref.display || ref.identifier?.value)) practitioner(ref);
    else if (ref.reference === undefined && ref.type === undefined && isObject(ref.identifier) && ref.identifier.system === ODS_CODE_SYSTEM && Object.keys(value).every((k) => k === 'identifier' || k === 'display')) ref.type = 'Organization';
    for (const key in value) if (key !== 'identifier') visit(value[key]);
  };
  for (const resource of resources) {
    if (resource.resourceType === 'Encounter' && Array.isArray(resource.location)) {
      for (const entry of resource.location as { location?: Ref }[]) {
        const where = entry.location;
        if (!where || where.reference || !where.display) continue;
        const id = stableId('loc', sender, where.display);
        if (!made.has(`Location/${id}`)) {
          made.set(`Location/${id}`, {
            resourceType: 'Location',
            id,
            name: where.display,
            mode: 'instance',
            managingOrganization: { identifier: { system: ODS_CODE_SYSTEM, value: sender.ods }, type: 'Organization' },
          } as MappedResource);
        }
        where.reference = `Location/${id}`;
      }
    }
    visit(resource);
  }
  return [...resources, ...made.values()];
}
