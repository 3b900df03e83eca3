import type { Bundle } from '@openidcr/model';
import { EXAMPLE_ORGANISATIONS } from '@openidcr/governance';
import { generateLocality, generatePatients, toFhirBundle } from '@openidcr/synthetic';
import { toRecordHeadings, type MyRecordSummary } from '../../record/summary.js';
import { childRecord } from '../../test-support/router.fixtures.js';

const locality = generateLocality({ seed: 3 });
// The fullest record of the first twenty synthetic people, so every kind of entry is drawn.
const rich = [...generatePatients({ seed: 3, patients: 20 }, locality)].sort((a, b) => b.resources.length - a.resources.length)[0];
const richName = (rich!.patient.name as Array<{ given?: string[]; family?: string }> | undefined)?.[0];
const child = childRecord('person-child', '9990001232', '2020-04-02');
const organisationName = (ods: string) => locality.organisations.find((o) => o.ods === ods)?.name;

/** Named states of `<idcr-my-record>`, from the synthetic population and a hand-made child's record. */
export const myRecordFixtures = {
  fullRecord: {
    summary: {
      person: { name: [...(richName?.given ?? []), richName?.family ?? ''].join(' '), nhsNumber: rich!.nhsNumber, birthDate: String(rich!.patient.birthDate ?? '') },
      headings: toRecordHeadings(rich!.resources, { organisationName }),
      withheld: { count: 2, reason: '2 entries are not shown online. Ask the organisation that recorded them if you would like to know more.' },
    } satisfies MyRecordSummary,
  },
  fromBundle: { bundle: toFhirBundle(rich!, 'collection') as unknown as Bundle },
  proxyView: {
    summary: {
      person: { name: 'Lily Barnes', nhsNumber: '9990001232', birthDate: '2020-04-02' },
      actingFor: { proxyName: 'Sarah Barnes', relationship: 'parent or guardian' },
      headings: toRecordHeadings(child.filter((r) => !r.meta?.security), { organisationName: (ods) => EXAMPLE_ORGANISATIONS.find((o) => o.ods === ods)?.name }),
      withheld: { count: 1, reason: '1 entry is not shown to someone acting for this person, because it is sensitive. The person can see it themselves.' },
    } satisfies MyRecordSummary,
  },
  emptyRecord: {
    summary: { person: { name: 'New Person', nhsNumber: '9434765919' }, headings: toRecordHeadings([]), withheld: undefined } satisfies MyRecordSummary,
  },
  loading: { status: 'loading' as const },
  error: { status: 'error' as const, errorMessage: 'The service did not answer.' },
};
