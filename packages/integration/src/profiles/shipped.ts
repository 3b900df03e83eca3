import { sourceProfile, type SourceProfile } from './profile.js';

/**
 * Profiles for the usual senders of a locality. They are starting points: copy one, set the ODS code and adjust
 * what differs (see the README, "Writing a source profile").
 */
export const ShippedProfiles = {
  /** A GP clinical system (EMIS, TPP SystmOne, Vision) sending ADT A28/A31, PPR problems, VXU and medication. */
  gp: sourceProfile({
    id: 'gp',
    name: 'GP practice clinical system',
    kind: 'gp',
    codeSystems: { EMIS: 'https://fhir.hl7.org.uk/CodeSystem/emis-local' },
  }),
  /** An acute trust patient administration system (PAS) with its hospital number (MRN) in PID-3. */
  'acute-pas': sourceProfile({
    id: 'acute-pas',
    name: 'Acute trust PAS / EPR',
    kind: 'acute',
    identifiers: { nhsNumberAuthorities: ['NHS', 'NHSNMBR', 'NHS NUMBER'], nhsNumberTypes: ['NH', 'NHS'] },
  }),
  /** A mental health trust EPR: every item it shares is mental health information (label MH). */
  'mental-health': sourceProfile({
    id: 'mental-health',
    name: 'Mental health trust EPR',
    kind: 'mental-health',
    sensitivity: ['MH'],
  }),
  /** A laboratory information management system (WinPath, TelePath, Apex) sending ORU^R01. */
  lims: sourceProfile({
    id: 'lims',
    name: 'Pathology LIMS',
    kind: 'lims',
    codeSystems: { WINPATH: 'https://fhir.hl7.org.uk/CodeSystem/winpath-local', NPEX: 'https://fhir.hl7.org.uk/CodeSystem/npex' },
  }),
  /** A council social care case management system (Mosaic, Liquidlogic, SystmOne SC): visits are involvements. */
  'social-care': sourceProfile({
    id: 'social-care',
    name: 'Council social care system',
    kind: 'social-care',
    quirks: { visitsAreEpisodes: true },
  }),
  /** Anything else: ODS code from MSH-4, defaults everywhere. Used when no channel is named. */
  generic: sourceProfile({ id: 'generic', name: 'Generic HL7 v2 sender', kind: 'other' }),
} as const satisfies Record<string, SourceProfile>;

export type ShippedProfileId = keyof typeof ShippedProfiles;

export function isShippedProfileId(id: string): id is ShippedProfileId {
  return Object.hasOwn(ShippedProfiles, id);
}
