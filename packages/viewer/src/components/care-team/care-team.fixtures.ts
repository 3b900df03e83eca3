import { careTeam, practitioners } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const careTeamFixtures: Fixture<HeadingProps>[] = headingStateFixtures(
  'care team',
  [...careTeam, ...practitioners],
  ['GP practice (1)', 'Riverside Medical Practice', 'Health services (1)', 'District nursing team', 'Grace Okafor', 'District nurse', 'Social care (1)', 'Adult social care: home care package', 'Sam Taylor (social worker)', 'Ridgeway City Council Adult Social Care'],
  ['GP practice (1)', 'No social care involvement has been shared with this record.'],
);
