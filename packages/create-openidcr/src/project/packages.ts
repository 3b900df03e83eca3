/**
 * The OpenIDCR packages a new project can depend on. Architecture (what `npm start` runs) and governance (the ISA
 * tooling behind `npm run isa`) are always included. The version ranges are checked against this repository's
 * packages by a test, so a release that moves a package out of range fails until this list follows it.
 */
export const PACKAGES = {
  architecture: {
    name: '@openidcr/architecture',
    range: '^0.1.0',
    required: true,
    what: 'the FHIR R4 API with the policy enforcement point, sign-in, pooled and federated topologies; `npm start` runs it',
  },
  governance: {
    name: '@openidcr/governance',
    range: '^0.1.0',
    required: true,
    what: 'the Information Sharing Agreement as code, consent models, roles, audit; `npm run isa` checks and renders your ISA',
  },
  model: { name: '@openidcr/model', range: '^0.1.0', required: false, what: 'FHIR R4 types and schemas, NHS number and ODS code checks, the record headings' },
  store: { name: '@openidcr/store', range: '^0.1.0', required: false, what: 'direct access to the record store (PGlite or PostgreSQL): backups, reports, migrations' },
  integration: { name: '@openidcr/integration', range: '^0.1.0', required: false, what: 'HL7 v2 tooling: `npx openidcr ingest` sends message files to your channels' },
  viewer: { name: '@openidcr/viewer', range: '^0.1.0', required: false, what: 'the clinician web components (patient banner, record headings) to embed in your systems' },
  citizen: { name: '@openidcr/citizen', range: '^0.1.0', required: false, what: 'the citizen services: opt-out, who has looked at my record, fair processing notice' },
  requirements: { name: '@openidcr/requirements', range: '^0.1.0', required: false, what: 'the requirements catalogue; `npm run conformance` reports what your configuration meets' },
  synthetic: { name: '@openidcr/synthetic', range: '^0.1.0', required: false, what: 'synthetic patients and HL7 v2 feeds to try the record with (`npm run synthetic`)' },
} as const;

export type PackageId = keyof typeof PACKAGES;
export const PACKAGE_IDS = Object.keys(PACKAGES) as [PackageId, ...PackageId[]];
export const REQUIRED_PACKAGES = PACKAGE_IDS.filter((id) => PACKAGES[id].required);
export const OPTIONAL_PACKAGES = PACKAGE_IDS.filter((id) => !PACKAGES[id].required);

/** tsx runs `idcr.config.ts` and `start.ts` on Node 20, which cannot load TypeScript by itself. */
export const TSX_RANGE = '^4.23.0';

/** `npm run typecheck` in a new project: TypeScript and Node's types, so editors check idcr.config.ts against the schema. */
export const DEV_DEPENDENCIES = { '@types/node': '^20.19.0', typescript: '^5.9.3' } as const;
