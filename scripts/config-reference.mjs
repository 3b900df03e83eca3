#!/usr/bin/env node
// Writes docs/reference/configuration.md from the zod schema that checks a locality (`LocalitySchema` in
// @openidcr/architecture), through zod 4's JSON Schema export, so the reference cannot drift from the code.
//   node scripts/config-reference.mjs           regenerate the file (after `npm run build`)
//   node scripts/config-reference.mjs --check   exit 1 when the committed file is stale or a field has no description
// apps/reference/src/docs.test.ts runs the same check under `npm test`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LocalitySchema } from '@openidcr/architecture';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(ROOT, 'docs/reference/configuration.md');
export const REGENERATE = 'npm run build && node scripts/config-reference.mjs';

/**
 * What each field means, keyed by its path (`organisations[].ods`; a variant of a union adds `{mode=dev}` after the
 * union's own path). A `.describe('...')` (or `.meta({ description })`) on the zod field is used when there is no entry
 * here. Every field outside `isa` and `roles` must have one or the other: the check fails on a new field without it.
 */
const DESCRIPTIONS = {
  name: 'The locality\'s name, shown in the apps and in the fair processing notice.',
  organisations: 'The care organisations of the locality. Every ISA party, user, channel and federated source must be one of them.',
  'organisations[].ods': 'ODS code: 3 to 6 upper-case letters and digits (`Y90001`, `RR8`). Listed once only.',
  'organisations[].name': 'The organisation\'s name as users know it.',
  'organisations[].kind': 'What sort of organisation it is; must match the kind of its ISA party.',
  'organisations[].stage': 'How far its go-live has reached: a small `pilot`, a `staged` roll-out, or `live` for all its users.',
  'organisations[].activation': 'When the organisation switched sharing on in its own system. Fills the ISA party\'s `activation` when the ISA leaves it out (the practice-activation consent model reads it).',
  'organisations[].activation.at': 'The instant sharing was switched on.',
  'organisations[].activation.by': 'Who switched it on (name or role).',
  roles: 'The locality\'s role definitions: which headings each role sees, which national RBAC codes qualify for it, what it is cleared for. Leave out to use governance\'s `DEFAULT_ROLES`.',
  consentModel: 'The consent model. Leave out to use the one the ISA names. See the consent models guide.',
  isa: 'The Information Sharing Agreement (governance `IsaSchema`). Every party must be one of `organisations`, of the same kind. See the ISA guide.',
  auth: 'How users sign in: the development issuer with demo users (`mode: dev`), or the locality\'s OpenID Connect provider (`mode: oidc`).',
  'auth.mode': 'Which of the two sign-in modes this is.',
  'auth.issuer {mode=dev}': '`iss` of the development access tokens (what the token verifiers check). The OpenID Connect issuer of id tokens is the public origin + `/dev` (`publicUrl`, or each request\'s origin), whose `/dev/.well-known/openid-configuration` the server serves.',
  'auth.audience {mode=dev}': '`aud` of the development tokens.',
  'auth.tokenMinutes {mode=dev}': 'Lifetime of a development token, in minutes.',
  'auth.users {mode=dev}': 'The demo users anyone can sign in as. Never use the development issuer with real data or on a reachable network.',
  'auth.users[].id {mode=dev}': 'The user id, sent as `{"userId": ...}` to `POST /dev/token`. Unique.',
  'auth.users[].name {mode=dev}': 'The name shown in the apps and written in the audit.',
  'auth.users[].role {mode=dev}': 'A role id of the locality (`gp`, `hospital-clinician`, ...), or `citizen` for a member of the public.',
  'auth.users[].organisation {mode=dev}': 'The ODS code of the user\'s organisation; required for a professional.',
  'auth.users[].sdsRoleCode {mode=dev}': 'The national RBAC code (`S8000:G8000:R8000`); its job role part must qualify for the role.',
  'auth.users[].activityCodes {mode=dev}': 'National RBAC activity codes (`B0360`), an alternative way to qualify for a role.',
  'auth.users[].purposeOfUse {mode=dev}': 'The purpose of use the user\'s token carries.',
  'auth.users[].nhsNumber {mode=dev}': 'A citizen\'s own NHS number (10 digits); required when `role` is `citizen`.',
  'auth.claims': 'Which token claim carries what. The defaults suit the development issuer; map them to your identity provider\'s claim names.',
  'auth.claims.subject': 'The claim holding the user id.',
  'auth.claims.name': 'The claim holding the user\'s display name.',
  'auth.claims.role': 'The claim holding the locality role id.',
  'auth.claims.organisation': 'The claim holding the user\'s organisation ODS code (must be one of `organisations`).',
  'auth.claims.purposeOfUse': 'The claim holding the purpose of use (default `TREAT` when absent).',
  'auth.claims.sdsRoleCode': 'The claim holding the national RBAC code.',
  'auth.claims.activityCodes': 'The claim holding the RBAC activity codes.',
  'auth.claims.patient': 'The claim holding the patient in context (SMART launch).',
  'auth.claims.nhsNumber': 'The claim holding a citizen\'s NHS number.',
  'auth.claims.scope': 'The claim holding the OAuth2 scopes.',
  'auth.issuer {mode=oidc}': 'The identity provider\'s issuer URL; tokens must carry exactly this `iss`.',
  'auth.jwksUrl {mode=oidc}': 'Where the provider publishes its signing keys (JWKS). Keys are cached and refreshed on an unknown `kid`.',
  'auth.audience {mode=oidc}': 'The `aud` tokens must carry.',
  'auth.algorithms {mode=oidc}': 'Signing algorithms accepted (`none` is never accepted).',
  'auth.clockToleranceSeconds {mode=oidc}': 'Allowed clock skew when checking `exp` and `nbf`.',
  'auth.authorizationEndpoint {mode=oidc}': 'Advertised in `/.well-known/smart-configuration` for SMART launches.',
  'auth.tokenEndpoint {mode=oidc}': 'Advertised in `/.well-known/smart-configuration` for SMART launches.',
  channels: 'Inbound HL7 v2 feeds. A federated locality has none.',
  'channels[].id': 'The channel id (lower-case letters, digits, hyphens), used in `POST /integration/hl7?channel=` and in logs.',
  'channels[].sender': 'MSH-4 sending facility (or MSH-3 application) of the sender.',
  'channels[].organisation': 'The ODS code of the organisation whose data the feed carries.',
  'channels[].profile': 'The integration source profile the feed is read with: `gp`, `acute-pas`, `mental-health`, `lims`, `social-care` or `generic`.',
  'channels[].mllpPort': 'The MLLP listener port; leave out for feeds that only arrive by `POST /integration/hl7`. Ports must not clash.',
  'channels[].qualityGate':
    'A data-quality gate: the channel stays in trial (its data stored, its organisation\'s items withheld from clinicians) until its scorecard (**Admin → Data quality**) meets every threshold given.',
  'channels[].qualityGate.minMessages': 'Messages needed before the channel can pass.',
  'channels[].qualityGate.nhsNumberCompleteness': 'Least share (0 to 1) of messages carrying an NHS number in PID-3.',
  'channels[].qualityGate.nhsNumberValidity': 'Least share of the NHS numbers sent that have a valid check digit.',
  'channels[].qualityGate.nameAgreement': 'Least share of messages whose family name agrees with the person\'s other records (catches misspelt names).',
  'channels[].qualityGate.codedShare': 'Least share of coded items (OBX-3, DG1-3, AL1-3, …) coded in a national system (SNOMED CT, LOINC, ICD-10, Read).',
  'channels[].qualityGate.maxRejectRate': 'Most share of messages rejected (negative ACK or dead letter).',
  'channels[].qualityGate.maxDelayMinutes': 'Most minutes from the message time (MSH-7) to its arrival, for 95% of messages.',
  topology: '`pooled`: the record is kept in the store. `federated`: nothing is pooled; each view fans out to the sources\' FHIR endpoints.',
  'topology.kind': 'Which topology.',
  'topology.sources {kind=federated}': 'One FHIR R4 endpoint per source organisation.',
  'topology.sources[].organisation {kind=federated}': 'The ODS code of the source (one endpoint per organisation).',
  'topology.sources[].baseUrl {kind=federated}': 'The source\'s FHIR R4 base URL.',
  'topology.sources[].timeoutMs {kind=federated}': 'How long a view waits for this source before going on without it (the viewer names it as not answering).',
  'topology.sources[].concurrency {kind=federated}': 'Most requests in flight to this source at once, across all users.',
  'topology.sources[].headers {kind=federated}': 'Extra request headers for this source (for example a system bearer token read from the environment).',
  storage: 'Where the record (pooled) or the consents, relationships and audit (federated) are kept.',
  'storage.url': '`pglite:./dir` (embedded, on disk), `pglite:memory`, or `postgres://user@host:5432/db`.',
  'storage.schema': 'The PostgreSQL schema the tables live in (default `idcr`).',
  ports: 'Where the HTTP server listens.',
  'ports.http': 'HTTP port.',
  'ports.host': 'Address to bind. MLLP listeners bind here too and have no authentication: use an integration network only.',
  publicUrl: 'The public base URL (`https://idcr.example.nhs.uk`, http(s), no user, query or fragment; a path is kept). Every absolute link the server writes (FHIR `fullUrl`s, `next` links, the CapabilityStatement base, SMART endpoints) starts with it, whatever the request\'s `Host` says. Without it: the request\'s `Host`, or the `X-Forwarded-Proto`/`X-Forwarded-Host` of a proxy `trustProxy` trusts; a `Host` that is not a plain `host[:port]` is refused (400). **Required in production mode** (`auth.mode: oidc`, or `NODE_ENV=production`). Environment: `OPENIDCR_PUBLIC_URL`.',
  shutdownGraceMs: 'Longest wait for requests and messages in flight at shutdown.',
  benefits: 'How the benefits of sharing are reported (from the audit log and clinicians\' "this helped" feedback).',
  'benefits.unitCosts': 'Unit costs in pounds for the estimated savings; use your own figures (for example the National Cost Collection).',
  'benefits.unitCosts.avoidedAdmission': 'Cost of one unplanned admission avoided.',
  'benefits.unitCosts.avoidedHomeVisit': 'Cost of one community home visit avoided.',
  'benefits.unitCosts.phoneCallMinutes': 'Staff minutes a record view saves when it replaces a phone call.',
  'benefits.unitCosts.staffCostPerMinute': 'Staff cost per minute.',
  rollout: 'Staged roll-out, enforced by the policy point. At an organisation whose `stage` is `pilot`, only users of a pilot group use the record; at a `staged` one, users of a pilot or staged group; at a `live` one, everyone. Others see nothing and are told why. Absent: `stage` is only a label.',
  'rollout.groups': 'The pilot and roll-out user groups.',
  'rollout.groups[].id': 'Group id (lower-case letters, digits and hyphens).',
  'rollout.groups[].name': 'Name shown in admin.',
  'rollout.groups[].stage': '`pilot`: admitted at pilot and staged organisations; `staged`: at staged organisations.',
  'rollout.groups[].users': 'User ids (token subjects) in the group; with the development issuer, each must be one of `auth.users` and not a citizen.',
  rateLimits: 'Requests per window per signed-in user, or per IP address for sign-in, public routes and bad tokens; 429 past them. `/healthz` and `/readyz` are never throttled.',
  'rateLimits.enabled': 'Off only where a load generator must not be throttled (benchmarks), never to "fix" a busy locality.',
  'rateLimits.windowSeconds': 'Length of the counting window.',
  'rateLimits.signIn': 'Per IP address per window: sign-in (`/dev/token`, `/dev/authorize`, `/dev/launch`).',
  'rateLimits.public': 'Per IP address per window: requests without a bearer token (capability statement, notice, web app files, SMART discovery).',
  'rateLimits.user': 'Per signed-in user per window: every request with a bearer token.',
  'rateLimits.badToken': 'Per IP address per window: requests refused because the bearer token did not verify (401).',
  trustProxy: 'Behind a reverse proxy, which hops to trust (express `trust proxy`: `true`, a hop count, or addresses such as `"loopback"` or `"10.0.1.10"`): their `X-Forwarded-For` gives the client address (rate limits, logs), and, without `publicUrl`, their `X-Forwarded-Proto` and `X-Forwarded-Host` the links\' scheme and host. Default `false`: forwarded headers are ignored, so a client cannot dodge rate limits or change links. Environment: `OPENIDCR_TRUST_PROXY`.',
  cors: 'Cross-origin access (CORS) for browser apps on other origins: SMART apps and other systems\' pages embedding the viewer. Covers `/fhir/*`, `/.well-known/*`, `/dev/token` and `/dev/.well-known/*`; preflights are answered before sign-in and rate limits; errors carry the headers too. Absent: no CORS headers, so only pages of the server\'s own origin can read the API from a browser. Credentials (cookies) are never allowed: the API takes bearer tokens.',
  'cors.origins': 'The origins whose pages may call the API from a browser: `scheme://host[:port]` exactly as a browser sends it (`https://gp-system.example.nhs.uk`; lower case, no path, no trailing slash, no default port). No wildcard. Environment: `OPENIDCR_CORS_ORIGINS` (comma separated).',
  'cors.maxAgeSeconds': 'How long a browser may cache a preflight answer (`Access-Control-Max-Age`), in seconds.',
  // The ISA (descriptions optional below this line, but kept for the common fields)
  'isa.id': 'The agreement\'s id; the audit records `id|version` with every decision.',
  'isa.version': 'The agreement\'s version.',
  'isa.status': 'Only an `active` agreement grants anything.',
  'isa.validFrom': 'First day the agreement is in force.',
  'isa.validTo': 'Last day the agreement is in force (optional).',
  'isa.reviewDate': '`checkIsa` warns when it has passed.',
  'isa.parties': 'The organisations that signed, each with its controller role, signatory, Caldicott Guardian and status.',
  'isa.parties[].status': 'Only an `active` party shares or views.',
  'isa.parties[].activation': 'When the party switched sharing on (practice-activation model).',
  'isa.purposes': 'Why data is shared. Indirect purposes must honour the National Data Opt-out.',
  'isa.purposes[].direct': 'Direct care (`true`) or an indirect purpose such as planning or research.',
  'isa.purposes[].purposesOfUse': 'The token purposes of use (`TREAT`, `ETREAT`, `BTG`, ...) this purpose covers.',
  'isa.purposes[].optOut': 'Which objection applies to this purpose.',
  'isa.notCovered': 'Uses the agreement explicitly does not cover (shown in the plain-English text and the notice).',
  'isa.legalBases': 'The legal bases sharing rules cite. A rule with no valid legal basis grants nothing.',
  'isa.sharing': 'Who shares which headings with which kinds of organisation and roles, for which purposes.',
  'isa.sharing[].from': 'ODS codes of the sharing parties.',
  'isa.sharing[].headings': 'The record headings shared.',
  'isa.sharing[].to': 'Recipients, by organisation kind and (optionally) role.',
  'isa.sharing[].purposes': 'Purpose ids (from `isa.purposes`) the rule serves.',
  'isa.sharing[].legalBases': 'Legal basis ids (from `isa.legalBases`).',
  'isa.consentModel': 'The consent model the agreement names (the locality\'s `consentModel` overrides it).',
  'isa.optOut': 'How a person objects, told in the fair processing notice.',
  'isa.retention': 'How long the audit log and the shared record are kept.',
  'isa.fairProcessing': 'Where the public is told, and what is promised to them.',
  'isa.breachNotificationHours': 'Hours within which a party reports a breach to the others.',
  'isa.dpiaRef': 'The Data Protection Impact Assessment reference.',
};

