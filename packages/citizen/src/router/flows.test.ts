import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditForPatient, consentFromFhir, exampleIsa, LEGAL_BASIS_TEXT } from '@openidcr/governance';
import { parseResource, type Bundle, type OperationOutcome, type Provenance } from '@openidcr/model';
import { CONTACT_CENTRE, HOSPITAL_USER, citizen, startHarness, type Harness } from '../test-support/router.fixtures.js';
import type { AccessLogPage } from '../access-log/entry.js';
import type { ConsentReceipt } from '../preferences/preferences.js';
import type { MyRecordSummary } from '../record/summary.js';
import type { WhatMattersView } from '../what-matters/what-matters.js';
import type { FairProcessingNotice } from '../notice/notice-model.js';
import { VERIFICATION_NOTE_EXTENSION } from '../preferences/preferences.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const parent = () => ({ nhsNumber: h.parentNhs, name: 'Sarah Barnes' });
const firstIssue = async (r: globalThis.Response) => ((await r.json()) as OperationOutcome).issue[0];

describe('proxy access [REQ-CIT-007]', () => {
  it('a parent with a recorded authority sees a young child\'s record, without sensitive entries, and the child\'s log names them', async () => {
    const response = await h.as(citizen(parent(), h.child.nhsNumber)).get('/citizen/me/record');
    expect(response.status).toBe(200);
    const summary = (await response.json()) as MyRecordSummary;
    expect(summary.person.nhsNumber).toBe(h.child.nhsNumber);
    expect(summary.actingFor).toEqual({ proxyName: 'Sarah Barnes', relationship: 'parent or guardian' });
    const texts = summary.headings.flatMap((x) => x.items.map((i) => i.text));
    expect(texts).toEqual(expect.arrayContaining(['Asthma', 'MMR vaccine']));
    expect(texts).not.toContain('Safeguarding concern (sensitive)');
    expect(summary.withheld?.count).toBe(1);

    const own = (await (await h.as(citizen(h.child)).get('/citizen/me/record')).json()) as MyRecordSummary;
    expect(own.headings.flatMap((x) => x.items.map((i) => i.text))).toContain('Safeguarding concern (sensitive)');

    const log = (await (await h.as(citizen(h.child)).get('/citizen/me/access-log')).json()) as AccessLogPage;
    const proxyEntry = log.entries.find((e) => e.who.kind === 'proxy');
    expect(proxyEntry).toMatchObject({ who: { name: 'Sarah Barnes', role: 'Parent or guardian acting for you' }, action: 'Looked at your record', outcome: 'allowed' });
    const events = await auditForPatient(h.audit, h.child.personId);
    expect(events.find((e) => e.user.name === 'Sarah Barnes')?.reasons).toContain('proxy-authority:auth-child');
  });

  it('refuses a parent once the child has reached the locality\'s age limit', async () => {
    const response = await h.as(citizen(parent(), h.olderChild.nhsNumber)).get('/citizen/me/record');
    expect(response.status).toBe(403);
    expect((await firstIssue(response))?.diagnostics).toContain('Parental access ends');
  });

  it('refuses a revoked or expired authority', async () => {
    h.records.addProxyAuthority({
      id: 'auth-revoked',
      kind: 'lasting-power-of-attorney',
      proxyNhsNumber: h.adult.nhsNumber,
      proxyName: h.adult.name,
      subjectPersonId: h.other.personId,
      status: 'revoked',
      validFrom: '2025-01-01T00:00:00Z',
      recordedBy: 'gp-y90001-1',
      evidence: 'LPA registration seen',
    });
    const response = await h.as(citizen(h.adult, h.other.nhsNumber)).get('/citizen/me/record');
    expect(response.status).toBe(403);
    expect((await firstIssue(response))?.diagnostics).toContain('not in force');
  });

  it('lets a carer see only the headings the rules give carers, and not change the person\'s choices', async () => {
    h.records.addProxyAuthority({
      id: 'auth-carer',
      kind: 'carer',
      proxyNhsNumber: h.adult.nhsNumber,
      proxyName: h.adult.name,
      subjectPersonId: h.other.personId,
      status: 'active',
      validFrom: '2025-01-01T00:00:00Z',
      recordedBy: 'gp-y90001-1',
      evidence: 'Carer agreement signed by the person at Riverside Surgery',
    });
    const carer = h.as(citizen(h.adult, h.other.nhsNumber));
    const summary = (await (await carer.get('/citizen/me/record')).json()) as MyRecordSummary;
    expect(summary.headings.map((x) => x.id)).toEqual(['demographics', 'care-team', 'medications', 'allergies', 'appointments']);
    expect((await carer.put('/citizen/me/preferences', { decision: 'opt-out' })).status).toBe(403);
    expect((await carer.get('/citizen/me/access-log')).status).toBe(403);
    expect(await h.records.consentsOf(h.other.personId)).toHaveLength(0);
    const written = await carer.put('/citizen/me/what-matters', { statements: ['Keeping to my routine'], expectedVersion: 0 });
    expect(written.status).toBe(200);
    const history = await h.records.whatMattersHistory(h.other.personId);
    const provenance = history[0]?.provenance as Provenance;
    expect(provenance.agent[0]?.onBehalfOf?.reference).toBe(`Patient/${h.other.personId}`);
    expect(provenance.agent[0]?.who.display).toContain('carer');
  });

  it('a parent\'s opt-out for a young child is receipted as made on their behalf and governs the next decision', async () => {
    const response = await h.as(citizen(parent(), h.child.nhsNumber)).put('/citizen/me/preferences', { decision: 'opt-out' });
    expect(response.status).toBe(201);
    const receipt = (await response.json()) as ConsentReceipt;
    expect(receipt.recordedBy).toBe('Sarah Barnes (parent or guardian)');
    expect((await h.clinicianViews(h.child.personId, { user: HOSPITAL_USER })).effect).toBe('deny');
  });
});

