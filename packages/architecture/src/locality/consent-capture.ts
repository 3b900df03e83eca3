import { z } from 'zod';

/**
 * Consent capture in a locality's configuration. Present: the FHIR API records share-in / share-out (per organisation
 * and per item), objections and consent to view at the point of care, and takes FHIR `Consent` from source systems.
 * Absent: none of those routes exist, and a locality whose consent model needs explicit consents cannot record them
 * (the conformance report says so).
 */
export const ConsentCaptureSchema = z.strictObject({
  /** How long a consent-to-view answer lasts at most, in minutes (one episode of care). */
  consentToViewMinutes: z.number().int().min(5).max(24 * 60).default(240).describe('How long a consent-to-view answer recorded at the point of care lasts at most, in minutes (one episode of care).'),
  /** Accept `POST /fhir/Consent` from source systems (tokens with scope `system/Consent.write`). */
  fhirConsent: z.boolean().default(true).describe('Accept FHIR Consent from source systems on POST /fhir/Consent (tokens with scope system/Consent.write).'),
}).describe('Consent capture: the FHIR API routes that record share-in / share-out (per organisation and per item), objections and consent to view at the point of care. Absent: none of them exist, and the conformance report shows the explicit and consent-to-view models as gaps.');
export type ConsentCaptureConfig = z.output<typeof ConsentCaptureSchema>;
