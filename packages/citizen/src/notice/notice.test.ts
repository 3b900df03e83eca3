import { describe, expect, it } from 'vitest';
import { createConsentModel, exampleIsa, IsaSchema, LEGAL_BASIS_TEXT, type IsaInput } from '@openidcr/governance';
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
