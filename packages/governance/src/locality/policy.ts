import type { HeadingId, PurposeOfUseCode } from '@openidcr/model';
import { headingIds } from '@openidcr/model';
import { IsaSchema, type Isa, type IsaParty, type IsaPurpose } from '../isa/schema.js';
import { DEFAULT_ROLES, parseRoles, zodIssues, type ConfigIssue, type OrganisationKind, type RoleDefinition } from '../roles/roles.js';
import { createConsentModel, type ConsentModel, type ConsentParty } from '../consent/models.js';
import type { LocalityPolicy, Reason, SourcePermission } from '../decision/types.js';

/**
 * Build a locality's policy from its ISA (parsed with zod) and, optionally, its own roles and consent model.
 * Roles default to `DEFAULT_ROLES`; the consent model defaults to the one the ISA names.
 */
export function createLocalityPolicy(input: { isa: unknown; roles?: unknown; consentModel?: ConsentModel }):
  | { ok: true; policy: LocalityPolicy }
  | { ok: false; issues: ConfigIssue[] } {
  const isa = IsaSchema.safeParse(input.isa);
  const roles = input.roles === undefined ? ({ ok: true, roles: [...DEFAULT_ROLES] } as const) : parseRoles(input.roles);
  const issues = [...(isa.success ? [] : zodIssues(isa.error, 'isa')), ...(roles.ok ? [] : roles.issues)];
  if (!isa.success || !roles.ok) return { ok: false, issues };
  return { ok: true, policy: { isa: isa.data, roles: roles.roles, consentModel: input.consentModel ?? createConsentModel(isa.data.consentModel) } };
}

export interface CompiledParty {
  party: IsaParty;
  active: boolean;
  consentParty: ConsentParty;
}

interface CompiledRule {
  headings: readonly HeadingId[];
  to: ReadonlyArray<{ kinds: ReadonlySet<string>; roles: ReadonlySet<string> | undefined }>;
  purposes: ReadonlySet<string>;
}

/** The ISA and roles indexed for fast decisions. Cached per policy object, so a policy must not be mutated. */
export interface CompiledPolicy {
  roles: ReadonlyMap<string, RoleDefinition>;
  parties: ReadonlyMap<string, CompiledParty>;
  partyList: readonly CompiledParty[];
  isaInForce: (now: number) => boolean;
  purposeFor: (purposeOfUse: PurposeOfUseCode) => IsaPurpose | undefined;
  /** Headings `source` shares with a viewer of this organisation kind and role, for this ISA purpose, in registry order. */
  sharedHeadings: (source: string, viewerKind: OrganisationKind, roleId: string, purposeId: string) => readonly HeadingId[];
  policyRef: string;
  /** Per-source permissions before consent, for one viewer organisation, role and purpose (memoised, frozen). */
  view: (viewer: { ods: string; kind: OrganisationKind }, role: RoleDefinition, purpose: IsaPurpose) => ViewTemplate;
}

/** What a viewer may see from each source before the person's consent is applied. */
export interface ViewTemplate {
  sources: readonly SourcePermission[];
  /** Index into `sources` of those the consent model may still deny (other organisations, permitted so far). */
  consentChecked: readonly number[];
  visibleHeadings: readonly HeadingId[];
  anyDenied: boolean;
}

const cache = new WeakMap<LocalityPolicy, CompiledPolicy>();
const DAY = 86_400_000;

/** Index a policy (memoised on the policy object). */
export function compilePolicy(policy: LocalityPolicy): CompiledPolicy {
  const hit = cache.get(policy);
  if (hit) return hit;
  const compiled = compile(policy.isa, policy.roles);
  cache.set(policy, compiled);
  return compiled;
}

