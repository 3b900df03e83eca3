import type { Idcr } from './create-idcr.js';

/**
 * The running configuration of an assembled app, as the requirements package's conformance report reads it: the
 * locality (with the consent model actually in force in `isa.consentModel`) and `provides`, what the app offers
 * (e.g. consent capture). A check against it fails when the app lacks what the configuration promises.
 */
export function runningConfiguration(idcr: Pick<Idcr, 'locality' | 'provides'>): Record<string, unknown> {
  const { locality } = idcr;
  const consentModel = locality.consentModel ?? locality.isa.consentModel;
  return { ...locality, auth: { mode: locality.auth.mode }, isa: { ...locality.isa, consentModel }, provides: idcr.provides };
}
