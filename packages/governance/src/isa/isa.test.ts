import { describe, expect, it } from 'vitest';
import { HEADINGS } from '@openidcr/model';
import { exampleIsa, EXAMPLE_ORGANISATIONS } from './example.js';
import { renderIsa, escapeHtml, escapeMarkdown } from './render.js';
import { checkIsa, type IsaIssueCode } from './check.js';
import { IsaSchema, parseIsa, type Isa, type IsaInput } from './schema.js';
import { DEFAULT_ROLES } from '../roles/roles.js';

const NOW = '2026-11-22T10:00:00Z';
function isaWith(change: (isa: IsaInput) => void): Isa {
  const draft = structuredClone(exampleIsa) as IsaInput;
  change(draft);
  return IsaSchema.parse(draft);
}
const codes = (isa: Isa, now = NOW): IsaIssueCode[] => checkIsa(isa, now, { roles: DEFAULT_ROLES }).map((i) => i.code);

describe('example ISA', () => {
  it('covers the synthetic locality of 8 organisations and passes its own checks', () => {
    expect(exampleIsa.parties).toHaveLength(8);
    expect(EXAMPLE_ORGANISATIONS.filter((o) => o.kind === 'gp-practice')).toHaveLength(4);
    expect(new Set(exampleIsa.parties.map((p) => p.kind))).toEqual(new Set(['gp-practice', 'acute-trust', 'mental-health-trust', 'community-services', 'local-authority']));
    expect(checkIsa(exampleIsa, NOW, { roles: DEFAULT_ROLES })).toEqual([]);
  });
});

describe('parseIsa [REQ-GOV-001]', () => {
  it('names the bad field', () => {
    const draft = structuredClone(exampleIsa) as Record<string, unknown> & { parties: Array<Record<string, unknown>> };
    draft.parties[2]!.ods = 'not an ods';
    draft.reviewDate = '31/12/2027';
    const result = parseIsa(draft);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['isa.parties[2].ods', 'isa.reviewDate']));
      expect(result.issues.every((i) => i.message.startsWith(i.path))).toBe(true);
    }
  });
  it('rejects an unknown heading', () => {
    const draft = structuredClone(exampleIsa) as unknown as { sharing: Array<{ headings: string[] }> };
    draft.sharing[0]!.headings.push('gossip');
    const result = parseIsa(draft);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.path).toMatch(/^isa\.sharing\[0\]\.headings\[\d+\]$/);
  });
});

describe('checkIsa [REQ-GOV-003]', () => {
  it.each<[string, (isa: IsaInput) => void, IsaIssueCode, 'error' | 'warning', string]>([
    ['a heading shared with no legal basis', (i) => { i.sharing[0]!.legalBases = []; }, 'sharing-without-legal-basis', 'error', 'sharing[0].legalBases'],
    ['a legal basis that is not defined', (i) => { i.sharing[1]!.legalBases = ['consent']; }, 'sharing-unknown-legal-basis', 'error', 'sharing[1].legalBases[0]'],
    ['a party sharing but not active', (i) => { i.parties[5]!.status = 'signed'; }, 'sharing-party-not-active', 'warning', 'sharing[2].from[0]'],
    ['a source that is not a party', (i) => { i.sharing[0]!.from.push('Z99999'); }, 'sharing-unknown-party', 'error', 'sharing[0].from[4]'],
    ['a sharing rule for an undefined purpose', (i) => { i.sharing[3]!.purposes = ['marketing']; }, 'sharing-unknown-purpose', 'error', 'sharing[3].purposes[0]'],
    ['a sharing rule with no recipients', (i) => { i.sharing[4]!.to = []; }, 'sharing-no-recipients', 'error', 'sharing[4].to'],
    ['a recipient role the locality does not have', (i) => { i.sharing[0]!.to[1]!.roles = ['porter']; }, 'sharing-unknown-role', 'error', 'sharing[0].to[1].roles[0]'],
    ['review date passed', (i) => { i.reviewDate = '2026-06-30'; }, 'review-date-passed', 'warning', 'reviewDate'],
    ['agreement expired', (i) => { i.validTo = '2026-11-01'; }, 'agreement-expired', 'error', 'validTo'],
    ['agreement not yet in force', (i) => { i.validFrom = '2027-01-01'; }, 'agreement-not-yet-valid', 'warning', 'validFrom'],
    ['end before start', (i) => { i.validTo = '2025-01-01'; }, 'valid-to-before-valid-from', 'error', 'validTo'],
    [
      'a purpose outside direct care with no opt-out handling',
      (i) => { i.purposes.push({ id: 'planning', title: 'Planning', description: 'Service planning.', direct: false, purposesOfUse: ['HOPERAT'], optOut: 'local-objection' }); },
      'indirect-purpose-without-opt-out', 'error', 'purposes[1].optOut',
    ],
    ['direct care without Article 9(2)(h)', (i) => { i.legalBases = i.legalBases.filter((b) => b.kind !== 'uk-gdpr-9-2-h'); i.sharing.forEach((r) => { r.legalBases = r.legalBases.filter((b) => b !== 'art-9-2-h'); }); }, 'no-direct-care-basis', 'error', 'purposes[0]'],
    ['direct care with no way to object', (i) => { i.purposes[0]!.optOut = 'none'; }, 'direct-purpose-without-objection', 'warning', 'purposes[0].optOut'],
    ['an active party that never signed', (i) => { delete i.parties[0]!.signatory; }, 'active-party-not-signed', 'error', 'parties[0].signatory'],
    ['a party listed twice', (i) => { i.parties.push({ ...i.parties[0]! }); }, 'duplicate-party', 'error', 'parties[8].ods'],
    ['two sharing rules with the same id', (i) => { i.sharing[1]!.id = i.sharing[0]!.id; }, 'duplicate-id', 'error', 'sharing[1].id'],
    ['an active party that shares nothing', (i) => { i.sharing = i.sharing.filter((r) => r.id !== 'community-services-record'); }, 'party-shares-nothing', 'warning', 'parties[6]'],
    ['practice activation with a practice not yet activated', (i) => { i.consentModel = { kind: 'practice-activation' }; delete i.parties[1]!.activation; }, 'active-party-without-activation', 'warning', 'parties[1].activation'],
    ['activation in the future', (i) => { i.parties[3]!.activation = { at: '2027-01-01T00:00:00Z', by: 'x' }; }, 'activation-in-future', 'warning', 'parties[3].activation.at'],
    ['audit log kept under 3 years', (i) => { i.retention.auditLogYears = 2; }, 'audit-retention-short', 'warning', 'retention.auditLogYears'],
    ['breach reporting slower than 72 hours', (i) => { i.breachNotificationHours = 96; }, 'breach-notification-late', 'warning', 'breachNotificationHours'],
    ['no security measures', (i) => { i.security.measures = []; }, 'no-security-measures', 'error', 'security.measures'],
    ['no party active', (i) => { i.parties.forEach((p) => { p.status = 'signed'; }); }, 'no-active-parties', 'warning', 'parties'],
  ])('finds %s', (_name, change, code, severity, path) => {
    const issues = checkIsa(isaWith(change), NOW, { roles: DEFAULT_ROLES });
    const issue = issues.find((i) => i.code === code);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue).toMatchObject({ severity, path });
    expect(issue!.message.startsWith(`${path}: `)).toBe(true);
  });

  it('depends on the date given, not the clock', () => {
    expect(codes(exampleIsa, '2029-06-01T00:00:00Z')).toEqual(expect.arrayContaining(['agreement-expired', 'review-date-passed']));
    expect(codes(exampleIsa, NOW)).toEqual([]);
  });
});

