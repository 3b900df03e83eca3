import type { CapabilityStatement } from '@openidcr/model';
import type { SearchParamSpec } from './search-params.js';

/** What one route adds to the CapabilityStatement. */
export interface RouteCapability {
  type: string;
  interaction?: 'read' | 'vread' | 'search-type';
  operation?: { name: string; definition: string; documentation: string };
  searchParams?: SearchParamSpec[];
  includes?: string[];
}

/**
 * The CapabilityStatement, generated from the same route table that builds the router, so it lists exactly what is
 * served: every resource type, interaction, search parameter, `_include` and operation.
 */
export function capabilityStatement(
  routes: readonly RouteCapability[],
  options: { base: string; now: Date; software?: { name: string; version: string } | undefined; topology: 'pooled' | 'federated'; cors?: boolean | undefined },
): CapabilityStatement {
  const byType = new Map<string, { interactions: Set<string>; params: Map<string, SearchParamSpec>; includes: Set<string>; operations: Map<string, RouteCapability['operation']> }>();
  for (const route of routes) {
    const entry = byType.get(route.type) ?? { interactions: new Set(), params: new Map(), includes: new Set(), operations: new Map() };
    byType.set(route.type, entry);
    if (route.interaction) entry.interactions.add(route.interaction);
    for (const param of route.searchParams ?? []) entry.params.set(param.name, param);
    for (const include of route.includes ?? []) entry.includes.add(include);
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
        documentation: 'Searches of record types need `patient`. Errors are OperationOutcomes naming the parameter. Denials are 403 with the reasons; items withheld by policy are counted in a search.mode=outcome entry.',
        security: {
          cors: options.cors ?? false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: 'OAuth2 bearer tokens (JWT) from the locality\'s identity provider; SMART on FHIR discovery at .well-known/smart-configuration.',
        },
        resource: [...byType.entries()].map(([type, entry]) => ({
          type,
          profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
          interaction: [...entry.interactions].map((code) => ({ code: code as 'read' | 'vread' | 'search-type' })),
          versioning: entry.interactions.has('vread') ? ('versioned' as const) : ('no-version' as const),
          readHistory: entry.interactions.has('vread'),
          ...(entry.includes.size > 0 ? { searchInclude: [...entry.includes] } : {}),
          ...(entry.params.size > 0 ? { searchParam: [...entry.params.values()].map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })) } : {}),
          ...(entry.operations.size > 0 ? { operation: [...entry.operations.values()].map((o) => ({ name: o!.name, definition: o!.definition, documentation: o!.documentation })) } : {}),
        })),
      },
    ],
  } as CapabilityStatement;
}
