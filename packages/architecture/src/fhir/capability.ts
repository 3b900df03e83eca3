import type { CapabilityStatement } from '@openidcr/model';
import type { SearchParamSpec } from './search-params.js';

/** What one route adds to the CapabilityStatement. */
export interface RouteCapability {
  /** The resource type; '' for a system-level interaction. */
  type: string;
  interaction?: 'read' | 'vread' | 'search-type' | 'history-instance';
  /** A whole-system interaction (`batch`), with type ''. */
  systemInteraction?: 'batch';
  /** The type searched in the patient compartment (`Patient/{id}/{compartment}`), with type 'Patient'. */
  compartment?: string;
  operation?: { name: string; definition: string; documentation: string };
  searchParams?: SearchParamSpec[];
  includes?: string[];
  revIncludes?: string[];
}

/**
 * The CapabilityStatement, generated from the same route table that builds the router, so it lists exactly what is
 * served: every resource type, interaction, search parameter, `_include` and operation.
 */
export function capabilityStatement(
  routes: readonly RouteCapability[],
  options: {
    base: string;
    now: Date;
    software?: { name: string; version: string } | undefined;
    topology: 'pooled' | 'federated';
    cors?: boolean | undefined;
    /** The SMART authorize and token endpoints (the oauth-uris extension SMART clients discover them from). */
    oauth?: { authorize?: string | undefined; token?: string | undefined } | undefined;
  },
): CapabilityStatement {
  const byType = new Map<string, { interactions: Set<string>; params: Map<string, SearchParamSpec>; includes: Set<string>; revIncludes: Set<string>; operations: Map<string, RouteCapability['operation']> }>();
  const system = new Set<string>();
  const compartments: string[] = [];
  for (const route of routes) {
    if (route.systemInteraction) system.add(route.systemInteraction);
    if (route.compartment) compartments.push(route.compartment);
    if (route.type === '') continue;
    const entry = byType.get(route.type) ?? { interactions: new Set(), params: new Map(), includes: new Set(), revIncludes: new Set(), operations: new Map() };
    byType.set(route.type, entry);
    if (route.interaction) entry.interactions.add(route.interaction);
    for (const param of route.searchParams ?? []) entry.params.set(param.name, param);
    for (const include of route.includes ?? []) entry.includes.add(include);
    for (const include of route.revIncludes ?? []) entry.revIncludes.add(include);
    if (route.operation) entry.operations.set(route.operation.name, route.operation);
  }
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.now.toISOString(),
    kind: 'instance',
    name: 'OpenIDCR',
    title: 'OpenIDCR shared care record FHIR API',
    description: `Read-only FHIR R4 API of an Integrated Digital Care Record (${options.topology} topology). Every patient-data request is decided by the locality's policy and audited.`,
    software: options.software ?? { name: '@openidcr/architecture' },
    implementation: { description: 'OpenIDCR FHIR API', url: options.base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Read-only. Searches of record types need `patient` (or `subject`, or the patient compartment `Patient/{id}/{type}`); GET or POST `_search`. Unknown parameters are refused with an OperationOutcome naming them, unless the request says `Prefer: handling=lenient` (then they are ignored and named in the outcome entry). Every search takes `_summary`, `_elements`, `_count` (0 for the total only), `_total`, `_include` and `_revinclude=Provenance:target`. Errors are OperationOutcomes naming the parameter. Denials are 403 with the reasons; items withheld by policy are counted in a search.mode=outcome entry. JSON only: an Accept that admits no JSON is answered 406.',
        security: {
          cors: options.cors ?? false,
          ...(options.oauth?.authorize || options.oauth?.token
            ? {
                extension: [
                  {
                    url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
                    extension: [
                      ...(options.oauth.authorize ? [{ url: 'authorize', valueUri: options.oauth.authorize }] : []),
                      ...(options.oauth.token ? [{ url: 'token', valueUri: options.oauth.token }] : []),
                    ],
                  },
                ],
              }
            : {}),
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: 'OAuth2 bearer tokens (JWT) from the locality\'s identity provider; SMART on FHIR discovery at .well-known/smart-configuration.',
        },
        resource: [...byType.entries()].map(([type, entry]) => ({
          type,
          profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
          interaction: [...entry.interactions].map((code) => ({ code: code as 'read' | 'vread' | 'search-type' | 'history-instance' })),
          versioning: entry.interactions.has('vread') ? ('versioned' as const) : ('no-version' as const),
          readHistory: entry.interactions.has('history-instance'),
          ...(entry.includes.size > 0 ? { searchInclude: [...entry.includes] } : {}),
          ...(entry.revIncludes.size > 0 ? { searchRevInclude: [...entry.revIncludes] } : {}),
          ...(entry.params.size > 0 ? { searchParam: [...entry.params.values()].map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })) } : {}),
          ...(entry.operations.size > 0 ? { operation: [...entry.operations.values()].map((o) => ({ name: o!.name, definition: o!.definition, documentation: o!.documentation })) } : {}),
        })),
        ...(system.size > 0 ? { interaction: [...system].map((code) => ({ code })) } : {}),
        ...(compartments.length > 0 ? { compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'] } : {}),
      },
    ],
  } as CapabilityStatement;
}
