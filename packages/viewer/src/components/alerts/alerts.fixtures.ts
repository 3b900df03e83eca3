import { alerts } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const alertsFixtures: Fixture<HeadingProps>[] = headingStateFixtures(
  'alerts',
  alerts,
  ['Alert', 'Lives alone: needs a key safe code to enter the house', 'Since 01-Jun-2025', "Raised by St Luke's Hospital NHS Trust"],
  ['No active alerts.'],
);
