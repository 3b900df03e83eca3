import { z } from 'zod';
import { QualityGateSchema } from './quality-gate.js';
import { PurposeOfUse, type PurposeOfUseCode } from '@openidcr/model';
import { ShippedProfiles, isShippedProfileId } from '@openidcr/integration';
import {
  ConsentModelConfigSchema,
  DEFAULT_ROLES,
  IsaSchema,
  OdsCodeSchema,
  OrganisationKindSchema,
  RoleDefinitionSchema,
  type RoleDefinition,
} from '@openidcr/governance';
import { RateLimitsSchema } from '../http/rate-limit.js';
import { CorsSchema } from '../http/cors.js';
import { RolloutSchema } from './rollout.js';
import { ConsentCaptureSchema } from './consent-capture.js';

const isoDateTime = z.iso.datetime({ offset: true });
const PURPOSE_CODES = Object.keys(PurposeOfUse) as [PurposeOfUseCode, ...PurposeOfUseCode[]];
const port = z.number().int().min(0).max(65535);
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens');

/** The stage an organisation's go-live has reached: a small pilot, a staged roll-out, or live for all its users. */
export const GO_LIVE_STAGES = ['pilot', 'staged', 'live'] as const;
export type GoLiveStage = (typeof GO_LIVE_STAGES)[number];

/** One care organisation of the locality. */
export const OrganisationSchema = z.object({
  ods: OdsCodeSchema,
  name: z.string().min(1),
  kind: OrganisationKindSchema,
  stage: z.enum(GO_LIVE_STAGES).default('pilot'),
  /** When the organisation switched sharing on in its own system; fills the ISA party's `activation` when the ISA leaves it out. */
  activation: z.object({ at: isoDateTime, by: z.string().min(1) }).optional(),
});
export type Organisation = z.output<typeof OrganisationSchema>;

/** A demonstration user for the development issuer (never used with an OIDC issuer). */
export const DemoUserSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1),
  /** A role id of the locality (`gp`, `hospital-clinician`, ...), or `citizen` for a member of the public. */
  role: z.string().min(1),
  /** The ODS code of the user's organisation (not needed for a citizen). */
  organisation: OdsCodeSchema.optional(),
  sdsRoleCode: z.string().optional(),
  activityCodes: z.array(z.string()).default([]),
  purposeOfUse: z.enum(PURPOSE_CODES).default('TREAT'),
  /** A citizen's own NHS number. */
  nhsNumber: z.string().regex(/^\d{10}$/, '10 digits').optional(),
});
export type DemoUser = z.output<typeof DemoUserSchema>;

/** Which token claims carry what. Defaults suit the development issuer; map them to your identity provider's names. */
export const ClaimMappingSchema = z.object({
  subject: z.string().default('sub'),
  name: z.string().default('name'),
  role: z.string().default('idcr_role'),
  organisation: z.string().default('idcr_org'),
  purposeOfUse: z.string().default('purpose_of_use'),
  sdsRoleCode: z.string().default('sds_role'),
  activityCodes: z.string().default('activity_codes'),
  patient: z.string().default('patient'),
  nhsNumber: z.string().default('nhs_number'),
  scope: z.string().default('scope'),
});
export type ClaimMapping = z.output<typeof ClaimMappingSchema>;

const claims = ClaimMappingSchema.prefault({});

/** A public JWK a backend-services client signs its `client_assertion` with (RSA or EC; never the private part). */
const ClientJwkSchema = z
  .looseObject({
    kty: z.enum(['RSA', 'EC']).describe('Key type: `RSA` (RS384, RS256; 2048 bits or more) or `EC` (ES384 on P-384, ES256 on P-256).'),
    kid: z.string().min(1).optional().describe('Key id; the assertion\'s `kid` header picks the key when the client registers several.'),
    alg: z.enum(['RS256', 'RS384', 'ES256', 'ES384']).optional().describe('The one algorithm this key signs with, if it is pinned.'),
  })
  .refine((jwk) => !('d' in jwk), { message: 'a private key: register only the public key' })
  .describe('A public JWK (the other members of the JWK, such as `n` and `e` or `crv`, `x` and `y`, as exported). A key with a private part (`d`) is refused.');

