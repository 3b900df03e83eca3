import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, OperationOutcomeIssue, ResourceLike } from '@openidcr/model';
import type { Decision, FilteredRecord } from '@openidcr/governance';
import { JsonText, POLICY_CODE_SYSTEM, PolicyCodes, outcome } from '../http/outcome.js';
import type { UnavailableSource } from '../topology/source.js';

/** The issue saying how many items policy withheld, and why (counts only, never which). */
export function withheldIssue(all: FilteredRecord<unknown>['withheld'], _total?: number): OperationOutcomeIssue | undefined {
  // Items that are not record content (Provenance, Consent, AuditEvent) are not clinical information the viewer is
  // missing: counting them would tell a clinician something is hidden when nothing is. The audit event still counts them.
  const withheld = all.filter((w) => w.reason !== 'not-record-content');
  const total = withheld.reduce((sum, w) => sum + w.count, 0);
  if (total === 0) return undefined;
  const reasons = withheld.map((w) => `${w.count} ${w.text.replace(/\.$/, '').toLowerCase()}`).join('; ');
  return {
    severity: 'information',
    code: 'suppressed',
    details: { coding: [{ system: POLICY_CODE_SYSTEM, code: PolicyCodes.withheld, display: 'Withheld by policy' }], text: `${total} ${total === 1 ? 'item was' : 'items were'} withheld by policy` },
    diagnostics: `${total} ${total === 1 ? 'item was' : 'items were'} withheld by policy (${reasons}).`,
  };
}

/** The issue saying a source did not answer, naming it. */
export function unavailableIssue(source: UnavailableSource): OperationOutcomeIssue {
  return {
    severity: 'warning',
    code: 'incomplete',
    details: { coding: [{ system: POLICY_CODE_SYSTEM, code: PolicyCodes.sourceUnavailable, display: source.name }], text: source.name },
    diagnostics: `${source.name} (${source.organisation}) ${source.reason === 'timeout' ? 'did not answer in time' : 'could not be reached'}: ${source.message}. Its records are not shown.`,
  };
}

/** The issue of a denial, with the reasons and, when break-glass would open the record, the policy coding saying so. */
export function denialIssues(decision: Decision, patientReference?: string): OperationOutcomeIssue[] {
  const reasons = decision.reasons.length > 0 ? decision.reasons : [{ code: 'denied', text: 'Access denied by policy.' }];
  return reasons.map((reason, index) => ({
    severity: 'error',
    code: 'forbidden',
    details: {
      coding: [
        { system: POLICY_CODE_SYSTEM, code: reason.code },
        ...(index === 0 && decision.breakGlassAvailable ? [{ system: POLICY_CODE_SYSTEM, code: PolicyCodes.breakGlassAvailable, display: 'Break-glass access is available' }] : []),
      ],
      text: reason.text,
    },
    diagnostics: reason.text,
    ...(patientReference ? { expression: [patientReference] } : {}),
  }));
}

export interface SearchsetInput {
  base: string;
  selfUrl: string;
  nextUrl?: string | undefined;
  matches: readonly ResourceLike[];
  includes?: readonly ResourceLike[];
  issues?: ReadonlyArray<OperationOutcomeIssue | undefined>;
  now: Date;
  total?: number | undefined;
}

/**
 * `searchset(input)` as JSON text, where each resource `textOf` holds (the stored JSON text it was parsed from, as the
 * store's `recordForView` returns it) is written as that text instead of being serialised again: the same JSON value,
 * for a fraction of the CPU on a whole record. Resources it does not hold are serialised as usual.
 */
export function searchsetText(input: SearchsetInput, textOf: ReadonlyMap<object, string>): JsonText {
  const bundle = searchset(input);
  const head = JSON.stringify({ ...bundle, entry: [] });
  if (!head.endsWith('"entry":[]}')) throw new Error('searchsetText: entry must be the last element of a Bundle');
  const entries = (bundle.entry ?? []).map((entry) => {
    const text = entry.resource ? textOf.get(entry.resource) : undefined;
    if (text === undefined) return JSON.stringify(entry);
    return `{"fullUrl":${JSON.stringify(entry.fullUrl)},"resource":${text},"search":${JSON.stringify(entry.search)}}`;
  });
  return new JsonText(`${head.slice(0, -2)}${entries.join(',')}]}`);
}

/** A searchset Bundle: matches, includes, and one outcome entry carrying the withheld and unavailable notices. */
export function searchset(input: SearchsetInput): Bundle {
  const entry = (resource: ResourceLike, mode: 'match' | 'include'): BundleEntry =>
    ({ fullUrl: `${input.base}/${resource.resourceType}/${resource.id}`, resource, search: { mode } }) as BundleEntry;
  const entries: BundleEntry[] = [...input.matches.map((r) => entry(r, 'match')), ...(input.includes ?? []).map((r) => entry(r, 'include'))];
  const issues = (input.issues ?? []).filter((i): i is OperationOutcomeIssue => i !== undefined);
  if (issues.length > 0) entries.push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: outcome(...issues), search: { mode: 'outcome' } } as BundleEntry);
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: input.now.toISOString() },
    type: 'searchset',
    ...(input.total !== undefined ? { total: input.total } : {}),
    link: [{ relation: 'self', url: input.selfUrl }, ...(input.nextUrl ? [{ relation: 'next', url: input.nextUrl }] : [])],
    entry: entries,
  } as Bundle;
}