describe('what matters to me [REQ-CIT-006]', () => {
  it('stores up to three statements as a versioned Observation with a Provenance naming the person as author', async () => {
    const me = h.as(citizen(h.adult));
    const empty = (await (await me.get('/citizen/me/what-matters')).json()) as WhatMattersView;
    expect(empty).toMatchObject({ statements: [], version: 0 });
    const first = await me.put('/citizen/me/what-matters', { statements: ['  Staying in my own home  ', 'Seeing my grandchildren'], expectedVersion: 0 });
    expect(first.status).toBe(200);
    expect(((await first.json()) as WhatMattersView).statements).toEqual(['Staying in my own home', 'Seeing my grandchildren']);
    const second = (await (await me.put('/citizen/me/what-matters', { statements: ['Staying in my own home'], expectedVersion: 1 })).json()) as WhatMattersView & { history: WhatMattersView[] };
    expect(second.version).toBe(2);
    expect(second.history.map((v) => v.version)).toEqual([2, 1]);

    const stored = await h.records.whatMattersHistory(h.adult.personId);
    expect(parseResource(stored[0]?.observation).ok).toBe(true);
    expect(parseResource(stored[0]?.provenance).ok).toBe(true);
    const provenance = stored[0]?.provenance as Provenance;
    expect(provenance.target[0]?.reference).toBe(`Observation/${stored[0]?.observation.id}/_history/2`);
    expect(provenance.agent[0]).toMatchObject({ who: { reference: `Patient/${h.adult.personId}` } });
    expect(stored[0]?.observation.meta?.tag).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'patient-authored' })]));
  });

  it('refuses a write over a version written meanwhile (409), and bad input naming the field (400)', async () => {
    const me = h.as(citizen(h.adult));
    await me.put('/citizen/me/what-matters', { statements: ['One'], expectedVersion: 0 });
    const stale = await me.put('/citizen/me/what-matters', { statements: ['Two'], expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect((await firstIssue(stale))?.expression).toEqual(['expectedVersion']);
    const cases: Array<[unknown, string]> = [
      [{ statements: ['a', 'b', 'c', 'd'], expectedVersion: 1 }, 'statements'],
      [{ statements: ['ok', 'x'.repeat(201)], expectedVersion: 1 }, 'statements[1]'],
      [{ statements: ['   '], expectedVersion: 1 }, 'statements[0]'],
      [{ statements: 'just one', expectedVersion: 1 }, 'statements'],
      [{ statements: ['fine'] }, 'expectedVersion'],
    ];
    for (const [body, field] of cases) {
      const response = await me.put('/citizen/me/what-matters', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await firstIssue(response))?.expression).toEqual([field]);
    }
    expect(await h.records.whatMattersHistory(h.adult.personId)).toHaveLength(1);
  });
});

