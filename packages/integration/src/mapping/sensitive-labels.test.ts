import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';

/** #17 item 3 at ingest: a hospital DG1 coded in ICD-10 (or Read) earns the security label of its category. */
describe('sensitive categories label items at ingest, by terminology [#17 item 3]', () => {
  it('ICD-10 B20 (HIV) and O04 (medical abortion), Read A788. and a SNOMED CT descendant from hospital DG1s carry their labels', async () => {
    const { store, ingestor } = harness();
    const [result] = await ingestor.ingest(
      [
        'MSH|^~\\&|PAS|RAE|IDCR|LOC|20260110093000||ADT^A31|S1|P|2.4',
        'EVN|A31|20260110093000',
        'PID|1||9990000018^^^NHS^NH||JONES^Sarah||19600312|F',
        'DG1|1||B20.1^HIV disease resulting in other bacterial infections^I10||20260110',
        'DG1|2||O04.9^Medical abortion, complete or unspecified, without complication^I10||20260110',
        'DG1|3||A7881^Asymptomatic HIV infection^READ||20260110',
        'DG1|4||62479008^Acquired immune deficiency syndrome^SCT||20260110',
        'DG1|5||E11.9^Type 2 diabetes mellitus without complications^I10||20260110',
      ].join('\r') + '\r',
      'acute-pas',
    );
    expect(result?.outcome).toBe('accepted');
    const labels = Object.fromEntries(
      [...store.resources.values()]
        .map((r) => r.resource as { resourceType: string; code?: { coding?: { code?: string }[] }; meta?: { security?: { code: string }[] } })
        .filter((r) => r.resourceType === 'Condition')
        .map((r) => [r.code!.coding![0]!.code, (r.meta?.security ?? []).map((s) => s.code)]),
    );
    expect(labels).toEqual({ 'B20.1': ['HIV'], 'O04.9': ['SEX'], A7881: ['HIV'], '62479008': ['HIV'], 'E11.9': [] });
  });
});