/**
 * A SMART Backend Services client of the development issuer (`grant_type=client_credentials` with a `private_key_jwt`
 * client assertion): a source system acting for its organisation, never a user.
 */
export const BackendClientSchema = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, '1 to 128 letters, digits and . _ : -').describe('The client id: the `iss` and `sub` of its client assertions, and the `sub` of its tokens. Unique.'),
  /** The ODS code of the locality organisation the client acts for. */
  organisation: OdsCodeSchema.describe('The ODS code of the locality organisation the client acts for (one of `organisations`): its tokens send HL7 only into channels of this organisation.'),
  /** The client's public keys, inline (RS384 or ES384; RS256 and ES256 also taken). */
  jwks: z
    .object({ keys: z.array(ClientJwkSchema).min(1).describe('One or more public keys; rotate by adding the new key before the client uses it.') })
    .describe('The client\'s public keys (a JWK Set, inline) its `client_assertion` JWTs are checked with: RS384 or ES384, RS256 and ES256 also taken.'),
  /** The system scopes it may be granted, e.g. `system/hl7.write`. */
  scopes: z.array(z.string().regex(/^system\/\S+$/, 'a system/ scope')).min(1).describe('The system scopes it may be granted (e.g. `system/hl7.write`); a request for others is answered with only these, or `invalid_scope`.'),
});
export type BackendClient = z.output<typeof BackendClientSchema>;

/** How users sign in: the built-in development issuer with demo users, or the locality's OpenID Connect provider. */
export const AuthSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('dev'),
    /** `iss` of the development tokens. */
    issuer: z.string().min(1).default('urn:openidcr:dev-issuer'),
    audience: z.string().min(1).default('openidcr'),
    tokenMinutes: z.number().int().min(1).max(24 * 60).default(60),
    /**
     * How long a refresh token lasts: `online_access` (default 8 hours) and `offline_access` (default 30 days). A
     * refresh token rotates on use but keeps its first expiry.
     */
    refreshTokenMinutes: z
      .object({
        online: z.number().int().min(1).max(7 * 24 * 60).default(8 * 60).describe('Minutes an `online_access` refresh token lasts from its first grant (default 8 hours).'),
        offline: z.number().int().min(1).max(365 * 24 * 60).default(30 * 24 * 60).describe('Minutes an `offline_access` refresh token lasts from its first grant (default 30 days).'),
      })
      .prefault({})
      .describe('How long refresh tokens last. A refresh token rotates on every use (the old one stops working) but keeps its first expiry. Kept in the process\'s memory: a restart ends them.'),
    users: z.array(DemoUserSchema).min(1),
    /** SMART Backend Services clients (system-to-system, `client_credentials` with a signed client assertion). */
    clients: z
      .array(BackendClientSchema)
      .default([])
      .describe('SMART Backend Services clients: source systems that get a five-minute system token from `POST /dev/token` (`grant_type=client_credentials` with a `private_key_jwt` client assertion signed by one of their keys, `aud` the token endpoint). Listed once each.'),
    claims,
  }),
  z.object({
    mode: z.literal('oidc'),
    issuer: z.url(),
    jwksUrl: z.url(),
    audience: z.string().min(1),
    /** Signing algorithms accepted (never `none`). */
    algorithms: z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).min(1).default(['RS256', 'ES256']),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    /** The authorization and token endpoints advertised in `/.well-known/smart-configuration`. */
    authorizationEndpoint: z.url().optional(),
    tokenEndpoint: z.url().optional(),
    claims,
  }),
]);
export type AuthConfig = z.output<typeof AuthSchema>;

