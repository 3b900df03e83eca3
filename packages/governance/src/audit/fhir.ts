import { CodeSystems, ODS_CODE_SYSTEM, PurposeOfUse, SDS_USER_ID_SYSTEM, getHeading, type PurposeOfUseCode } from '@openidcr/model';
import type { AuditEvent, ChainedAuditEvent } from './event.js';

/** IHE Basic Audit Log Patterns profiles used. */
export const BALP_PROFILES = {
  PatientRead: 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead',
  PatientQuery: 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery',
} as const;

/** Extension carrying the hash chain on an exported AuditEvent. */
export const AUDIT_CHAIN_EXTENSION = 'https://openidcr.org/StructureDefinition/audit-chain';

export interface FhirAuditEventOptions {
  /** The FHIR server or application that made the decision (the observer). */
  observer?: { display: string; ods?: string };
}

type Coding = { system: string; code: string; display?: string };

/**
 * The event as a FHIR R4 AuditEvent in IHE BALP style: `rest` read/search, the user as the requesting agent
 * (information recipient, with SDS id, role, organisation and purpose of use, the ISA as `policy`), the patient
 * entity, one entity per data category (heading), and the outcome (denied = 4, minor failure). Chain hashes travel
 * in an extension so an exported log can still be verified.
 */
export function toFhirAuditEvent(event: AuditEvent | ChainedAuditEvent, options: FhirAuditEventOptions = {}): Record<string, unknown> {
  const query = event.action === 'search';
  const purpose = PurposeOfUse[event.purposeOfUse as PurposeOfUseCode] as Coding | undefined;
  const purposeOfUse = [{ coding: [purpose ?? { system: CodeSystems.actReason, code: event.purposeOfUse }] }];
  const chained = 'hash' in event ? (event as ChainedAuditEvent) : undefined;
  const userRole: Array<{ coding: Coding[]; text?: string }> = [{ coding: [{ system: 'https://openidcr.org/CodeSystem/role', code: event.user.roleId }] }];
  if (event.user.sdsRoleCode) userRole.push({ coding: [{ system: CodeSystems.sdsJobRole, code: event.user.sdsRoleCode }] });
  return {
    resourceType: 'AuditEvent',
    id: event.id,
    meta: {
      profile: [query ? BALP_PROFILES.PatientQuery : BALP_PROFILES.PatientRead],
      ...(event.flagged ? { tag: [{ system: 'https://openidcr.org/CodeSystem/audit-flag', code: event.breakGlass ? 'break-glass' : 'review' }] } : {}),
    },
    ...(chained
      ? {
          extension: [
            {
              url: AUDIT_CHAIN_EXTENSION,
              extension: [
                { url: 'seq', valueInteger: chained.seq },
                { url: 'prevHash', valueString: chained.prevHash },
                { url: 'hash', valueString: chained.hash },
              ],
            },
          ],
        }
      : {}),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: CodeSystems.restfulInteraction, code: query ? 'search-type' : 'read', display: query ? 'search type' : 'read' }],
    action: query ? 'E' : 'R',
    recorded: event.recorded,
    outcome: event.outcome === 'permit' ? '0' : '4',
    outcomeDesc: event.reasons.join('; '),
    purposeOfEvent: purposeOfUse,
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
        role: userRole,
        who: { identifier: { system: SDS_USER_ID_SYSTEM, value: event.user.id }, display: event.user.name },
        requestor: true,
        purposeOfUse,
        policy: [event.policy],
        ...(event.breakGlass ? { extension: [{ url: 'https://openidcr.org/StructureDefinition/break-glass-reason', valueString: `${event.breakGlass.reasonCode}: ${event.breakGlass.reasonText}` }] } : {}),
      },
      {
        // The user's organisation, where the recipient works (R4 AuditEvent.agent has no organisation element).
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass', code: 'PROV', display: 'healthcare provider' }] },
        who: { identifier: { system: ODS_CODE_SYSTEM, value: event.user.organisation } },
        requestor: false,
      },
      {
        type: { coding: [{ system: CodeSystems.auditEventType, code: '110152', display: 'Destination Role ID' }] },
        who: { display: options.observer?.display ?? 'OpenIDCR' },
        requestor: false,
      },
    ],
    source: {
      observer: options.observer?.ods
        ? { identifier: { system: ODS_CODE_SYSTEM, value: options.observer.ods }, display: options.observer.display }
        : { display: options.observer?.display ?? 'OpenIDCR' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity: [
      {
        what: { reference: `Patient/${event.personId}` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
      },
      ...(query && event.query ? [{ type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' }, query: base64(event.query) }] : []),
      ...event.headings.map((heading) => ({
        what: { display: getHeading(heading).title },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4', display: 'Domain Resource' },
        detail: [{ type: 'heading', valueString: heading }, { type: 'sources', valueString: event.sources.join(',') }],
      })),
    ],
  };
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
