import express, { type Router } from 'express';
import { publicOrigin } from '../http/public-origin.js';
import { DEV_ISSUER_SUPPORTS } from './dev-issuer.js';

/** What `/.well-known/smart-configuration` advertises. */
export interface SmartConfigurationOptions {
  /**
   * Who authorizes: the built-in development issuer (`dev-issuer`: everything listed below) or the locality's own
   * OpenID Connect provider (`oidc`, the default: only what any such provider does, public clients with PKCE and
   * OpenID Connect sign-in; a provider that does more says so in its own discovery document).
   */
  server?: 'dev-issuer' | 'oidc' | undefined;
  /** The OpenID Connect issuer (a URL whose `/.well-known/openid-configuration` exists). */
  issuer: string;
  jwksUri?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
}

/**
 * SMART App Launch 2.x discovery. With the development issuer, what is supported: EHR launch (`launch`, the patient
 * in context, launched by FHIR id or NHS number) and standalone launch of a demo user (`login_hint`); public clients
 * with PKCE S256 and `aud` required; SMART v1 and v2 scopes, downscoped to read (the record is read-only) and to
 * patient/ scopes for citizens; OpenID Connect (`openid`, `fhirUser`, ES256 id tokens); refresh tokens
 * (`offline_access`, `online_access`, rotated on use); SMART Backend Services (`client_credentials` with a
 * `private_key_jwt` assertion, RS384/ES384/RS256/ES256, for the clients in `auth.clients`).
 * What is not: patient or encounter pickers (`launch/patient`), confidential symmetric clients, `authorize-post`,
 * token introspection and revocation, write scopes, scopes with search parameters, context beyond the patient.
 */
export function smartConfiguration(options: SmartConfigurationOptions): Record<string, unknown> {
  const dev = options.server === 'dev-issuer';
  return {
    issuer: options.issuer,
    ...(options.jwksUri ? { jwks_uri: options.jwksUri } : {}),
    ...(options.authorizationEndpoint ? { authorization_endpoint: options.authorizationEndpoint } : {}),
    ...(options.tokenEndpoint ? { token_endpoint: options.tokenEndpoint } : {}),
    grant_types_supported: dev ? DEV_ISSUER_SUPPORTS.grantTypes : ['authorization_code'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: dev ? DEV_ISSUER_SUPPORTS.tokenEndpointAuthMethods : ['none'],
    ...(dev ? { token_endpoint_auth_signing_alg_values_supported: DEV_ISSUER_SUPPORTS.tokenEndpointAuthSigningAlgs } : {}),
    scopes_supported: dev ? DEV_ISSUER_SUPPORTS.scopes : ['openid', 'fhirUser', 'patient/*.read', 'user/*.read'],
    code_challenge_methods_supported: ['S256'],
    capabilities: dev
      ? [
          'launch-ehr',
          'launch-standalone',
          'client-public',
          'client-confidential-asymmetric',
          'context-ehr-patient',
          'sso-openid-connect',
          'permission-patient',
          'permission-user',
          'permission-offline',
          'permission-online',
          'permission-v1',
          'permission-v2',
        ]
      : ['launch-standalone', 'client-public', 'sso-openid-connect', 'permission-patient', 'permission-user', 'permission-v1'],
  };
}

/**
 * `GET /.well-known/smart-configuration` and `GET /fhir/.well-known/smart-configuration` (SMART discovery is relative
 * to the FHIR base). `baseUrl(req)` gives the server's own origin for relative endpoints.
 */
export function smartRouter(config: (origin: string) => SmartConfigurationOptions, publicUrl: string | undefined): Router {
  const router = express.Router();
  const handler: express.RequestHandler = (req, res) => {
    const origin = publicOrigin(req, publicUrl);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(smartConfiguration(config(origin.replace(/\/+$/, ''))));
  };
  router.get('/.well-known/smart-configuration', handler);
  router.get('/fhir/.well-known/smart-configuration', handler);
  return router;
}