function compile(isa: Isa, roles: readonly RoleDefinition[]): CompiledPolicy {
  const parties = new Map<string, CompiledParty>();
  for (const party of isa.parties) {
    if (parties.has(party.ods)) continue;
    parties.set(party.ods, {
      party,
      active: party.status === 'active',
      consentParty: { ods: party.ods, name: party.name, kind: party.kind, activatedAt: party.activation ? Date.parse(party.activation.at) : undefined },
    });
  }
  const legalBasisIds = new Set(isa.legalBases.map((b) => b.id));
  const rulesBySource = new Map<string, CompiledRule[]>();
  for (const rule of isa.sharing) {
    if (!rule.legalBases.some((id) => legalBasisIds.has(id))) continue; // no legal basis: never enforced as a permission
    const compiledRule: CompiledRule = {
      headings: rule.headings,
      to: rule.to.map((r) => ({ kinds: new Set(r.organisationKinds), roles: r.roles ? new Set(r.roles) : undefined })),
      purposes: new Set(rule.purposes),
    };
    for (const source of rule.from) {
      const list = rulesBySource.get(source) ?? [];
      list.push(compiledRule);
      rulesBySource.set(source, list);
    }
  }
  const validFrom = Date.parse(isa.validFrom);
  const validTo = isa.validTo ? Date.parse(isa.validTo) + DAY : Infinity;
  const purposeByCode = new Map<string, IsaPurpose>();
  for (const purpose of isa.purposes) for (const code of purpose.purposesOfUse) if (!purposeByCode.has(code)) purposeByCode.set(code, purpose);
  const headingMemo = new Map<string, readonly HeadingId[]>();
  // role id → purpose id → viewer ODS → viewer kind → view; nested so no key string is built per decision.
  const viewMemo = new Map<string, Map<string, Map<string, Map<string, ViewTemplate>>>>();

  const compiled: CompiledPolicy = {
    roles: new Map(roles.map((r) => [r.id, r])),
    parties,
    partyList: [...parties.values()],
    isaInForce: (now) => isa.status === 'active' && validFrom <= now && now < validTo,
    purposeFor: (code) => purposeByCode.get(code),
    sharedHeadings(source, viewerKind, roleId, purposeId) {
      const key = `${source}|${viewerKind}|${roleId}|${purposeId}`;
      const memo = headingMemo.get(key);
      if (memo) return memo;
      const found = new Set<HeadingId>();
      for (const rule of rulesBySource.get(source) ?? []) {
        if (!rule.purposes.has(purposeId)) continue;
        if (!rule.to.some((r) => r.kinds.has(viewerKind) && (r.roles === undefined || r.roles.has(roleId)))) continue;
        for (const heading of rule.headings) found.add(heading);
      }
      const ordered = headingIds().filter((h) => found.has(h));
      headingMemo.set(key, ordered);
      return ordered;
    },
    policyRef: `${isa.id}|${isa.version}`,
    view(viewer, role, purpose) {
      let byPurpose = viewMemo.get(role.id);
      if (!byPurpose) viewMemo.set(role.id, (byPurpose = new Map()));
      let byOds = byPurpose.get(purpose.id);
      if (!byOds) byPurpose.set(purpose.id, (byOds = new Map()));
      let byKind = byOds.get(viewer.ods);
      if (!byKind) byOds.set(viewer.ods, (byKind = new Map()));
      let template = byKind.get(viewer.kind);
      if (!template) byKind.set(viewer.kind, (template = buildView(compiled, parties, viewer, role, purpose)));
      return template;
    },
  };
  return compiled;
}

function freeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object' && !Object.isFrozen(inner)) freeze(inner as object);
  return Object.freeze(value);
}

function buildView(
  compiled: CompiledPolicy,
  parties: ReadonlyMap<string, CompiledParty>,
  viewer: { ods: string; kind: OrganisationKind },
  role: RoleDefinition,
  purpose: IsaPurpose,
): ViewTemplate {
  const roleHeadings = new Set(role.headings);
  const viewerName = parties.get(viewer.ods)?.party.name ?? viewer.ods;
  const sources: SourcePermission[] = [];
  const consentChecked: number[] = [];
  const visible = new Set<HeadingId>();
  let anyDenied = false;
  for (const source of parties.values()) {
    const { ods, name, status } = source.party;
    const deny = (reason: Reason): void => {
      anyDenied = true;
      sources.push({ ods, name, effect: 'deny', headings: [], reasons: [reason] });
    };
    if (ods === viewer.ods) {
      const headings = headingIds().filter((h) => roleHeadings.has(h));
      for (const h of headings) visible.add(h);
      sources.push({ ods, name, effect: 'permit', headings, reasons: [{ code: 'own-organisation', text: 'Your own organisation\'s records.', organisation: ods }] });
      continue;
    }
    if (!source.active) {
      deny({ code: 'source-party-not-active', text: `${name} is ${status} under the agreement, so its data is not shown.`, organisation: ods });
      continue;
    }
    const headings = compiled.sharedHeadings(ods, viewer.kind, role.id, purpose.id).filter((h) => roleHeadings.has(h));
    if (headings.length === 0) {
      deny({ code: 'isa-no-sharing-rule', text: `The agreement does not let ${name} share any heading your role may see with ${viewerName} for ${purpose.title.toLowerCase()}.`, organisation: ods });
      continue;
    }
    for (const h of headings) visible.add(h);
    consentChecked.push(sources.length);
    sources.push({ ods, name, effect: 'permit', headings, reasons: [{ code: 'shared-under-isa', text: `Shared by ${name} under the agreement.`, organisation: ods }] });
  }
  return freeze({ sources, consentChecked, visibleHeadings: headingIds().filter((h) => visible.has(h)), anyDenied });
}
