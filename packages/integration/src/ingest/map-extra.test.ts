import { describe, expect, it } from 'vitest';
import { parseResource } from '@openidcr/model';
import { businessError, Hl7ErrorCodes } from '../hl7/problems.js';
import { stableId, type MappedResource, type MappingContext } from '../mapping/context.js';
import { ShippedProfiles } from '../profiles/shipped.js';
import { fixture, harness } from '../test-support/harness.js';
import type { Channel } from './ingestor.js';

/** A sender's Z-segment: ZAL|1|<alert text> becomes an alert Flag. */
function zal(ctx: MappingContext): MappedResource[] {
  return ctx.message.all('ZAL').map((segment, i) => {
    const text = segment.text(2);
    if (!text) ctx.problems.push(businessError('zal-empty', 'ZAL.2: alert text is required', Hl7ErrorCodes.requiredFieldMissing, { segment: 'ZAL', sequence: i + 1, field: 2 }));
    return { resourceType: 'Flag', id: stableId('zal', ctx, ctx.patientSourceKey, segment.text(1)), status: 'active', code: { text }, subject: { reference: `Patient/${ctx.personId}` } };
  });
}

const channel = (mapExtra: Channel['mapExtra']): Channel => ({ name: 'pas-with-z', profile: ShippedProfiles['acute-pas'], mapExtra });

describe('a channel maps its sender\'s own segments (mapExtra) [REQ-INT-007]', () => {
  it('adds the extra resources to the same batch, with the source, provenance and a stable id', async () => {
    const { store, ingestor } = harness();
    const message = `${fixture('adt-a01.hl7').trimEnd()}\rZAL|1|Violent when intoxicated: attend in pairs\r`;
    const [result] = await ingestor.ingest(message, channel(zal));
    expect(result).toMatchObject({ outcome: 'accepted', ackCode: 'CA' }) // the fixture asks for enhanced (commit) acknowledgements;
    const stored = [...store.resources.values()].map((r) => r.resource);
    const flag = stored.find((r) => r.resourceType === 'Flag')!;
    expect(flag).toMatchObject({ code: { text: 'Violent when intoxicated: attend in pairs' }, subject: { reference: `Patient/${result!.personId}` }, meta: { source: expect.stringContaining('RAE') } });
    expect(parseResource(flag).ok).toBe(true);
    const provenance = stored.find((r) => r.resourceType === 'Provenance') as unknown as { target: Array<{ reference: string }> };
    expect(provenance.target).toContainEqual({ reference: `Flag/${flag.id}` });
    // The same message again (resent) is a duplicate; an update with the same set id replaces the flag.
    await ingestor.ingest(message.replace('PAS000101', 'PAS000199'), channel(zal));
    expect([...store.resources.values()].filter((r) => r.resource.resourceType === 'Flag')).toHaveLength(1);
  });

  it('a problem it reports makes the message an error (CE here, AE in original mode) and dead-letters it, naming the field; nothing is stored', async () => {
    const { store, ingestor } = harness();
    const [result] = await ingestor.ingest(`${fixture('adt-a01.hl7').trimEnd()}\rZAL|1|\r`, channel(zal));
    expect(result).toMatchObject({ outcome: 'error', ackCode: 'CE' });
    expect(result!.ack).toContain('ZAL.2: alert text is required');
    expect(store.deadLetters).toHaveLength(1);
    expect(store.resources.size).toBe(0);
  });

  it('a throw is a mapping bug: an error and a dead letter for replay, the ingestor keeps running', async () => {
    const { store, ingestor } = harness();
    const [result] = await ingestor.ingest(fixture('adt-a01.hl7'), channel(() => { throw new Error('boom'); }));
    expect(result).toMatchObject({ outcome: 'error', ackCode: 'CE' });
    expect(result!.problems[0]!.message).toContain('boom');
    expect(store.deadLetters).toHaveLength(1);
    const [next] = await ingestor.ingest(fixture('adt-a01.hl7'), channel(zal));
    expect(next!.outcome).toBe('accepted');
  });

  it('is configured by name like any channel', async () => {
    const { store, ingestor } = harness({ channels: { 'pas-with-z': channel(zal) } });
    await ingestor.ingest(`${fixture('adt-a01.hl7').trimEnd()}\rZAL|1|Uses a hearing aid\r`, 'pas-with-z');
    expect([...store.resources.values()].some((r) => r.resource.resourceType === 'Flag')).toBe(true);
  });
});