/** One inbound HL7 v2 feed: who sends it, which source profile maps it, and the MLLP port it arrives on. */
export const ChannelSchema = z.object({
  id: slug,
  /** MSH-4 sending facility (or MSH-3 application) of the sender. */
  sender: z.string().min(1),
  /** The ODS code of the organisation whose data the feed carries. */
  organisation: OdsCodeSchema,
  /** The integration source profile it is read with: `gp`, `acute-pas`, `mental-health`, `lims`, `social-care`, `generic`. */
  profile: z.string().min(1),
  /** MLLP listener port; absent for feeds that only arrive by `POST /integration/hl7`. */
  mllpPort: port.optional(),
  /** A data-quality gate: the channel stays in trial (its data stored, not shown) until its scorecard passes. */
  qualityGate: QualityGateSchema.optional(),
});
export type Channel = z.output<typeof ChannelSchema>;

/** A source organisation's FHIR endpoint in the federated topology. */
export const FederatedSourceSchema = z.object({
  organisation: OdsCodeSchema,
  baseUrl: z.url(),
  /** How long a view waits for this source before going on without it. */
  timeoutMs: z.number().int().min(50).max(60_000).default(3000),
  /** Most requests in flight to this source at once, across all users. */
  concurrency: z.number().int().min(1).max(256).default(8),
  /** Extra request headers for this source (e.g. a system-level bearer token taken from the environment). */
  headers: z.record(z.string(), z.string()).default({}),
});
export type FederatedSource = z.output<typeof FederatedSourceSchema>;

export const TopologySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pooled') }),
  z.object({ kind: z.literal('federated'), sources: z.array(FederatedSourceSchema).min(1) }),
]);
export type Topology = z.output<typeof TopologySchema>;

export const DEFAULT_STORAGE_URL = 'pglite:./data/idcr';

/**
 * Unit costs for the benefits estimate, in pounds: what one avoided unplanned admission, one avoided community home
 * visit and one minute of staff time cost the locality. Defaults: £1,436 per admission, £60 per home visit, a
 * 20-minute phone call at £0.60 a minute. Use your own figures (e.g. the National Cost Collection).
 */
export const UnitCostsSchema = z.strictObject({
  avoidedAdmission: z.number().nonnegative().default(1436),
  avoidedHomeVisit: z.number().nonnegative().default(60),
  /** Staff minutes a record view saves when it replaces a phone call. */
  phoneCallMinutes: z.number().nonnegative().max(600).default(20),
  staffCostPerMinute: z.number().nonnegative().default(0.6),
});
export type UnitCosts = z.output<typeof UnitCostsSchema>;

/** How the locality reports the benefits of sharing (from the audit log and clinicians' "this helped" feedback). */
export const BenefitsSchema = z.strictObject({
  unitCosts: UnitCostsSchema.prefault({}),
});

