import { createConsentModel, exampleIsa, IsaSchema, type IsaInput } from '@openidcr/governance';
import { noticeFromIsa } from '../../notice/notice.js';

const explicitIsa = IsaSchema.parse({ ...(structuredClone(exampleIsa) as IsaInput), consentModel: { kind: 'explicit-share' } });

/** Named states of `<idcr-fair-processing-notice>`, generated from real agreements (not hand-written). */
export const fairProcessingNoticeFixtures = {
  impliedOptOut: { notice: noticeFromIsa(exampleIsa, { consentModel: createConsentModel(exampleIsa.consentModel), preferencesUrl: 'https://northshire.example/care-record/choices' }) },
  explicitShare: { notice: noticeFromIsa(explicitIsa, { consentModel: createConsentModel(explicitIsa.consentModel) }) },
  loading: { status: 'loading' as const },
  error: { status: 'error' as const, errorMessage: 'The service did not answer.' },
};
