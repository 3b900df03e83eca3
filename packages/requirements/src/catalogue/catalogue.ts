import type { RequirementInput } from './schema.js';

/**
 * The OpenIDCR requirement catalogue: what a shared care record must do, written from what real programmes
 * (Leeds Care Record, Connected Bradford, Bristol Connecting Care, Hillingdon/Ripple, SCR, EMIS MIG, SystmOne EDSM)
 * needed. Tests name the requirements they prove with `[REQ-...]` in their titles.
 */
const r = (req: RequirementInput): RequirementInput => req;

export const CATALOGUE: readonly RequirementInput[] = [
  // ---- requirements: scope and programme -------------------------------------------------------------------------
  r({
    id: 'REQ-REQ-001', category: 'requirements', priority: 'must', title: 'Shared headings cover what clinicians asked for',
    statement: 'The record shares demographics, GP and care team, problems, medications, allergies, immunisations, test results, admissions and attendances, appointments, referrals, letters and discharge summaries, social care involvement and alerts.',
    rationale: 'Leeds, Bradford, Bristol and Hillingdon converged on this list after clinician workshops; missing headings were the first complaint at every pilot.',
    acceptance: ['The headings registry lists every heading above with a plain-English description', 'Each heading maps to the FHIR resource types that hold it'],
  }),
  r({
    id: 'REQ-REQ-002', category: 'requirements', priority: 'must', title: 'Read-only: data changes only at source',
    statement: 'Clinical data is never edited in the shared record; it changes only through the source system\'s own feed. The only writes are the person\'s consent choices and "what matters to me" statements.',
    rationale: 'Every UK IDCR kept data controllers\' records authoritative; editable shared copies created conflicting truths and liability disputes.',
    acceptance: ['The FHIR API exposes no create, update or delete of clinical resources', 'Updates arrive only through integration'],
  }),
  r({
    id: 'REQ-REQ-003', category: 'requirements', priority: 'must', title: 'Start small: staged go-live by organisation',
    statement: 'A locality can go live with a pilot group of organisations and add others in stages; an organisation\'s data is shared only once it is active.',
    rationale: 'Leeds began with a pilot of about 500 users and grew to 10,000; big-bang launches stalled on governance sign-off.',
    acceptance: ['Organisations carry a go-live stage', 'Data from an organisation that is not active is never shown'],
    needs: [{ path: 'organisations', nonEmpty: true, explain: 'the configuration lists no organisations' }],
  }),
  r({
    id: 'REQ-REQ-004', category: 'requirements', priority: 'must', title: 'Benefits measured from day one',
    statement: 'Views by role and organisation are counted from the audit log, and users can say what a view achieved (saved a phone call, avoided an admission, avoided a home visit, found medication or allergy information).',
    rationale: 'Programmes that could not show time saved and admissions avoided lost funding after the pilot year.',
    acceptance: ['Feedback on a record view is recorded with the view', 'A dashboard reports views and estimated savings with configurable unit costs'],
  }),
  r({
    id: 'REQ-REQ-005', category: 'requirements', priority: 'should', title: 'Locality requirements extend the catalogue',
    statement: 'A locality can add its own requirements, override catalogue entries and record which it does not adopt, and get one traceability matrix over the result.',
    rationale: 'Localities differ in consent model and scope; a fixed catalogue would be ignored.',
    acceptance: ['An extension file adds, overrides and removes requirements', 'Bad extension files are rejected naming the field'],
  }),
  r({
    id: 'REQ-REQ-006', category: 'requirements', priority: 'must', title: 'Requirements traced to passing tests',
    statement: 'Every Must requirement is traced to at least one passing automated test, and the matrix is produced in CI.',
    rationale: 'Assurance boards (DCB0129/DCB0160 clinical safety) ask for evidence that each requirement is met.',
    acceptance: ['`openidcr-requirements trace` builds a matrix from test results', 'It fails when a Must requirement has no passing test'],
  }),
  r({
    id: 'REQ-REQ-007', category: 'requirements', priority: 'should', title: 'Conformance report for a locality configuration',
    statement: 'A locality can check its configuration against the catalogue and see which requirements it meets, which it turns off and which gaps remain.',
    rationale: 'Information governance leads need a one-page answer to "what does our assembly actually do?" before signing.',
    acceptance: ['`openidcr-requirements conformance --config` reports met, off and gap per requirement'],
  }),
  r({
    id: 'REQ-REQ-008', category: 'requirements', priority: 'must', title: 'Synthetic data for every test',
    statement: 'Tests, demonstrations and benchmarks use a deterministic synthetic locality; no real patient data is needed to build or test OpenIDCR.',
    rationale: 'Real data in test environments is a recurring ICO finding; suppliers need realistic data to test at scale.',
    acceptance: ['The same seed produces the same bytes', 'NHS numbers come from the 999 test range'],
  }),

  // ---- governance ------------------------------------------------------------------------------------------------
  r({
    id: 'REQ-GOV-001', category: 'governance', priority: 'must', title: 'Information Sharing Agreement as code',
    statement: 'The ISA is a validated document naming parties, purposes, legal bases, the headings each party shares and with whom, the consent model, opt-out arrangements, retention, security, review date and fair processing commitments.',
    rationale: 'Ripple\'s ISA for Direct Care template and the ICO data sharing code require these fields; paper ISAs drifted from what systems enforced.',
    acceptance: ['An ISA that misses a required field is rejected naming the field'],
    needs: [{ path: 'isa', exists: true, explain: 'the configuration has no Information Sharing Agreement' }],
  }),
  r({
    id: 'REQ-GOV-002', category: 'governance', priority: 'must', title: 'ISA rendered in plain English',
    statement: 'The ISA renders as a plain-English agreement, in Markdown and HTML, that a non-lawyer partner can read and sign.',
    rationale: 'Ripple published a plain-English guide alongside its template because partners would not sign what they could not read.',
    acceptance: ['renderIsa produces Markdown and HTML naming every party, heading and legal basis'],
  }),
  r({
    id: 'REQ-GOV-003', category: 'governance', priority: 'must', title: 'ISA checked for contradictions and gaps',
    statement: 'The ISA is checked for contradictions and gaps: a heading shared with no legal basis, a sharing party that is not active, a passed review date, an indirect purpose without opt-out handling.',
    rationale: 'IG reviews repeatedly found agreements whose schedules contradicted their body text.',
    acceptance: ['checkIsa reports each problem as an error or warning with its location'],
  }),
  r({
    id: 'REQ-GOV-004', category: 'governance', priority: 'must', title: 'ISA enforced on every view',
    statement: 'Data from a party reaches a viewer only if that party is active and shares that heading with the viewer\'s organisation kind and role for the stated purpose.',
    rationale: 'Discovery (Endeavour) shares nothing without an active data sharing agreement; enforcement is what makes the paper true.',
    acceptance: ['A suspended party\'s data is never shown', 'A heading a party does not share is withheld'],
  }),
  r({
    id: 'REQ-GOV-005', category: 'governance', priority: 'must', title: 'Implied consent with opt-out',
    statement: 'Under the implied consent model a person\'s objection blocks sharing of their record except by break-glass, recorded as a FHIR Consent.',
    rationale: 'Leeds Care Record and Bristol Connecting Care run on implied consent for direct care with a local opt-out.',
    acceptance: ['An opted-out person\'s record is denied to everyone without break-glass'],
    appliesWhen: [{ path: 'isa.consentModel.kind', equals: 'implied-opt-out', explain: 'the locality does not use implied consent with opt-out' }],
  }),
  r({
    id: 'REQ-GOV-006', category: 'governance', priority: 'must', title: 'Explicit share-out and share-in',
    statement: 'Under the explicit model each item is shared out or not by its source, viewing needs a share-in consent for the viewing organisation, and consent to the viewer never unlocks items the source did not share out.',
    rationale: 'SystmOne\'s enhanced data sharing model works this way; the "GP owns the data" rule is what practices signed up to.',
    acceptance: ['A&E with share-in still cannot see items the GP did not share out'],
    appliesWhen: [{ path: 'isa.consentModel.kind', equals: 'explicit-share', explain: 'the locality does not use the explicit share-in/share-out model' }],
    // Checked against the running app (`provides`, from the assembled server), not only the configuration file.
    needs: [
      { path: 'provides.consentCapture.shareOut', equals: true, explain: 'the running app cannot record share-out consent (no consent capture: set consentCapture in the locality)' },
      { path: 'provides.consentCapture.shareIn', equals: true, explain: 'the running app cannot record share-in or consent to view at the point of care' },
    ],
  }),
  r({
    id: 'REQ-GOV-007', category: 'governance', priority: 'must', title: 'Practice activation',
    statement: 'A GP practice\'s data is shared only once the practice has activated its agreement.',
    rationale: 'EMIS MIG shows no data until both sides activate the agreement in Data Sharing Manager.',
    acceptance: ['Data from a practice that has not activated is withheld with a reason'],
    appliesWhen: [{ path: 'isa.consentModel.kind', equals: 'practice-activation', explain: 'the locality does not use practice activation' }],
  }),
  r({
    id: 'REQ-GOV-008', category: 'governance', priority: 'should', title: 'Consent to view at the point of care',
    statement: 'Where the locality requires it, the clinician records the person\'s permission to view, which lasts for a limited time.',
    rationale: 'The Summary Care Record asks permission to view each time or for the length of the relationship.',
    acceptance: ['Consent to view is recorded with an expiry', 'After expiry the view is denied until asked again'],
    appliesWhen: [{ path: 'isa.consentModel.kind', equals: 'consent-to-view', explain: 'the locality does not ask consent to view' }],
    needs: [{ path: 'provides.consentCapture.consentToView', equals: true, explain: 'the running app cannot record consent to view (no consent capture: set consentCapture in the locality)' }],
  }),
  r({
    id: 'REQ-GOV-009', category: 'governance', priority: 'must', title: 'National Data Opt-out only for indirect purposes',
    statement: 'The National Data Opt-out does not restrict direct care views; it applies to indirect purposes (research, planning) only. Sealed and restricted records are never shared.',
    rationale: 'NHS England guidance: the national opt-out does not apply to individual care; applying it wrongly blocks care.',
    acceptance: ['A direct care view is not blocked by the national opt-out', 'An indirect-purpose request is'],
  }),
  r({
    id: 'REQ-GOV-010', category: 'governance', priority: 'must', title: 'Role-based views',
    statement: 'Each role sees only the headings its job needs: a pharmacist medications, allergies and relevant problems and results; a social worker social care involvement but not test results; an administrator demographics, care team and appointments; a privacy officer no clinical data.',
    rationale: 'Caldicott principle 3 (minimum necessary); GP Connect\'s restricted access record for care settings.',
    acceptance: ['A pharmacist\'s view contains no letters', 'A social worker\'s view contains no results'],
  }),
  r({
    id: 'REQ-GOV-011', category: 'governance', priority: 'must', title: 'Legitimate relationship',
    statement: 'A professional sees a person\'s record only with a legitimate relationship: registration, an open encounter or episode, care team membership or a referral, or one self-declared with a reason, which is audited and expires.',
    rationale: 'Caldicott principle 4 (need to know); the SCR requires a legitimate relationship and alerts privacy officers on self-claims.',
    acceptance: ['Without a relationship access is denied with a reason', 'A self-declared relationship needs a reason and expires'],
  }),
  r({
    id: 'REQ-GOV-012', category: 'governance', priority: 'must', title: 'Sensitive data withheld',
    statement: 'Items labelled sensitive (sexual health, HIV and STI, IVF, gender reassignment, termination of pregnancy, safeguarding) are withheld from everyone but their originating organisation or named roles.',
    rationale: 'The SCR and Vision withhold these categories using the RCGP sensitive data set; OneLondon filtered the same refsets.',
    acceptance: ['A sensitive item is hidden from everyone but its originating organisation', 'The viewer is told that some information is withheld'],
  }),
  r({
    id: 'REQ-GOV-013', category: 'governance', priority: 'must', title: 'Break-glass',
    statement: 'When access is denied and policy allows, a professional can break the glass with a reason; the grant is time-limited, raises an alert and is flagged in the audit and in the person\'s access log.',
    rationale: 'SCR emergency access (B0168) requires a reason and alerts privacy officers; Caldicott principle 7 (duty to share).',
    acceptance: ['Break-glass without a reason is refused', 'A grant expires', 'The audit event is flagged'],
  }),
  r({
    id: 'REQ-GOV-014', category: 'governance', priority: 'must', title: 'Every access audited',
    statement: 'Every access to patient data, permitted or denied, appends one audit event naming who, which role and organisation, which patient, which headings, the purpose and the outcome.',
    rationale: 'EU EHDS Annex II 3.2 and IHE Basic Audit Log Patterns; Leeds audits every view.',
    acceptance: ['The number of audit events equals the number of patient-data responses'],
  }),
  r({
    id: 'REQ-GOV-015', category: 'governance', priority: 'must', title: 'Tamper-evident audit',
    statement: 'The audit log is append-only and hash-chained; any changed, removed or reordered entry is detected and the first broken link named.',
    rationale: 'Estonia protects health access logs with a hash chain; audit logs are evidence in disciplinary and legal cases.',
    acceptance: ['Changing any field of any audit row is detected by verifyChain'],
  }),
  r({
    id: 'REQ-GOV-016', category: 'governance', priority: 'should', title: 'Audit exportable as FHIR AuditEvent',
    statement: 'Audit events export as FHIR AuditEvent following IHE Basic Audit Log Patterns (patient read and query).',
    rationale: 'Regional audit and SIEM tools consume FHIR AuditEvent; a proprietary format locks the locality in.',
    acceptance: ['Exported events validate as FHIR AuditEvent'],
  }),
  r({
    id: 'REQ-GOV-017', category: 'governance', priority: 'must', title: 'Decisions are explainable',
    statement: 'Every policy decision gives human-readable reasons, the visible headings, what was redacted and the obligations, so a denied clinician and an auditor both understand it.',
    rationale: 'Clinicians abandon systems that deny without saying why; IG leads must explain decisions to complainants.',
    acceptance: ['A denial names its reason and whether break-glass is possible'],
  }),
  r({
    id: 'REQ-GOV-018', category: 'governance', priority: 'should', title: 'Roles map to NHS national RBAC',
    statement: 'Local roles map to NHS national RBAC job role codes where known, so Care Identity Service tokens can drive them.',
    rationale: 'CIS2 carries nhsid_nrbac_roles; mapping avoids a second role administration.',
    acceptance: ['Each default role names its SDS job role code where one exists'],
  }),
  r({
    id: 'REQ-GOV-019', category: 'governance', priority: 'must', title: 'Decisions are fast and deterministic',
    statement: 'The policy decision is a pure function of its inputs: the same request always gets the same answer, with no clock or I/O inside.',
    rationale: 'Reproducible decisions are needed to investigate complaints; I/O in the decision path was a Ripple performance bottleneck.',
    acceptance: ['The same request twice gives identical decisions', 'No request without permit gets any resource through the filter'],
  }),

  // ---- citizen ---------------------------------------------------------------------------------------------------
  r({
    id: 'REQ-CIT-001', category: 'citizen', priority: 'must', title: 'Fair processing notice from the ISA',
    statement: 'The public notice (who shares what, why, the legal basis, how to opt out, whom to contact) is generated from the ISA in plain English.',
    rationale: 'Caldicott principle 8 and UK GDPR Articles 13-14; notices written separately from the ISA went out of date.',
    acceptance: ['The notice names every sharing party and heading and how to opt out'],
    needs: [
      { path: 'isa.fairProcessing.url', exists: true, explain: 'the ISA gives no address for the fair processing notice' },
      { path: 'isa.optOut.contact', exists: true, explain: 'the ISA gives no contact for objections' },
    ],
  }),
  r({
    id: 'REQ-CIT-002', category: 'citizen', priority: 'must', title: 'Opt out and opt back in',
    statement: 'A person can opt out of, and back into, sharing according to the locality\'s consent model; the choice is stored as a FHIR Consent, audited, confirmed with a receipt and effective at the next decision.',
    rationale: 'Every UK shared record offers a local opt-out; Leeds publishes how.',
    acceptance: ['After opting out, the next clinical view is denied without break-glass'],
  }),
  r({
    id: 'REQ-CIT-003', category: 'citizen', priority: 'must', title: 'Who has looked at my record',
    statement: 'A person can see every access to their record: when, which organisation, which role, the purpose, and break-glass flagged, newest first.',
    rationale: 'Estonia and Denmark (sundhed.dk Min Log) show citizens who looked; it is the strongest driver of public trust.',
    acceptance: ['Every audited access to the person\'s record appears in their log'],
  }),
  r({
    id: 'REQ-CIT-004', category: 'citizen', priority: 'must', title: 'Citizens reach only their own data',
    statement: 'A citizen token reaches only the record whose NHS number is its subject, and never staff routes.',
    rationale: 'Patient portals that trusted client-side ids have leaked other patients\' data.',
    acceptance: ['A citizen token cannot read another person\'s record or any staff route'],
  }),
  r({
    id: 'REQ-CIT-005', category: 'citizen', priority: 'should', title: 'Download my record',
    statement: 'A person can download everything held about them as a FHIR Bundle and as a readable document (subject access).',
    rationale: 'UK GDPR Article 15 right of access.',
    acceptance: ['The export contains every resource held for the person'],
  }),
  r({
    id: 'REQ-CIT-006', category: 'citizen', priority: 'should', title: 'What matters to me',
    statement: 'A person can write up to three short statements about what matters most in their care, shown to clinicians at the top of the record as patient-authored.',
    rationale: 'The "Top 3 Things" approach in integrated care pilots; personalised care is an NHS Long Term Plan commitment.',
    acceptance: ['Statements are versioned and attributed to the person'],
  }),
  r({
    id: 'REQ-CIT-007', category: 'citizen', priority: 'should', title: 'Proxy access',
    statement: 'A parent of a young child or a carer with a recorded authority sees what the locality\'s rules allow, and the access log names the proxy.',
    rationale: 'Gillick competence and parental responsibility rules; NHS App proxy access.',
    acceptance: ['A proxy without recorded authority is refused'],
  }),
  r({
    id: 'REQ-CIT-008', category: 'citizen', priority: 'should', title: 'Opt-out through the contact centre',
    statement: 'A staff member can record an opt-out on behalf of a caller, with a verification note, audited.',
    rationale: 'Many people opt out by phone or letter; the record must reflect it the same day.',
    acceptance: ['An opt-out recorded by staff names the staff member and the verification'],
  }),

  // ---- viewer ----------------------------------------------------------------------------------------------------
  r({
    id: 'REQ-VIEW-001', category: 'viewer', priority: 'must', title: 'Allergies and medication in seconds',
    statement: 'A clinician sees the patient banner, allergies and current medication within one screen of opening the record.',
    rationale: 'The A&E use case: allergies and current medication at 3 a.m. instead of a 20-minute call to a closed practice.',
    acceptance: ['The record opens with the banner, allergies and medications visible'],
  }),
  r({
    id: 'REQ-VIEW-002', category: 'viewer', priority: 'must', title: 'Patient banner follows NHS CUI',
    statement: 'The banner shows FAMILY, Given (Title), NHS number as 943 476 5919, date of birth as 12-Mar-1960 with age, gender, address, registered GP and the allergy state.',
    rationale: 'NHS Common User Interface guidance reduces misidentification across systems.',
    acceptance: ['Banner formatting matches CUI for every fixture'],
  }),
  r({
    id: 'REQ-VIEW-003', category: 'viewer', priority: 'must', title: 'No known allergies told apart from nothing shared',
    statement: 'The viewer distinguishes "No known allergies" (recorded) from "Allergies not recorded" and from "Allergies unavailable" (withheld or source down).',
    rationale: 'Treating "nothing shared" as "no allergies" is a known clinical safety hazard.',
    acceptance: ['Each allergy state renders its own wording'],
  }),
  r({
    id: 'REQ-VIEW-004', category: 'viewer', priority: 'must', title: 'Results with ranges, flags and trends',
    statement: 'Test results show values with units, reference ranges and abnormal flags that do not rely on colour alone, and a trend per test with an accessible data table.',
    rationale: 'Clinicians compare results over time; colour-only flags fail colour-blind users.',
    acceptance: ['Abnormal results carry a text flag', 'Each trend chart has a data table'],
  }),
  r({
    id: 'REQ-VIEW-005', category: 'viewer', priority: 'must', title: 'Letters and discharge summaries readable inline',
    statement: 'Clinic letters and discharge summaries (text, HTML and PDF) open inline, with source HTML sanitised.',
    rationale: 'GPs read discharge summaries in the shared record; unsanitised HTML would be an injection path.',
    acceptance: ['A document with script content renders without running it'],
  }),
  r({
    id: 'REQ-VIEW-006', category: 'viewer', priority: 'must', title: 'Who else is involved',
    statement: 'The care team view lists the organisations and named professionals involved, including social care involvement.',
    rationale: 'Social workers and district nurses asked first for "who else is involved" in Leeds and Bradford.',
    acceptance: ['Social care involvement appears in the care team view'],
  }),
  r({
    id: 'REQ-VIEW-007', category: 'viewer', priority: 'should', title: 'Virtual ward',
    statement: 'A GP practice sees its patients currently in hospital, with ward, admission date and expected discharge, linking to each record.',
    rationale: 'The virtual ward was one of the most-used IDCR features for GP practices.',
    acceptance: ['Only current admissions of the practice\'s registered patients are listed'],
  }),
  r({
    id: 'REQ-VIEW-008', category: 'viewer', priority: 'must', title: 'Every item shows its source',
    statement: 'Every item shows the organisation it came from, and the record shows which sources answered.',
    rationale: 'Clinicians judge reliability by source; a silent missing source is mistaken for absence of data.',
    acceptance: ['Each row names its source organisation', 'A source that did not answer is named'],
  }),
  r({
    id: 'REQ-VIEW-009', category: 'viewer', priority: 'must', title: 'Embeddable web components',
    statement: 'The viewer is a set of framework-free web components that a developer drops into an existing clinical system against any FHIR R4 server.',
    rationale: 'Ripple\'s viewer was tied to its own stack; localities wanted to embed views in systems staff already use.',
    acceptance: ['The record renders in a plain HTML page from attributes alone'],
  }),
  r({
    id: 'REQ-VIEW-010', category: 'viewer', priority: 'must', title: 'Accessible to WCAG 2.2 AA',
    statement: 'Every component passes automated accessibility checks, is usable by keyboard alone and has table captions and header scopes.',
    rationale: 'Public Sector Bodies Accessibility Regulations 2018; NHS services must meet WCAG 2.2 AA.',
    acceptance: ['axe-core finds no violations on any fixture', 'Dialogs work with Enter and Escape'],
  }),
  r({
    id: 'REQ-VIEW-011', category: 'viewer', priority: 'must', title: 'Every state designed',
    statement: 'Each component renders loading, empty (as a fact), error, redacted by policy, denied (with break-glass where allowed) and source-did-not-answer states.',
    rationale: 'Blank tables were misread as "nothing recorded" in early IDCR pilots.',
    acceptance: ['Each state has a fixture and a test'],
  }),
  r({
    id: 'REQ-VIEW-012', category: 'viewer', priority: 'should', title: 'Launch from the primary system',
    statement: 'The viewer can be launched from a GP or hospital system with the patient in context (SMART on FHIR).',
    rationale: 'Clinicians would not log in twice and search again; in-context launch drove usage in Leeds.',
    acceptance: ['A SMART launch opens the record of the patient in context'],
  }),
  r({
    id: 'REQ-VIEW-013', category: 'viewer', priority: 'must', title: 'Patient search',
    statement: 'Clinicians find a patient by NHS number (validated as typed) or by name and date of birth.',
    rationale: 'A mistyped NHS number that silently finds no one wastes time in an emergency.',
    acceptance: ['An NHS number with a wrong check digit is flagged before searching'],
  }),

  // ---- integration -----------------------------------------------------------------------------------------------
  r({
    id: 'REQ-INT-001', category: 'integration', priority: 'must', title: 'HL7 v2 feeds over MLLP and HTTP',
    statement: 'Source systems send HL7 v2 (2.3 to 2.5.1) over MLLP or HTTP and receive ACKs in original or enhanced mode.',
    rationale: 'Hospital PAS, LIMS and GP systems in England feed HL7 v2; most integration engines speak MLLP.',
    acceptance: ['MLLP frames split or joined across TCP chunks are handled', 'ACKs follow MSH-15/16'],
  }),
  r({
    id: 'REQ-INT-002', category: 'integration', priority: 'must', title: 'Nothing acknowledged is lost',
    statement: 'A message is acknowledged (AA) only after it is stored; a crash mid-message leaves no half record.',
    rationale: 'Lost ADT messages left Ripple pilots showing patients as still in hospital.',
    acceptance: ['After kill -9 and resend, every ACKed message is stored exactly once'],
  }),
  r({
    id: 'REQ-INT-003', category: 'integration', priority: 'must', title: 'Bad input rejected with a reason, kept for replay',
    statement: 'Malformed messages get AR/AE naming the problem, land in dead letters with the raw message, and can be replayed once the cause is fixed; the listener keeps running.',
    rationale: 'Integration engineers need to see why a feed failed without losing the message.',
    acceptance: ['Truncated, garbage and oversized messages are rejected, never crash the server'],
  }),
  r({
    id: 'REQ-INT-004', category: 'integration', priority: 'must', title: 'Duplicates and stale updates handled',
    statement: 'A repeated message returns its original ACK and changes nothing; an older update never overwrites newer data; the same control id with different content is flagged, not dropped.',
    rationale: 'Feeds resend after restarts and reuse control ids; out-of-order A08s overwrote newer demographics in early IDCRs.',
    acceptance: ['A duplicate changes nothing', 'A stale A08 does not overwrite'],
  }),
  r({
    id: 'REQ-INT-005', category: 'integration', priority: 'must', title: 'HL7 v2 mapped to FHIR R4',
    statement: 'ADT, ORU, MDM, REF, SIU, RDE/RDS/OMP, VXU and PPR messages map to FHIR R4 resources that carry their source, a Provenance, stable ids and security labels.',
    rationale: 'FHIR is the canonical model; stable ids mean an update replaces rather than duplicates.',
    acceptance: ['Every produced resource validates against the model'],
  }),
  r({
    id: 'REQ-INT-006', category: 'integration', priority: 'must', title: 'Master patient index',
    statement: 'People are matched by NHS number first, then local identifiers, then explainable demographic matching with link, review and new-person thresholds; merges can be undone; no silent link below threshold.',
    rationale: 'Mismatched identities are the most serious shared-record safety incident.',
    acceptance: ['A below-threshold match goes to review, never links silently', 'An A40 merge can be undone'],
  }),
  r({
    id: 'REQ-INT-007', category: 'integration', priority: 'should', title: 'Source profiles per sender',
    statement: 'Each sender has a profile saying where its NHS number and local ids are, its code systems, ODS code and quirks; localities write their own.',
    rationale: 'Every PAS puts identifiers somewhere different; hard-coding one layout failed at the second trust.',
    acceptance: ['Shipped profiles exist for GP, acute PAS, mental health, LIMS and social care senders'],
  }),
  r({
    id: 'REQ-INT-008', category: 'integration', priority: 'should', title: 'FHIR sources and sinks',
    statement: 'Sources that speak FHIR can send bundles, and integration can write to any FHIR R4 server instead of the OpenIDCR store.',
    rationale: 'Newer systems export FHIR; localities with an existing FHIR store want only the feeds.',
    acceptance: ['A FHIR bundle ingests', 'The FHIR sink posts transaction bundles'],
  }),
  r({
    id: 'REQ-INT-009', category: 'integration', priority: 'must', title: 'Data quality problems surfaced',
    statement: 'Messages with missing NHS numbers, misspelt names, duplicates or out-of-order updates are handled deterministically and surfaced for review.',
    rationale: 'Data quality issues are constant in live feeds; silent handling hides identity errors.',
    acceptance: ['Synthetic feeds with deliberate faults ingest without wrong links'],
  }),

  // ---- architecture ----------------------------------------------------------------------------------------------
  r({
    id: 'REQ-ARC-001', category: 'architecture', priority: 'must', title: 'FHIR R4 API',
    statement: 'The record is served by a FHIR R4 REST API with a CapabilityStatement listing exactly what it supports, search by patient and date, paging and $everything.',
    rationale: 'A standard API lets any FHIR viewer and other vendors\' systems use the record.',
    acceptance: ['Returned resources validate with an independent FHIR R4 validator'],
  }),
  r({
    id: 'REQ-ARC-002', category: 'architecture', priority: 'must', title: 'One policy enforcement point',
    statement: 'Every data route passes through one policy enforcement point that no route can skip.',
    rationale: 'Ripple\'s per-endpoint checks left gaps; a single point can be proven complete.',
    acceptance: ['A test walks the router and fails on any unprotected data route'],
  }),
  r({
    id: 'REQ-ARC-003', category: 'architecture', priority: 'must', title: 'Pooled and federated topologies',
    statement: 'A locality can run a pooled record (one store) or a federated portal that fans out to source systems at view time and says which sources answered.',
    rationale: 'Some data controllers refuse to let a copy leave their system; others need the speed of a pooled record.',
    acceptance: ['The same API tests pass against both topologies'],
  }),
  r({
    id: 'REQ-ARC-004', category: 'architecture', priority: 'must', title: 'Embedded store by default, PostgreSQL in production',
    statement: 'The reference app runs on an embedded store with no database server; setting a PostgreSQL URL moves it to PostgreSQL with the same schema.',
    rationale: 'Pilots must start without infrastructure; large localities need PostgreSQL.',
    acceptance: ['One contract suite passes on both engines'],
  }),
  r({
    id: 'REQ-ARC-005', category: 'architecture', priority: 'must', title: 'Locality configuration validated at start',
    statement: 'A locality is one validated configuration (organisations, users and roles or an OIDC issuer, consent model, ISA, channels, topology, storage); a bad configuration fails at start naming each bad field.',
    rationale: 'Misconfiguration discovered in production shared the wrong data in at least one UK pilot.',
    acceptance: ['A bad config names each bad field'],
  }),
  r({
    id: 'REQ-ARC-006', category: 'architecture', priority: 'must', title: 'Packages usable alone',
    statement: 'Each package installs and imports on its own from its published tarball, with types and a README.',
    rationale: 'Localities adopt one open offer at a time.',
    acceptance: ['verify:packs installs and imports each package in an empty folder'],
  }),
  r({
    id: 'REQ-ARC-007', category: 'architecture', priority: 'should', title: 'Distributable by patient',
    statement: 'Every patient-data table carries the patient key so the store can be distributed by patient when one machine is outgrown.',
    rationale: 'Leeds-scale localities (800,000+ patients) outgrow one database server.',
    acceptance: ['Every patient table has the patient key in its primary key'],
  }),

  // ---- security --------------------------------------------------------------------------------------------------
  r({
    id: 'REQ-SEC-001', category: 'security', priority: 'must', title: 'Signed tokens only',
    statement: 'Requests carry bearer JWTs from the locality\'s issuer; expired, unsigned, wrong-issuer and alg:none tokens are rejected.',
    rationale: 'Token validation mistakes are the most common API authorisation flaw (OWASP API2).',
    acceptance: ['Each bad token kind gets 401'],
  }),
  r({
    id: 'REQ-SEC-002', category: 'security', priority: 'must', title: 'No injection through input',
    statement: 'No SQL is built from user input; every external input is validated and bad input gets a clear error, never a crash.',
    rationale: 'OWASP A03 injection; health records are high-value targets.',
    acceptance: ['Injection strings in every search parameter are harmless'],
  }),
  r({
    id: 'REQ-SEC-003', category: 'security', priority: 'must', title: 'No secrets in the repository',
    statement: 'No keys, passwords or tokens are committed; development keys are generated at start.',
    rationale: 'Leaked credentials in public repositories are routinely exploited within hours.',
    acceptance: ['A scan of the repository finds no secrets'],
  }),
  r({
    id: 'REQ-SEC-004', category: 'security', priority: 'should', title: 'Hardened HTTP',
    statement: 'Servers send security headers, limit body sizes and rate-limit public endpoints.',
    rationale: 'NCSC and NHS DSPT require basic HTTP hardening.',
    acceptance: ['Oversized bodies are rejected with 413'],
  }),

  // ---- performance -----------------------------------------------------------------------------------------------
  r({
    id: 'REQ-PERF-001', category: 'performance', priority: 'should', title: 'Whole record read close to the database floor',
    statement: 'Reading a whole record through the store costs no more than 1.5 times the raw single-query floor, and stays flat as the population grows from 10,000 to 100,000.',
    rationale: 'The 3 a.m. use case; Ripple slowed as data grew because of per-heading round trips. Measured by the store bench, never asserted in a test (wall-clock limits in tests are flaky).',
    acceptance: ['The store bench prints the ratio against the floor'],
  }),
  r({
    id: 'REQ-PERF-002', category: 'performance', priority: 'should', title: 'Ingest keeps up with a trust\'s feeds',
    statement: 'End-to-end ingest with ACKs sustains at least 1,500 messages per second on a 2-core machine, and bulk load at least 20,000 resources per second.',
    rationale: 'A large acute trust sends hundreds of thousands of messages a day with bursts after downtime.',
    acceptance: ['The integration and store benches print rates against their baselines'],
  }),
  r({
    id: 'REQ-PERF-003', category: 'performance', priority: 'should', title: 'Policy decisions are cheap',
    statement: 'A policy decision takes a few microseconds and filtering a 2,000-item record costs no more than three times a no-op filter.',
    rationale: 'The policy point sits on every request; it must not be the bottleneck.',
    acceptance: ['The governance bench prints decisions per second and the filter ratio'],
  }),
  r({
    id: 'REQ-PERF-004', category: 'performance', priority: 'should', title: 'Synthetic localities at scale with flat memory',
    statement: 'The synthetic generator produces 100,000+ patients with memory under 300 MB.',
    rationale: 'Scale testing at Leeds size (820,000 patients) needs data that can be generated on a laptop.',
    acceptance: ['The generator prints peak memory for 100,000 patients'],
  }),
];
