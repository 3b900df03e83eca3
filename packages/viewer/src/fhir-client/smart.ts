import * as z from 'zod/mini';
import { FhirClient } from './client.js';
import { describeProblem } from './envelope.js';

/**
 * SMART App Launch (v2) for an EHR launch: discovery through `{iss}/.well-known/smart-configuration`, then the
 * authorization-code flow with PKCE (S256). Errors are values naming what was wrong.
 */

export const SmartConfiguration = z.looseObject({
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  code_challenge_methods_supported: z.optional(z.array(z.string())),
  capabilities: z.optional(z.array(z.string())),
});
export type SmartConfiguration = z.infer<typeof SmartConfiguration>;

export const TokenResponse = z.looseObject({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.optional(z.number()),
  scope: z.optional(z.string()),
  patient: z.optional(z.string()),
  id_token: z.optional(z.string()),
  refresh_token: z.optional(z.string()),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export type SmartErrorCode = 'invalid-input' | 'discovery-failed' | 'pkce-unsupported' | 'state-mismatch' | 'authorization-denied' | 'token-failed';
export interface SmartError {
  code: SmartErrorCode;
  message: string;
}
export type SmartResult<T> = { ok: true; value: T } | { ok: false; error: SmartError };
const err = (code: SmartErrorCode, message: string): { ok: false; error: SmartError } => ({ ok: false, error: { code, message } });

/** Base64url without padding (RFC 4648 §5), as PKCE needs. */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A random string of 43 unreserved characters (32 random bytes). */
export function randomToken(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)) (RFC 7636). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export interface AuthorizeUrlInput {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  /** The FHIR server the token is for (`aud`), which is the launch's `iss`. */
  aud: string;
  scope: string;
  state: string;
  codeChallenge: string;
  /** The EHR's launch context, for an EHR launch. */
  launch?: string;
}

/** The authorization request URL of SMART App Launch with PKCE. */
export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  const url = new URL(input.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', input.scope);
  url.searchParams.set('state', input.state);
  url.searchParams.set('aud', input.aud);
  if (input.launch) url.searchParams.set('launch', input.launch);
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** Reads `{iss}/.well-known/smart-configuration`. */
export async function discoverSmartConfiguration(iss: string, fetchFn: typeof fetch = fetch): Promise<SmartResult<SmartConfiguration>> {
  const url = `${iss.replace(/\/+$/, '')}/.well-known/smart-configuration`;
  try {
    const response = await fetchFn(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) return err('discovery-failed', `${url}: HTTP ${response.status}`);
    const parsed = z.safeParse(SmartConfiguration, await response.json());
    if (!parsed.success) return err('discovery-failed', `smart-configuration.${describeProblem(parsed.error)}`);
    const methods = parsed.data.code_challenge_methods_supported;
    if (methods && !methods.includes('S256')) return err('pkce-unsupported', 'smart-configuration.code_challenge_methods_supported: S256 is not offered');
    return { ok: true, value: parsed.data };
  } catch {
    return err('discovery-failed', `${url}: could not be reached`);
  }
}

/** Where a launch in progress keeps its verifier between the redirect out and the redirect back. */
export interface LaunchStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PendingLaunch = z.object({ iss: z.string(), tokenEndpoint: z.string(), verifier: z.string(), clientId: z.string(), redirectUri: z.string() });
const storageKey = (state: string) => `openidcr.smart.${state}`;

export interface SmartLaunchInput {
  iss: string;
  launch?: string;
  clientId: string;
  redirectUri: string;
  /** Default: `launch openid fhirUser patient/*.read`; standalone: `launch/patient openid fhirUser patient/*.read user/*.read`. */
  scope?: string;
  fetch?: typeof fetch;
  storage?: LaunchStorage;
  /** Called with the authorize URL; default `location.assign`. Pass a no-op to only build the URL. */
  navigate?: (url: string) => void;
}

/** Starts a SMART launch: discovery, PKCE and state, then sends the browser to the authorization server. */
export async function smartLaunch(input: SmartLaunchInput): Promise<SmartResult<{ authorizeUrl: string; state: string }>> {
  if (!/^https?:\/\//.test(input.iss)) return err('invalid-input', `iss: "${input.iss}" is not an http(s) URL`);
  if (!input.clientId) return err('invalid-input', 'clientId: is required');
  if (!/^https?:\/\//.test(input.redirectUri)) return err('invalid-input', `redirectUri: "${input.redirectUri}" is not an http(s) URL`);
  const config = await discoverSmartConfiguration(input.iss, input.fetch);
  if (!config.ok) return config;
  const verifier = randomToken();
  const state = randomToken();
  // Standalone: patient/ scopes serve a citizen (or a server with a patient picker), user/ scopes a professional with
  // no patient in context; a server grants what fits the user and drops the rest (SMART downscoping).
  const scope = input.scope ?? (input.launch ? 'launch openid fhirUser patient/*.read' : 'launch/patient openid fhirUser patient/*.read user/*.read');
  const authorizeUrl = buildAuthorizeUrl({
    authorizationEndpoint: config.value.authorization_endpoint,
    clientId: input.clientId,
    redirectUri: input.redirectUri,
    aud: input.iss,
    scope,
    state,
    codeChallenge: await codeChallenge(verifier),
    ...(input.launch ? { launch: input.launch } : {}),
  });
  const storage = input.storage ?? globalThis.sessionStorage;
  storage.setItem(
    storageKey(state),
    JSON.stringify({ iss: input.iss, tokenEndpoint: config.value.token_endpoint, verifier, clientId: input.clientId, redirectUri: input.redirectUri }),
  );
  (input.navigate ?? ((url: string) => globalThis.location.assign(url)))(authorizeUrl);
  return { ok: true, value: { authorizeUrl, state } };
}

export interface SmartSession {
  token: TokenResponse;
  /** The patient in context, when the server sent one. */
  patientId: string | undefined;
  client: FhirClient;
}

/** Finishes a launch on the redirect page: checks `state`, swaps the code for a token with the PKCE verifier. */
export async function completeSmartLaunch(input: { url: string; fetch?: typeof fetch; storage?: LaunchStorage }): Promise<SmartResult<SmartSession>> {
  const url = new URL(input.url);
  const error = url.searchParams.get('error');
  if (error) return err('authorization-denied', `${error}: ${url.searchParams.get('error_description') ?? 'the authorization server refused'}`);
  const code = url.searchParams.get('code');
  const state = url.searchParams.get('state');
  if (!code || !state) return err('invalid-input', 'url: the redirect has no code or state');
  const storage = input.storage ?? globalThis.sessionStorage;
  const raw = storage.getItem(storageKey(state));
  const pending = raw ? z.safeParse(PendingLaunch, JSON.parse(raw)) : undefined;
  if (!pending?.success) return err('state-mismatch', 'state: no launch was started with this state');
  storage.removeItem(storageKey(state));
  const { iss, tokenEndpoint, verifier, clientId, redirectUri } = pending.data;
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier });
  const fetchFn = input.fetch ?? fetch;
  try {
    const response = await fetchFn(tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: body.toString(),
    });
    if (!response.ok) return err('token-failed', `token endpoint: HTTP ${response.status}`);
    const parsed = z.safeParse(TokenResponse, await response.json());
    if (!parsed.success) return err('token-failed', `token response.${describeProblem(parsed.error)}`);
    const token = parsed.data;
    return {
      ok: true,
      value: { token, patientId: token.patient, client: new FhirClient({ baseUrl: iss, token: token.access_token, fetch: fetchFn }) },
    };
  } catch {
    return err('token-failed', 'token endpoint: could not be reached');
  }
}
