import { describe, expect, it } from 'vitest';
import { createConsentModel, exampleIsa, IsaSchema, LEGAL_BASIS_TEXT, type IsaInput } from '@openidcr/governance';
import { SensitiveValueSets } from '@openidcr/model';
import { noticeFromIsa, renderNoticeHtml, renderNoticeMarkdown } from './notice.js';

describe('noticeFromIsa [REQ-CIT-001]', () => {
  it('says who shares what, why, on what legal basis, how to opt out and who to contact, from the ISA alone', () => {
    const notice = noticeFromIsa(exampleIsa, { consentModel: createConsentModel(exampleIsa.consentModel) });
    const text = notice.sections.flatMap((s) => [...s.paragraphs, ...(s.list ?? []), ...(s.table?.rows.flat() ?? [])]).join('\n');
    for (const party of exampleIsa.parties) expect(text).toContain(party.name);
    for (const basis of exampleIsa.legalBases) expect(text).toContain(LEGAL_BASIS_TEXT[basis.kind]);
    expect(text).toContain(exampleIsa.optOut.howToObject);
    expect(text).toContain(exampleIsa.optOut.contact);
    expect(text).toContain('research');
    expect(notice.sections.find((s) => s.id === 'looked')?.paragraphs[0]).toContain(`${exampleIsa.retention.auditLogYears} years`);
  });

  it('names the sensitive categories from the value sets the policy labels with, and who is cleared for each [#17 item 3]', () => {
    const notice = noticeFromIsa(exampleIsa, { consentModel: createConsentModel(exampleIsa.consentModel) });
    const shared = notice.sections.find((s) => s.id === 'shared')!.paragraphs.join(' ');
    for (const set of SensitiveValueSets) expect(shared).toContain(set.notice);
    expect(shared).toContain('HIV (nobody)');
    expect(shared).toMatch(/mental health conditions \(GPs and mental health clinicians\)/);
    const withOwnSet = noticeFromIsa(exampleIsa, { consentModel: createConsentModel(exampleIsa.consentModel), sensitiveSets: [{ ...SensitiveValueSets[0]!, notice: 'genetic test results', label: 'GDIS' }] });
    expect(withOwnSet.sections.find((s) => s.id === 'shared')!.paragraphs.join(' ')).toContain('genetic test results (nobody)');
  });

  it('leaves out parties that are not active, and follows the consent model', () => {
    const draft = structuredClone(exampleIsa) as IsaInput;
    draft.parties[0]!.status = 'suspended';
    draft.consentModel = { kind: 'consent-to-view' };
    const isa = IsaSchema.parse(draft);
    const notice = noticeFromIsa(isa, { consentModel: createConsentModel(isa.consentModel) });
    expect(notice.sections.find((s) => s.id === 'who')?.list).not.toContain(expect.stringContaining(exampleIsa.parties[0]!.name));
    expect(notice.sections.find((s) => s.id === 'choices')?.paragraphs[0]).toContain('Permission to view');
  });

  it('escapes every field in HTML and Markdown', () => {
    const draft = structuredClone(exampleIsa) as IsaInput;
    draft.optOut.contact = '<script>alert(1)</script> [click](http://evil.example)';
    const isa = IsaSchema.parse(draft);
    const notice = noticeFromIsa(isa, { consentModel: createConsentModel(isa.consentModel) });
    expect(renderNoticeHtml(notice)).not.toContain('<script>');
    expect(renderNoticeMarkdown(notice)).not.toContain('[click](');
  });
});