const DESCRIBED_UNDER = (path) => !/^(isa|roles|consentModel)\b/.test(path);

function variantOf(schema) {
  for (const [key, value] of Object.entries(schema.properties ?? {})) if (value.const !== undefined) return { key, value: value.const };
  return undefined;
}

function typeOf(schema) {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return `one of ${schema.enum.map((v) => `\`${v}\``).join(', ')}`;
  if (schema.oneOf) return schema.oneOf.map((v) => { const d = variantOf(v); return d ? `object (\`${d.key}: ${d.value}\`)` : typeOf(v); }).join(' or ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.type === 'array') return `list of ${typeOf(schema.items ?? {}).replace(/^one of /, 'values from ')}`;
  if (schema.type === 'object' && schema.additionalProperties) return `map of ${typeOf(schema.additionalProperties)}`;
  if (schema.format === 'date-time') return 'date-time';
  if (schema.format === 'date') return 'date';
  if (schema.format === 'uri') return 'URL';
  return schema.type ?? 'any';
}

function constraintsOf(schema) {
  const out = [];
  if (schema.format === 'date-time') out.push('ISO 8601 with offset');
  else if (schema.format === 'date') out.push('`YYYY-MM-DD`');
  else if (schema.format === 'email') out.push('e-mail address');
  else if (schema.pattern) out.push(`matches \`${schema.pattern}\``);
  const limit = (n) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (limit(schema.minimum)) out.push(`≥ ${schema.minimum}`);
  if (limit(schema.exclusiveMinimum)) out.push(`> ${schema.exclusiveMinimum}`);
  if (limit(schema.maximum)) out.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined && schema.minLength > 1) out.push(`at least ${schema.minLength} characters`);
  if (schema.minLength === 1) out.push('not empty');
  if (schema.maxLength !== undefined) out.push(`at most ${schema.maxLength} characters`);
  if (schema.minItems) out.push(`at least ${schema.minItems} item${schema.minItems > 1 ? 's' : ''}`);
  if (schema.type === 'array' && schema.items) out.push(...constraintsOf(schema.items).filter((c) => c !== 'integer'));
  return out;
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Flattens the JSON Schema into one row per field, depth first, in the schema's own order. */
export function fieldRows(jsonSchema) {
  const rows = [];
  const walk = (schema, path, required, variant) => {
    const key = variant ? `${path} {${variant}}` : path;
    const described = DESCRIPTIONS[key] ?? DESCRIPTIONS[path] ?? schema.description;
    if (path) {
      rows.push({
        key,
        path,
        variant,
        type: typeOf(schema),
        required,
        default: schema.default,
        constraints: constraintsOf(schema),
        description: described,
      });
    }
    const object = schema.type === 'array' ? schema.items : schema;
    const prefix = schema.type === 'array' ? `${path}[]` : path;
    if (!object) return;
    if (object.type === 'object' && object.properties) {
      const req = new Set(object.required ?? []);
      for (const [name, child] of Object.entries(object.properties)) walk(child, prefix ? `${prefix}.${name}` : name, req.has(name), variant);
    }
    if (object.oneOf) {
      // A discriminated union: the discriminator once, then each variant's other fields marked with it.
      const seen = new Set();
      for (const option of object.oneOf) {
        const d = variantOf(option);
        if (!d || option.type !== 'object') continue;
        if (!seen.has(d.key)) {
          seen.add(d.key);
          rows.push({
            key: `${prefix}.${d.key}`,
            path: `${prefix}.${d.key}`,
            variant,
            type: `one of ${object.oneOf.map((o) => `\`${JSON.stringify(variantOf(o)?.value)}\``).join(', ')}`,
            required: true,
            default: undefined,
            constraints: [],
            description: DESCRIPTIONS[`${prefix}.${d.key}`],
          });
        }
        const req = new Set(option.required ?? []);
        for (const [name, child] of Object.entries(option.properties)) {
          if (name === d.key) continue;
          walk(child, `${prefix}.${name}`, req.has(name), `${d.key}=${d.value}`);
        }
      }
    }
  };
  walk(jsonSchema, '', true, undefined);
  return rows;
}

/** Fields that need a description and have none (locality-level fields; the ISA and roles are optional). */
export function undescribedFields(rows) {
  return rows.filter((r) => !r.description && DESCRIBED_UNDER(r.path)).map((r) => r.key);
}

export function localityJsonSchema() {
  return z.toJSONSchema(LocalitySchema, { io: 'input', unrepresentable: 'any' });
}

/** One list item per field: GitHub and the typedoc site both render long paths and texts well as a list. */
function table(rows) {
  const lines = [];
  for (const r of rows) {
    const depth = (r.path.match(/\./g) ?? []).length - (r.path.startsWith('isa.') || r.path.startsWith('roles') || r.path.startsWith('consentModel') ? 1 : 0);
    const when = r.variant ? ` (when \`${r.variant.replace('=', ': ')}\`)` : '';
    const facts = [r.type, r.required ? '**required**' : 'optional', ...r.constraints];
    if (r.default !== undefined) facts.push(`default \`${JSON.stringify(r.default)}\``);
    lines.push(`${'  '.repeat(Math.max(0, depth))}- \`${r.path}\`${when}: ${facts.join('; ')}.${r.description ? ` ${r.description}` : ''}`);
  }
  return lines.join('\n');
}

/** The whole reference page. Deterministic: the same schema gives the same bytes. */
export function renderConfigReference() {
  const rows = fieldRows(localityJsonSchema());
  const section = (test) => rows.filter((r) => test(r.path));
  const top = (name) => (path) => path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`);
  const locality = section((p) => !['roles', 'consentModel', 'isa'].some((n) => top(n)(p)));
  return `---
title: Configuration reference
group: Reference
---

# Locality configuration reference

<!-- Generated by scripts/config-reference.mjs from LocalitySchema in @openidcr/architecture. Do not edit by hand:
     run \`${REGENERATE}\`. -->

A locality is one object, checked by \`defineLocality\` (or \`parseLocality\`, which returns the issues instead of
throwing) from \`@openidcr/architecture\`, and read by the reference app from \`idcr.config.json\`, \`.mjs\`, \`.js\` or
\`.ts\` (\`loadLocalityConfig\`). Every table below is generated from the zod schema itself (\`z.toJSONSchema\`), so it
lists exactly what the code accepts. A field that is not required and has a default may be left out.

Besides the per-field rules, \`defineLocality\` checks the fields against each other and names every problem:
organisations and users listed once; every ISA party is one of \`organisations\` with the same \`kind\`; every user's
role is a role of the locality (or \`citizen\` with an NHS number) and every professional's organisation is one of
\`organisations\`; the role id \`system\` is reserved for backend-services clients, which are listed once and act
for one of \`organisations\`; channels name a known organisation and a shipped source profile, and no two ports
clash; a federated locality has no channels and one endpoint per source organisation.

**Production mode**, \`auth.mode: 'oidc'\` (real users sign in) or \`NODE_ENV=production\`, needs \`publicUrl\`: without
it, \`createIdcr\` and \`startFromConfig\` refuse the locality with a \`LocalityConfigError\` naming \`publicUrl\`.
\`startFromConfig\` and the reference app apply the environment first (\`applyEnvironment\`): \`DATABASE_URL\`,
\`PORT\`, \`HOST\`, \`OPENIDCR_PUBLIC_URL\`, \`OPENIDCR_TRUST_PROXY\` and \`OPENIDCR_CORS_ORIGINS\` (comma
separated), each checked like the field it sets. See [Deployment](../guides/deployment.md#behind-a-reverse-proxy).

See [Assembling your locality](../guides/assembling-a-locality.md) for a worked example, [Choosing a consent
model](../guides/consent-models.md) and [Writing an ISA](../guides/writing-an-isa.md).

## The locality

${table(locality)}

## Roles

The \`roles\` field. Leave it out to use \`DEFAULT_ROLES\` from \`@openidcr/governance\` (see its README for the table of roles).

${table(section(top('roles')))}

## Consent model

The \`consentModel\` field: one of the four built-in models, named by \`kind\`.

${table(section(top('consentModel')))}

## Information Sharing Agreement

The \`isa\` field (\`IsaSchema\` in \`@openidcr/governance\`).

${table(section(top('isa')))}
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderConfigReference();
  const missing = undescribedFields(fieldRows(localityJsonSchema()));
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(OUTPUT, 'utf8'); } catch { /* missing counts as stale */ }
    const problems = [];
    if (current !== text) problems.push(`docs/reference/configuration.md is stale: run \`${REGENERATE}\` and commit it.`);
    if (missing.length) problems.push(`fields without a description (add .describe() to the field in LocalitySchema, or an entry to DESCRIPTIONS in scripts/config-reference.mjs): ${missing.join(', ')}`);
    if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
    console.log('docs/reference/configuration.md is up to date');
  } else {
    if (missing.length) console.warn(`warning: fields without a description in scripts/config-reference.mjs: ${missing.join(', ')}`);
    writeFileSync(OUTPUT, text);
    console.log(`wrote ${OUTPUT}`);
  }
}
