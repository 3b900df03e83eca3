import express, { type Router } from 'express';
import { publicOrigin } from '../http/public-origin.js';

/** What `/.well-known/smart-configuration` advertises. */
export interface SmartConfigurationOptions {
  issuer: string;
  jwksUri?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
}

/**
 * SMART App Launch 2.0 discovery. What is supported: EHR launch (`launch` → patient in context), standalone launch of
 * a user (`login_hint`, development issuer only), public clients with PKCE S256, `patient/*.read` and `user/*.read`.
 * What is not: refresh tokens, confidential-client authentication, `launch/patient` patient pickers, token
 * introspection and revocation, write scopes (the record is read-only).
 */
export function smartConfiguration(options: SmartConfigurationOptions): Record<string, unknown> {
  return {
    issuer: options.issuer,
    ...(options.jwksUri ? { jwks_uri: options.jwksUri } : {}),
    ...(options.authorizationEndpoint ? { authorization_endpoint: options.authorizationEndpoint } : {}),
    ...(options.tokenEndpoint ? { token_endpoint: options.tokenEndpoint } : {}),
    grant_types_supported: ['authorization_code'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['openid', 'fhirUser', 'launch', 'patient/*.read', 'user/*.read'],
    code_challenge_methods_supported: ['S256'],
    capabilities: ['launch-ehr', 'launch-standalone', 'client-public', 'context-ehr-patient', 'permission-patient', 'permission-user', 'sso-openid-connect'],
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
