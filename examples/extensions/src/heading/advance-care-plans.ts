import { conceptText, formatClinicalDate, resourcesOfHeading, sourceOf, type RecordContent } from '@openidcr/viewer';
import { registerHeading, type DocumentReference, type HeadingDefinition } from '@openidcr/model';

// #region register
declare module '@openidcr/model' {
  interface CustomHeadings {
    'advance-care-plans': true;
  }
}

/**
 * Advance care plans: ReSPECT forms (recommended summary plan for emergency care and treatment), advance decisions
 * to refuse treatment and end-of-life care plans. Sent as documents, so a source marks each one with
 * `headingTag('advance-care-plans')`; untagged documents stay under "Letters and discharge summaries".
 */
export const ADVANCE_CARE_PLANS: HeadingDefinition = {
  id: 'advance-care-plans',
  title: 'Advance care plans and ReSPECT',
  description: 'ReSPECT forms, advance decisions to refuse treatment and end-of-life care plans, with who agreed them and when.',
  resourceTypes: ['DocumentReference'],
  dateElement: 'date',
  columns: [
    { id: 'plan', title: 'Plan', path: 'DocumentReference.type' },
    { id: 'summary', title: 'Summary', path: 'DocumentReference.description' },
    { id: 'date', title: 'Agreed', path: 'DocumentReference.date' },
    { id: 'source', title: 'Source', path: 'DocumentReference.meta.source' },
  ],
};

/** Call once at start-up, before the store is opened and the policy built (a second call changes nothing). */
export function registerAdvanceCarePlans(): void {
  const result = registerHeading(ADVANCE_CARE_PLANS);
  if (!result.ok) throw new Error(result.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
}
// #endregion register

// #region view-model
/** One row of the heading, ready to render: plain text only, dates in NHS CUI form. */
export interface AdvanceCarePlanRow {
  id: string;
  plan: string;
  summary: string;
  agreed: string;
  status: 'Current' | 'Replaced' | 'Entered in error';
  source: string;
}

/** The person's advance care plans, newest first, current ones before those replaced. */
export function toAdvanceCarePlanRows(content: RecordContent): AdvanceCarePlanRow[] {
  const plans = resourcesOfHeading<DocumentReference>(content, 'advance-care-plans');
  const rank = (status: AdvanceCarePlanRow['status']) => (status === 'Current' ? 0 : 1);
  return plans
    .map((plan) => {
      const status: AdvanceCarePlanRow['status'] = plan.status === 'current' ? 'Current' : plan.status === 'superseded' ? 'Replaced' : 'Entered in error';
      return {
        id: plan.id ?? '',
        plan: conceptText(plan.type) ?? 'Advance care plan',
        summary: plan.description ?? 'No summary given; open the document.',
        agreed: formatClinicalDate(plan.date),
        status,
        source: sourceOf(content, plan)?.name ?? 'Not known',
        sortDate: plan.date ?? '',
      };
    })
    .sort((a, b) => rank(a.status) - rank(b.status) || b.sortDate.localeCompare(a.sortDate))
    .map(({ sortDate: _sortDate, ...row }) => row);
}
// #endregion view-model
