import { isOdsCodeShape, ODS_CODE_SYSTEM } from '@openidcr/model';

/** The extension OpenIDCR also reads for an item's source organisation, with `valueIdentifier` (ODS system). */
export const SOURCE_ORGANISATION_EXTENSION = 'https://openidcr.org/StructureDefinition/source-organisation';

const SOURCE_PREFIX = `${ODS_CODE_SYSTEM}|`;
const URN_PREFIX = 'urn:ods:';

interface SourceCarrier {
  meta?: { source?: string | undefined } | undefined;
  extension?: unknown;
}

/**
 * The ODS code of the organisation that recorded an item (its data controller), or undefined when it cannot be told.
 *
 * Convention: `meta.source` is `urn:ods:<ODS>` (what @openidcr/integration writes: a URI, as meta.source must be) or
 * `urn:ods:<ODS>:<system>` (what @openidcr/synthetic writes), `https://fhir.nhs.uk/Id/ods-organization-code|<ODS>`
 * (written by earlier versions, and by `sourceOfOrganisation`), or a
 * bare ODS code. The code must have the ODS shape (upper case). Failing that, the extension `SOURCE_ORGANISATION_EXTENSION` with `valueIdentifier` `{ system: ODS, value }` is read.
 * Items whose source cannot be told are withheld by `filterRecord`.
 */
export function sourceOrganisationOf(resource: SourceCarrier): string | undefined {
  const source = resource.meta?.source;
  if (typeof source === 'string') {
    if (source.startsWith(SOURCE_PREFIX)) {
      const code = source.slice(SOURCE_PREFIX.length);
      if (isOdsCodeShape(code)) return code;
    } else if (source.startsWith(URN_PREFIX)) {
      const end = source.indexOf(':', URN_PREFIX.length);
      const code = end < 0 ? source.slice(URN_PREFIX.length) : source.slice(URN_PREFIX.length, end);
      if (isOdsCodeShape(code)) return code;
    } else if (isOdsCodeShape(source)) {
      return source;
    }
  }
  const extensions = resource.extension;
  if (Array.isArray(extensions)) {
    for (const extension of extensions as Array<{ url?: unknown; valueIdentifier?: { system?: unknown; value?: unknown } }>) {
      if (extension?.url !== SOURCE_ORGANISATION_EXTENSION) continue;
      const identifier = extension.valueIdentifier;
      if (identifier?.system === ODS_CODE_SYSTEM && typeof identifier.value === 'string' && isOdsCodeShape(identifier.value)) return identifier.value;
    }
  }
  return undefined;
}

/** The `meta.source` value for an organisation, in the preferred form. */
export function sourceOfOrganisation(ods: string): string {
  return `${SOURCE_PREFIX}${ods}`;
}
