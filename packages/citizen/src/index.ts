export { citizenRouter, CITIZEN_ROUTES, ContactCentreOptOutSchema } from './router/citizen-router.js';
export type { CitizenDeps, CitizenPrincipal, Authenticate, AuthenticateResult } from './router/deps.js';
export { CitizenProblem } from './router/problem.js';
export { citizenAuditEvent, citizenEventOf, CITIZEN_ACTIONS, CITIZEN_ROLE, PROXY_ROLE_PREFIX } from './router/audit.js';
export type { CitizenActor, ProxyActor, CitizenAction, CitizenAuditInput } from './router/audit.js';

export type { CitizenRecordSource, CitizenPerson, StoredWhatMatters } from './records/records.js';
export { InMemoryCitizenRecords } from './records/in-memory.js';

export {
  PROXY_KINDS,
  PROXY_KIND_TEXT,
  PROXY_ACTIONS,
  ProxyAuthoritySchema,
  ProxyRuleSchema,
  ProxyRulesSchema,
  DEFAULT_PROXY_RULES,
  PROXY_REFUSAL_TEXT,
  assessProxy,
  ageOn,
} from './proxy/proxy.js';
export type { ProxyKind, ProxyAction, ProxyAuthority, ProxyRule, ProxyRules, ProxyRulesInput, ProxyGrant, ProxyRefusal } from './proxy/proxy.js';

export { toAccessLogEntry, readAccessLog, PURPOSE_TEXT } from './access-log/access-log.js';
export type { AccessLogDisclosure } from './access-log/access-log.js';
export type { AccessLogEntry, AccessLogPage } from './access-log/entry.js';

export {
  SHARING_DECISIONS,
  PreferenceChangeSchema,
  RECEIPT_SYSTEM,
  RECORDED_BY_EXTENSION,
  VERIFICATION_NOTE_EXTENSION,
  ON_BEHALF_EXTENSION,
  consentForChoice,
  preferencesView,
  receiptFor,
  receiptReference,
} from './preferences/preferences.js';
export type { SharingDecision, PreferenceChange, ChoiceMadeBy, PreferencesView, PreferenceHistoryItem, ConsentReceipt } from './preferences/preferences.js';

export { noticeFromIsa, renderNoticeHtml, renderNoticeMarkdown } from './notice/notice.js';
export type { FairProcessingNotice, NoticeSection } from './notice/notice-model.js';

export { toRecordHeadings } from './record/summary.js';
export type { MyRecordSummary, SummaryHeading, SummaryItem } from './record/summary.js';
export { exportBundle, exportHtml } from './export/export.js';

export {
  CITIZEN_CODE_SYSTEM,
  WHAT_MATTERS_CODE,
  PATIENT_AUTHORED_TAG,
  MAX_STATEMENTS,
  MAX_STATEMENT_LENGTH,
  WhatMattersChangeSchema,
  whatMattersId,
  isWhatMatters,
  whatMattersObservation,
  whatMattersProvenance,
  whatMattersFromObservation,
} from './what-matters/what-matters.js';
export type { WhatMattersChange, WhatMattersView, WhatMattersAuthor } from './what-matters/what-matters.js';
