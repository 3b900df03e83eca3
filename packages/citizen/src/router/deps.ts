import type { AuditStore, ConsentModel, Isa, RoleDefinition } from '@openidcr/governance';
import type { Request } from 'express';
import type { CitizenRecordSource } from '../records/records.js';
import type { ProxyRulesInput } from '../proxy/proxy.js';

/**
 * Who is calling, as the locality's authentication says. A citizen is known by their NHS number (the bearer token's
 * subject, e.g. NHS login); `actingFor` is the NHS number of the person they ask to act for (a parent's child, the
 * person they care for), a claim the router checks against recorded authorities and never trusts. Staff (the
 * contact centre) are known by their user id, role and organisation.
 */
export type CitizenPrincipal =
  | { kind: 'citizen'; nhsNumber: string; name: string; actingFor?: string | undefined }
  | { kind: 'staff'; userId: string; name: string; roleId: string; organisation: { ods: string; kind: string } };

export type AuthenticateResult = { ok: true; principal: CitizenPrincipal } | { ok: false; message: string };

/** Verifies the request's credentials (a bearer JWT in production) and says who is calling. */
export type Authenticate = (req: Request) => AuthenticateResult | Promise<AuthenticateResult>;

/** Everything `citizenRouter` needs, passed in: no module-level state. */
export interface CitizenDeps {
  authenticate: Authenticate;
  records: CitizenRecordSource;
  /** The locality's one hash-chained audit log (governance's `AuditStore`): read for the access log, appended to. */
  audit: AuditStore;
  isa: Isa;
  /** Default: the built-in model the ISA names (`createConsentModel(isa.consentModel)`). */
  consentModel?: ConsentModel;
  /** Role titles for the access log (default governance's `DEFAULT_ROLES`). */
  roles?: readonly RoleDefinition[];
  /** Default: governance-style `DEFAULT_PROXY_RULES`. */
  proxyRules?: ProxyRulesInput;
  accessLog?: {
    /** Show professionals' names in the access log (default false: organisation and role only). */
    nameProfessionals?: boolean;
    /** Entries per page when the request does not say (default 50, at most 200). */
    pageSize?: number;
  };
  /** Staff roles that may record a choice for a caller (default `contact-centre` and `administrator`). */
  contactCentreRoles?: readonly string[];
  /** Where people make their choices online, quoted in the notice. */
  preferencesUrl?: string;
  clock?: () => Date;
  /** Random bytes for receipt numbers and ids (default node:crypto). */
  randomBytes?: (size: number) => Uint8Array;
  /** Binds access-log cursors to their listing (default: random per router). */
  cursorSecret?: string;
}