describe('renderIsa [REQ-GOV-002]', () => {
  const md = renderIsa(exampleIsa, 'markdown');
  const html = renderIsa(exampleIsa, 'html');

  it('names every party, purpose, legal basis and shared heading in plain English', () => {
    for (const party of exampleIsa.parties) {
      expect(md).toContain(party.name);
      expect(html).toContain(escapeHtml(party.name));
    }
    expect(md).toContain('Article 6(1)(e)');
    expect(md).toContain('Article 9(2)(h)');
    expect(md).toContain('implied consent');
    expect(md).toContain('section 251B');
    expect(md).toContain('research');
    expect(md).toContain('National Data Opt-out does not apply to sharing for direct care');
    expect(md).toContain('within 72 hours');
    expect(md).toContain('kept for 8 years');
    expect(md).toContain('1 January 2026');
    for (const heading of ['medications', 'allergies and adverse reactions', 'social care involvement', 'care team and gp; alerts'])
      expect(md.toLowerCase()).toContain(heading);
    expect(md).toContain('## 12. Signatures');
  });

  it('describes the consent model the ISA names', () => {
    expect(md).toContain('unless you tell us you object');
    const explicit = renderIsa(isaWith((i) => { i.consentModel = { kind: 'explicit-share' }; }), 'markdown');
    expect(explicit).toContain('share out');
    expect(explicit).not.toContain('unless you tell us you object');
  });

  it('uses no legal jargon a partner must look up', () => {
    for (const word of ['heretofore', 'whereas', 'notwithstanding', 'hereinafter']) expect(md.toLowerCase()).not.toContain(word);
  });

  it('escapes HTML in every field: no injected markup survives', () => {
    const evil = isaWith((i) => {
      i.parties[0]!.name = '<script>alert("x")</script> & Partners';
      i.title = 'ISA <b>bold</b>';
      i.termination = '"><img src=x onerror=alert(1)>';
      i.security.measures.push("O'Brien's <iframe>");
    });
    const out = renderIsa(evil, 'html');
    expect(out).not.toMatch(/<script|<img|<iframe|<b>/);
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Partners');
    expect(out).toContain('O&#39;Brien&#39;s &lt;iframe&gt;');
    expect(out.match(/<table>/g)?.length).toBe(out.match(/<\/table>/g)?.length);
    expect(out).toContain('<th scope="col">');
  });

  it('escapes Markdown so field text cannot add links, HTML or table cells', () => {
    const evil = isaWith((i) => {
      i.parties[0]!.name = 'Evil | [click](http://x) <b>';
    });
    const out = renderIsa(evil, 'markdown');
    expect(out).toContain('Evil \\| \\[click\\](http://x) \\<b\\>');
    const row = out.split('\n').find((l) => l.startsWith('| Evil'))!;
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(6);
    expect(escapeMarkdown('# heading')).toBe('\\# heading');
  });

  it('lists the headings by their registry titles only', () => {
    const titles = HEADINGS.map((h) => h.title.toLowerCase());
    expect(titles.some((t) => md.toLowerCase().includes(t))).toBe(true);
  });
});