describe('contact-centre opt-out [REQ-CIT-008]', () => {
  const call = (nhsNumber: string) => ({
    nhsNumber,
    decision: 'opt-out',
    callerName: 'Thomas Barnes (the person)',
    verification: { method: 'security-questions', note: 'Confirmed date of birth, postcode and GP practice' },
  });

  it('records a caller\'s opt-out with the verification note, audited on their record and shown in their log', async () => {
    const response = await h.as(CONTACT_CENTRE).post('/citizen/contact-centre/opt-out', call(h.adult.nhsNumber));
    expect(response.status).toBe(201);
    const receipt = (await response.json()) as ConsentReceipt;
    expect(receipt.recordedBy).toContain('Contact centre: Alex Clerk');
    const consents = await h.records.consentsOf(h.adult.personId);
    expect(consents).toHaveLength(1);
    expect(JSON.stringify(consents[0]?.extension)).toContain('Confirmed date of birth');
    expect((consents[0]?.extension as Array<{ url: string }>).map((e) => e.url)).toContain(VERIFICATION_NOTE_EXTENSION);
    const read = consentFromFhir(consents[0]);
    expect(read.ok && read.consent.decision).toBe('deny');
    expect((await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER })).effect).toBe('deny');
    const events = await auditForPatient(h.audit, h.adult.personId);
    expect(events[0]).toMatchObject({ user: { id: 'cc-42' }, reasons: expect.arrayContaining(['citizen-actor:contact-centre', 'verification:security-questions']) });
    const log = (await (await h.as(citizen(h.adult)).get('/citizen/me/access-log')).json()) as AccessLogPage;
    expect(log.entries.find((e) => e.who.kind === 'contact-centre')).toMatchObject({ action: 'Changed your sharing choice', who: { organisation: { name: 'Northshire Council Social Care' } } });
  });

  it('refuses citizens and staff in other roles, and bad input naming the field', async () => {
    expect((await h.as(citizen(h.adult)).post('/citizen/contact-centre/opt-out', call(h.other.nhsNumber))).status).toBe(403);
    expect((await h.as({ ...CONTACT_CENTRE, roleId: 'gp' }).post('/citizen/contact-centre/opt-out', call(h.adult.nhsNumber))).status).toBe(403);
    const cases: Array<[unknown, string]> = [
      [{ ...call(h.adult.nhsNumber), verification: { method: 'security-questions', note: 'ok' } }, 'verification.note'],
      [{ ...call(h.adult.nhsNumber), verification: { method: 'guess', note: 'Confirmed date of birth' } }, 'verification.method'],
      [{ ...call('1234567890') }, 'nhsNumber'],
      [{ ...call(h.adult.nhsNumber), callerName: '' }, 'callerName'],
      [{ ...call('9434765919') }, 'nhsNumber'],
    ];
    for (const [body, field] of cases) {
      const response = await h.as(CONTACT_CENTRE).post('/citizen/contact-centre/opt-out', body);
      expect([400, 404], JSON.stringify(body)).toContain(response.status);
      expect((await firstIssue(response))?.expression).toEqual([field]);
    }
    expect(await h.records.consentsOf(h.adult.personId)).toHaveLength(0);
    expect(await h.records.consentsOf(h.other.personId)).toHaveLength(0);
  });
});

describe('fair processing notice [REQ-CIT-001]', () => {
  it('is generated from the ISA, in HTML, Markdown and JSON by ?format= or Accept', async () => {
    const html = await fetch(`${h.url}/citizen/notice`);
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain('<html lang="en-GB">');
    for (const party of exampleIsa.parties) expect(page).toContain(party.name.replace(/'/g, '&#39;'));
    expect(page).toContain(exampleIsa.optOut.contact);
    expect(page).toContain(LEGAL_BASIS_TEXT['uk-gdpr-9-2-h'].replace(/'/g, '&#39;'));
    const md = await fetch(`${h.url}/citizen/notice`, { headers: { accept: 'text/markdown' } });
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(await md.text()).toMatch(/^# How your information is shared/);
    const json = (await (await fetch(`${h.url}/citizen/notice?format=json`)).json()) as FairProcessingNotice;
    expect(json.sections.map((s) => s.id)).toEqual(['what', 'who', 'shared', 'why', 'law', 'choices', 'looked', 'kept', 'rights', 'contact']);
    expect(json.sections.find((s) => s.id === 'choices')?.paragraphs.join(' ')).toContain(exampleIsa.optOut.howToObject);
    const bad = await fetch(`${h.url}/citizen/notice?format=pdf`);
    expect(bad.status).toBe(400);
    expect((await firstIssue(bad))?.expression).toEqual(['format']);
  });
});

describe('download my record [REQ-CIT-005]', () => {
  it('exports everything held as a valid FHIR Bundle, and as a readable HTML page', async () => {
    const me = h.as(citizen(h.adult));
    await me.put('/citizen/me/preferences', { decision: 'opt-out' });
    await me.put('/citizen/me/what-matters', { statements: ['Being able to garden'], expectedVersion: 0 });
    await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER, breakGlass: true });
    const response = await me.get('/citizen/me/export');
    expect(response.headers.get('content-type')).toContain('application/fhir+json');
    const bundle = (await response.json()) as Bundle;
    const parsed = parseResource(bundle);
    expect(parsed.ok ? [] : parsed.issues.slice(0, 3)).toEqual([]);
    const types = new Set(bundle.entry?.map((e) => e.resource?.resourceType));
    for (const type of ['Patient', 'Consent', 'Observation', 'Provenance', 'AuditEvent', 'AllergyIntolerance', 'Immunization']) expect(types.has(type), type).toBe(true);
    const held = await h.records.recordOf(h.adult.personId);
    expect(bundle.entry?.filter((e) => held.some((r) => r.id === e.resource?.id)).length).toBe(held.length);
    expect(JSON.stringify(bundle)).not.toContain(HOSPITAL_USER.name);

    const html = await (await me.get('/citizen/me/export?format=html')).text();
    expect(html).toContain('Your shared care record');
    expect(html).toContain('Being able to garden');
    expect(html).toContain('Emergency access');
    expect(html).toContain('Opted out');
  });
});
