import type { OperationOutcome, OperationOutcomeIssue } from '@openidcr/model';

/** OpenIDCR's policy code system; the only non-standard convention the viewer reads, and always optionally. */
export const POLICY_CODE_SYSTEM = 'https://openidcr.org/CodeSystem/policy';

/** Policy codes the viewer understands in `OperationOutcome.issue.details.coding`. */
export const PolicyCodes = {
  breakGlassAvailable: 'break-glass-available',
  withheld: 'withheld',
  sourceUnavailable: 'source-unavailable',
} as const;

function hasPolicyCode(issue: OperationOutcomeIssue, code: string): boolean {
  return (issue.details?.coding ?? []).some((c) => c.system === POLICY_CODE_SYSTEM && c.code === code);
}

/** The text a person should read for an issue: details.text, else diagnostics, else the coding display. */
export function issueText(issue: OperationOutcomeIssue): string | undefined {
  const text = issue.details?.text?.trim() || issue.diagnostics?.trim();
  if (text) return text;
  return issue.details?.coding?.find((c) => c.display)?.display;
}

/** Every issue text, once each, most severe first. */
export function outcomeMessages(outcome: OperationOutcome | undefined): string[] {
  if (!outcome) return [];
  const rank = { fatal: 0, error: 1, warning: 2, information: 3 } as const;
  const sorted = [...outcome.issue].sort((a, b) => rank[a.severity] - rank[b.severity]);
  return [...new Set(sorted.map(issueText).filter((t): t is string => Boolean(t)))];
}

/** True when a denial says break-glass is possible (issue[0] carries `break-glass-available`, or any issue does). */
export function breakGlassAvailable(outcome: OperationOutcome | undefined): boolean {
  return (outcome?.issue ?? []).some((issue) => hasPolicyCode(issue, PolicyCodes.breakGlassAvailable));
}

/** Items withheld by policy, as an outcome entry of a search says them. */
export interface WithheldNotice {
  /** How many items, when the server said (from the coding, an extension-free integer in the text). */
  count: number | undefined;
  message: string | undefined;
}

/** A source system that did not answer in time (federated topology), from a warning in a searchset. */
export interface UnansweredSource {
  /** The organisation or system, as the server named it. */
  name: string;
  message: string | undefined;
}

const SOURCE_ISSUE_CODES = new Set(['timeout', 'incomplete', 'transient', 'no-store']);

/** Is this issue the server telling that items were withheld by policy? (`suppressed` is FHIR's own code for it.) */
export function isWithheldIssue(issue: OperationOutcomeIssue): boolean {
  return hasPolicyCode(issue, PolicyCodes.withheld) || issue.code === 'suppressed';
}

/** Is this issue the server telling that a source did not answer? */
export function isUnansweredSourceIssue(issue: OperationOutcomeIssue): boolean {
  if (hasPolicyCode(issue, PolicyCodes.sourceUnavailable)) return true;
  return issue.severity !== 'information' && SOURCE_ISSUE_CODES.has(issue.code) && !isWithheldIssue(issue);
}

function firstInteger(text: string | undefined): number | undefined {
  const match = text ? /\b(\d+)\b/.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}

/** The withheld notice of an issue. */
export function withheldFrom(issue: OperationOutcomeIssue): WithheldNotice {
  const message = issueText(issue);
  return { count: firstInteger(issue.diagnostics) ?? firstInteger(issue.details?.text), message };
}

/** The unanswered source of an issue: its name from the coding display, details.text, or diagnostics. */
export function unansweredFrom(issue: OperationOutcomeIssue): UnansweredSource {
  const coded = issue.details?.coding?.find((c) => c.system === POLICY_CODE_SYSTEM && c.code === PolicyCodes.sourceUnavailable);
  const name = coded?.display?.trim() || issue.details?.text?.trim() || issue.expression?.[0] || issue.diagnostics?.trim() || 'A source system';
  const message = issue.diagnostics?.trim() && issue.diagnostics.trim() !== name ? issue.diagnostics.trim() : undefined;
  return { name, message };
}
