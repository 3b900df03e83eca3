import type { Request } from 'express';
import { HttpProblem } from './outcome.js';

/** A plain host name or IPv4 address (letters, digits, `-`, `_`, dots), or a bracketed IPv6 address; then an optional port. */
const PLAIN_HOST = /^(?:(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?$/;

/** A header value as it may be shown back in a diagnostic: quoted, and cut short. */
const shown = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

/**
 * The origin every absolute URL the server writes starts with (FHIR `fullUrl`s, `next` links, the CapabilityStatement's
 * base, SMART discovery's endpoints): `scheme://host[:port]`, or the locality's `publicUrl` (which may carry a path).
 *
 * With `publicUrl` set it is always used, whatever the request says. Without it the request decides, and only as far
 * as it can be trusted: `req.protocol` and `req.host` honour `X-Forwarded-Proto` and `X-Forwarded-Host` only when
 * express's `trust proxy` (the locality's `trustProxy`) trusts the connection's peer, so a client talking to the
 * server directly cannot change the scheme or host of the links it is given. A Host (or trusted forwarded host) that
 * is not a plain `host[:port]` — a path, a space, userinfo (`@`), a second host — is refused with a 400 naming the
 * header, never written into a link; so is a forwarded scheme other than http or https.
 */
export function publicOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  // Which header the host came from, to name it when it is refused: express takes X-Forwarded-Host from a trusted peer.
  const trusted = (req.app.get('trust proxy fn') as (address: string | undefined, hop: number) => boolean)(req.socket.remoteAddress, 0);
  const header = trusted && req.get('X-Forwarded-Host') ? 'X-Forwarded-Host' : 'Host';
  const host = req.host;
  if (host === undefined || host === '') throw new HttpProblem(400, 'invalid', `${header}: required to build this server's links (or set the locality's publicUrl)`, { expression: header });
  const plain = PLAIN_HOST.exec(host);
  if (!plain || host.length > 260 || (plain[1] !== undefined && Number(plain[1]) > 65_535))
    throw new HttpProblem(400, 'invalid', `${header}: ${shown(host)} is not a host name with an optional port (host[:port]); this server's links are built from it`, { expression: header });
  const protocol = req.protocol.toLowerCase();
  if (protocol !== 'http' && protocol !== 'https')
    throw new HttpProblem(400, 'invalid', `X-Forwarded-Proto: ${shown(req.protocol)} is not http or https`, { expression: 'X-Forwarded-Proto' });
  return `${protocol}://${host.toLowerCase()}`;
}
