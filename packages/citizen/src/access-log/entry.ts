/**
 * One access to a person's record, as the person is shown it: the view-model `GET /citizen/me/access-log` returns and
 * `<idcr-access-log>` renders. Built on the server from the audit, so that what the locality's agreement does not let
 * the person see (for example a professional's name) never reaches the browser.
 */
export interface AccessLogEntry {
  /** The audit event id. */
  id: string;
  /** ISO 8601 instant. */
  when: string;
  /** Who looked, as far as the locality's agreement lets the person be told. */
  who: {
    kind: 'professional' | 'you' | 'proxy' | 'contact-centre';
    /** The organisation the professional works for. */
    organisation?: { ods: string; name: string } | undefined;
    /** `GP`, `Pharmacist`, `Parent or guardian (acting for you)`, ... */
    role: string;
    /** Shown only where the agreement says people are told names, and always for someone acting for the person. */
    name?: string | undefined;
  };
  /** What they did, in plain English: `Looked at your record`, `Changed your sharing choice`, ... */
  action: string;
  /** Why, in plain English: `Your care`, `Emergency care`, ... */
  purpose: string;
  outcome: 'allowed' | 'refused';
  /** Emergency ("break-glass") access, with the reason category they gave; every such access is reviewed. */
  breakGlass?: { reason: string } | undefined;
  /** The parts of the record seen (heading titles), empty when refused or when nothing was shown. */
  parts: string[];
}

/** One page of the access log, newest first. */
export interface AccessLogPage {
  entries: AccessLogEntry[];
  /** Every access recorded up to the first page of this listing (the same on every page of it). */
  total: number;
  /** Pass back as `cursor` to read the next (older) page; absent on the last page. */
  nextCursor?: string | undefined;
}