/** The whole locality, as written in `idcr.config.json` or passed to `defineLocality`. */
export const LocalitySchema = z.object({
  name: z.string().min(1),
  organisations: z.array(OrganisationSchema).min(1),
  /** Role definitions; default: governance's `DEFAULT_ROLES`. */
  roles: z.array(RoleDefinitionSchema).optional(),
  /** The consent model; default: the one the ISA names. */
  consentModel: ConsentModelConfigSchema.optional(),
  isa: IsaSchema,
  auth: AuthSchema,
  channels: z.array(ChannelSchema).default([]),
  topology: TopologySchema.default({ kind: 'pooled' }),
  storage: z.object({ url: z.string().min(1).default(DEFAULT_STORAGE_URL), schema: z.string().optional() }).prefault({}),
  ports: z.object({ http: port.default(8080), host: z.string().min(1).default('0.0.0.0') }).prefault({}),
  /**
   * The public base URL of the server (e.g. `https://idcr.example.nhs.uk`): every absolute link (FHIR `fullUrl`s, `next`
   * links, SMART endpoints) starts with it, whatever the request's Host says. Default: from each request (Host, or the
   * forwarded headers of a trusted proxy). Required in production mode (see `productionIssues`).
   */
  publicUrl: z
    .url()
    .refine((value) => {
      // Not a URL at all: z.url() has said so already.
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.search && !url.hash;
    }, 'an http(s) base URL without user name, query or fragment, e.g. "https://idcr.example.nhs.uk"')
    .optional(),
  /**
   * Cross-origin access (CORS) for browser apps on other origins: SMART apps, other vendors' pages embedding the viewer.
   * Absent or no origins: no CORS header is sent and browsers keep the API to pages of its own origin.
   */
  cors: CorsSchema.optional().describe('Cross-origin access (CORS) for browser apps on other origins: SMART apps and other systems\' pages embedding the viewer. Absent: no CORS headers, so only pages of the server\'s own origin can read the API from a browser. Credentials (cookies) are never allowed: the API takes bearer tokens.'),
  /**
   * Staged roll-out, enforced by the policy point: pilot and roll-out user groups. Users of an organisation in `pilot`
   * or `staged` stage who are in no group for that stage see nothing, and are told why. Absent: `stage` is a label.
   */
  rollout: RolloutSchema.optional(),
  /** Consent capture (see `ConsentCaptureSchema`): the routes that record share-in / share-out and consent to view. */
  consentCapture: ConsentCaptureSchema.optional(),
  /** Benefits reporting: unit costs for the estimated savings. */
  benefits: BenefitsSchema.prefault({}),
  /** Longest a request may take to drain at shutdown. */
  shutdownGraceMs: z.number().int().min(0).max(120_000).default(10_000),
  /** Requests per window per user (signed in) or per IP address (sign-in, public routes, bad tokens): 429 past them. */
  rateLimits: RateLimitsSchema.prefault({}).describe('Rate limits: per signed-in user, and per IP address for sign-in, public routes and bad tokens. Past a limit the answer is 429 with Retry-After.'),
  /**
   * Behind a reverse proxy, which hops to trust for the client address (express `trust proxy`: `true`, a hop count,
   * or addresses such as `"loopback"`). Default false: `X-Forwarded-For` is ignored, so it cannot dodge rate limits.
   */
  trustProxy: z
    .union([z.boolean(), z.number().int().min(0).max(10), z.string().min(1)])
    .default(false)
    .describe('Behind a reverse proxy: the proxy hops trusted for the client address (express `trust proxy`: true, a hop count, or addresses such as "loopback"). Default false, so X-Forwarded-For cannot dodge a rate limit.'),
});
/** A locality as written (defaults optional). */
export type LocalityInput = z.input<typeof LocalitySchema>;

/** A checked locality: every default filled, every cross-reference resolved. */
export type Locality = z.output<typeof LocalitySchema> & { roles: RoleDefinition[] };

/** One problem with a locality configuration, naming the field (`organisations[2].ods`). */
export interface LocalityIssue {
  path: string;
  message: string;
}

