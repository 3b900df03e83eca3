/**
 * SMART App Launch scopes: what a user asked for, and what the development issuer grants. The record is read-only and
 * a user flow never carries a system scope, so every request is downscoped rather than granted as asked:
 *
 * - `openid`, `fhirUser`: kept (OpenID Connect; `fhirUser` needs a FHIR URL for the user, see the issuer).
 * - `offline_access`, `online_access`: kept (a refresh token); when both are asked, `offline_access` only.
 * - `launch`: kept in an EHR launch (a launch id) only. `launch/patient`, `launch/encounter`: dropped (no picker).
 * - `patient/<Type|*>.<perms>`, `user/<Type|*>.<perms>`: SMART v1 (`read` kept, `write` dropped, `*` becomes `read`)
 *   and v2 (`cruds` letters in that order; only `r` and `s` kept, so `cruds` becomes `rs`). A citizen gets patient/
 *   scopes only; a professional's patient/ scopes need a patient in context (EHR launch). v2 scopes with search
 *   parameters (`?category=...`) are dropped: the record would not enforce the parameter, so granting it would widen.
 * - `system/...`: never through a user flow (SMART Backend Services, `client_credentials`, only).
 * - Anything else: dropped.
 */

/** Who the scopes are for, and what is in context. */
export interface ScopeRequestContext {
  citizen: boolean;
  /** An EHR launch (a launch id was given). */
  launch: boolean;
  /** A patient is in context (EHR launch with a patient). */
  patient: boolean;
}

export interface ScopeDecision {
  /** The granted scopes, in the order asked, each once. */
  granted: string[];
  /** What was not granted, and why (for logs and error descriptions). */
  dropped: Array<{ scope: string; why: string }>;
}

const RESOURCE_SCOPE = /^(patient|user)\/([A-Z][A-Za-z]{0,63}|\*)\.([A-Za-z*]+)(\?.*)?$/;
const V2_PERMISSIONS = /^c?r?u?d?s?$/;

/** One scope as granted (a string) or dropped (the reason). */
function downscopeOne(scope: string, context: ScopeRequestContext): string | { why: string } {
  switch (scope) {
    case 'openid':
    case 'fhirUser':
    case 'offline_access':
    case 'online_access':
      return scope;
    case 'launch':
      return context.launch ? scope : { why: 'launch needs a launch id (EHR launch)' };
    case 'launch/patient':
    case 'launch/encounter':
      return { why: 'no patient or encounter picker: launch from the EHR instead' };
  }
  if (scope.startsWith('system/')) return { why: 'system scopes are for backend services (client_credentials), never a user' };
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return { why: 'not a scope this server knows' };
  const [, level, type, permissions, query] = match as unknown as [string, 'patient' | 'user', string, string, string | undefined];
  if (level === 'user' && context.citizen) return { why: 'a citizen has patient/ scopes only' };
  if (level === 'patient' && !context.citizen && !context.patient) return { why: 'patient/ scopes need a patient in context (EHR launch)' };
  if (query !== undefined) return { why: 'scopes with search parameters are not supported' };
  if (permissions === 'read') return scope;
  if (permissions === '*') return `${level}/${type}.read`;
  if (permissions === 'write') return { why: 'the record is read-only' };
  if (permissions.length > 0 && V2_PERMISSIONS.test(permissions)) {
    const read = permissions.replace(/[cud]/g, '');
    return read.length > 0 ? `${level}/${type}.${read}` : { why: 'the record is read-only' };
  }
  return { why: 'not SMART v1 (read, write, *) or v2 (cruds) permissions' };
}

/** Downscopes a user's requested scopes (space-separated) to what may be granted. */
export function downscope(requested: string, context: ScopeRequestContext): ScopeDecision {
  const granted: string[] = [];
  const dropped: ScopeDecision['dropped'] = [];
  const asked = requested.split(/\s+/).filter((s) => s.length > 0);
  for (const scope of asked) {
    const result = downscopeOne(scope, context);
    if (typeof result !== 'string') dropped.push({ scope, why: result.why });
    else if (result === 'online_access' && asked.includes('offline_access')) dropped.push({ scope, why: 'offline_access granted instead' });
    else if (!granted.includes(result)) granted.push(result);
  }
  return { granted, dropped };
}

/** The scopes of `asked` a backend-services client may have: exactly those of its registered system scopes. */
export function grantSystemScopes(requested: string, registered: readonly string[]): ScopeDecision {
  const granted: string[] = [];
  const dropped: ScopeDecision['dropped'] = [];
  for (const scope of requested.split(/\s+/).filter((s) => s.length > 0)) {
    if (!registered.includes(scope)) dropped.push({ scope, why: scope.startsWith('system/') ? 'not registered for this client' : 'a backend-services client has system/ scopes only' });
    else if (!granted.includes(scope)) granted.push(scope);
  }
  return { granted, dropped };
}

/** A short description of what was dropped, for `error_description`. */
export function describeDropped(dropped: ScopeDecision['dropped']): string {
  return dropped.map((d) => `${d.scope} (${d.why})`).join('; ');
}
