/**
 * The ODS code of the organisation an item came from, read from `meta.source` in the forms OpenIDCR meets:
 * `https://fhir.nhs.uk/Id/ods-organization-code|<ODS>` (governance's convention), `urn:ods:<ODS>:<system>` (the
 * synthetic feeds) or a bare ODS code. Browser-safe: no governance import.
 */
export function odsOfSource(source: unknown): string | undefined {
  if (typeof source !== 'string') return undefined;
  const ods = /^[A-Z0-9]{3,6}$/;
  const piped = source.split('|');
  if (piped.length === 2 && piped[0] === 'https://fhir.nhs.uk/Id/ods-organization-code' && ods.test(piped[1] ?? '')) return piped[1];
  const urn = /^urn:ods:([A-Za-z0-9]{3,6})(?::|$)/.exec(source);
  if (urn?.[1] && ods.test(urn[1].toUpperCase())) return urn[1].toUpperCase();
  return ods.test(source) ? source : undefined;
}