/** Thrown by `defineLocality`: every issue, one a line, each naming its field. */
export class LocalityConfigError extends Error {
  readonly issues: LocalityIssue[];
  constructor(issues: LocalityIssue[], source?: string) {
    super(`${source ? `${source}: ` : ''}invalid locality configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'LocalityConfigError';
    this.issues = issues;
  }
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  return out || '(root)';
}

function crossCheck(locality: Locality): LocalityIssue[] {
  const issues: LocalityIssue[] = [];
  const orgs = new Map<string, number>();
  locality.organisations.forEach((org, i) => {
    if (orgs.has(org.ods)) issues.push({ path: `organisations[${i}].ods`, message: `${org.ods} is listed twice (also organisations[${orgs.get(org.ods)}])` });
    else orgs.set(org.ods, i);
  });
  const roleIds = new Set<string>();
  locality.roles.forEach((role, i) => {
    if (roleIds.has(role.id)) issues.push({ path: `roles[${i}].id`, message: `role "${role.id}" is defined twice` });
    roleIds.add(role.id);
    if (role.id === 'system') issues.push({ path: `roles[${i}].id`, message: '"system" is reserved: a token with that role is a backend-services client\'s' });
  });
  locality.isa.parties.forEach((party, i) => {
    const index = orgs.get(party.ods);
    if (index === undefined) issues.push({ path: `isa.parties[${i}].ods`, message: `${party.ods} is not one of the locality's organisations` });
    else if (locality.organisations[index]!.kind !== party.kind)
      issues.push({ path: `isa.parties[${i}].kind`, message: `${party.kind} differs from organisations[${index}].kind (${locality.organisations[index]!.kind})` });
  });
  if (locality.auth.mode === 'dev') {
    const ids = new Set<string>();
    locality.auth.users.forEach((user, i) => {
      const at = `auth.users[${i}]`;
      if (ids.has(user.id)) issues.push({ path: `${at}.id`, message: `user "${user.id}" is listed twice` });
      ids.add(user.id);
      if (user.role === 'citizen') {
        if (!user.nhsNumber) issues.push({ path: `${at}.nhsNumber`, message: 'a citizen needs their NHS number' });
        return;
      }
      // A token with role "system" is a backend-services client's (auth.clients), never a person's.
      if (user.role === 'system') {
        issues.push({ path: `${at}.role`, message: '"system" is reserved for backend-services clients (auth.clients)' });
        return;
      }
      if (!roleIds.has(user.role)) issues.push({ path: `${at}.role`, message: `"${user.role}" is not a role of this locality (${[...roleIds].join(', ')}, or citizen)` });
      if (!user.organisation) issues.push({ path: `${at}.organisation`, message: 'is required for a professional' });
      else if (!orgs.has(user.organisation)) issues.push({ path: `${at}.organisation`, message: `${user.organisation} is not one of the locality's organisations` });
    });
    const clientIds = new Set<string>();
    locality.auth.clients.forEach((client, i) => {
      const at = `auth.clients[${i}]`;
      if (clientIds.has(client.clientId)) issues.push({ path: `${at}.clientId`, message: `client "${client.clientId}" is listed twice` });
      // A token's subject names one principal: the audit and the rate limits would mix up a client and a user.
      if (ids.has(client.clientId)) issues.push({ path: `${at}.clientId`, message: `"${client.clientId}" is also a demo user id` });
      clientIds.add(client.clientId);
      if (!orgs.has(client.organisation)) issues.push({ path: `${at}.organisation`, message: `${client.organisation} is not one of the locality's organisations` });
    });
  }
  const groupIds = new Set<string>();
  const demoUsers = locality.auth.mode === 'dev' ? new Map(locality.auth.users.map((u) => [u.id, u])) : undefined;
  locality.rollout?.groups.forEach((group, i) => {
    if (groupIds.has(group.id)) issues.push({ path: `rollout.groups[${i}].id`, message: `group "${group.id}" is listed twice` });
    groupIds.add(group.id);
    group.users.forEach((id, j) => {
      if (!demoUsers) return;
      const user = demoUsers.get(id);
      if (!user) issues.push({ path: `rollout.groups[${i}].users[${j}]`, message: `"${id}" is not one of auth.users` });
      else if (user.role === 'citizen') issues.push({ path: `rollout.groups[${i}].users[${j}]`, message: `"${id}" is a citizen; roll-out groups are of professionals` });
    });
  });
  const ports = new Map<number, string>([[locality.ports.http, 'ports.http']]);
  locality.channels.forEach((channel, i) => {
    if (!orgs.has(channel.organisation)) issues.push({ path: `channels[${i}].organisation`, message: `${channel.organisation} is not one of the locality's organisations` });
    if (!isShippedProfileId(channel.profile)) issues.push({ path: `channels[${i}].profile`, message: `"${channel.profile}" is not a source profile (${Object.keys(ShippedProfiles).join(', ')})` });
    if (channel.mllpPort !== undefined && channel.mllpPort !== 0) {
      const taken = ports.get(channel.mllpPort);
      if (taken) issues.push({ path: `channels[${i}].mllpPort`, message: `port ${channel.mllpPort} is already used by ${taken}` });
      else ports.set(channel.mllpPort, `channels[${i}].mllpPort`);
    }
  });
  const channelIds = new Set<string>();
  locality.channels.forEach((channel, i) => {
    if (channelIds.has(channel.id)) issues.push({ path: `channels[${i}].id`, message: `channel "${channel.id}" is listed twice` });
    channelIds.add(channel.id);
  });
  if (locality.topology.kind === 'federated') {
    if (locality.channels.length > 0)
      issues.push({ path: 'channels', message: 'a federated locality keeps no pooled copy, so it takes no HL7 feeds: remove the channels or use the pooled topology' });
    const seen = new Set<string>();
    locality.topology.sources.forEach((source, i) => {
      if (!orgs.has(source.organisation)) issues.push({ path: `topology.sources[${i}].organisation`, message: `${source.organisation} is not one of the locality's organisations` });
      if (seen.has(source.organisation)) issues.push({ path: `topology.sources[${i}].organisation`, message: `${source.organisation} has two endpoints` });
      seen.add(source.organisation);
    });
  }
  return issues;
}

/**
 * Production mode: real users sign in through the locality's identity provider (`auth.mode: 'oidc'`), or the process
 * runs with `NODE_ENV=production`. Then the links the server writes must not depend on what a request's Host header
 * says, so `publicUrl` is required. The development issuer without `NODE_ENV=production` is a demonstration.
 */
export function isProductionMode(locality: Pick<Locality, 'auth'>, nodeEnv: string | undefined): boolean {
  return locality.auth.mode === 'oidc' || nodeEnv === 'production';
}

/** What production mode needs that the locality lacks (see `isProductionMode`): today, `publicUrl`. */
export function productionIssues(locality: Pick<Locality, 'auth' | 'publicUrl'>, nodeEnv: string | undefined): LocalityIssue[] {
  if (!isProductionMode(locality, nodeEnv) || locality.publicUrl) return [];
  const why = locality.auth.mode === 'oidc' ? "auth.mode is 'oidc': real users sign in" : 'NODE_ENV is production';
  return [{ path: 'publicUrl', message: `required in production mode (${why}): the server's public base URL, e.g. "https://idcr.example.nhs.uk", so links never come from a request's Host header (or set OPENIDCR_PUBLIC_URL)` }];
}

/** Checks a locality configuration; every issue names its field. */
export function parseLocality(input: unknown): { ok: true; locality: Locality } | { ok: false; issues: LocalityIssue[] } {
  const parsed = LocalitySchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message })) };
  const roles = parsed.data.roles ?? DEFAULT_ROLES.map((role) => ({ ...role }));
  const locality: Locality = { ...parsed.data, roles };
  // The organisation's activation fills in the ISA party's when the agreement leaves it out.
  const activationOf = new Map(locality.organisations.filter((o) => o.activation).map((o) => [o.ods, o.activation!]));
  locality.isa = {
    ...locality.isa,
    parties: locality.isa.parties.map((party) => (party.activation || !activationOf.has(party.ods) ? party : { ...party, activation: activationOf.get(party.ods) })),
  };
  const issues = crossCheck(locality);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, locality };
}

/**
 * Defines a locality: organisations, roles, consent model, ISA, sign-in, HL7 channels, topology, storage and ports.
 * Throws a `LocalityConfigError` listing every bad field (`organisations[2].ods: ODS code: ...`).
 */
export function defineLocality(input: LocalityInput): Locality {
  const result = parseLocality(input);
  if (!result.ok) throw new LocalityConfigError(result.issues);
  return result.locality;
}

/** The organisation with this ODS code, or undefined. */
export function organisationOf(locality: Pick<Locality, 'organisations'>, ods: string): Organisation | undefined {
  return locality.organisations.find((org) => org.ods === ods);
}
