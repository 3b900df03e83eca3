import type { ApplyResult, IngestBatch } from '@openidcr/model';
import { describe, expect, it } from 'vitest';
import { sourceProfile } from '../profiles/profile.js';
import { fixture, harness } from '../test-support/harness.js';
import { MemoryStore } from './memory.js';

const encounterOf = (store: MemoryStore) => [...store.resources.values()].map((r) => r.resource).find((r) => r.resourceType === 'Encounter')!;

describe('durable ingest [REQ-INT-002, REQ-INT-004]', () => {
  it('acknowledges AA only after the sink committed', async () => {
    const events: string[] = [];
    const store = new MemoryStore();
    const slow = {
      applyBatch: async (b: IngestBatch): Promise<ApplyResult> => {
        await new Promise((r) => setTimeout(r, 20));
        const r = await store.applyBatch(b);
        events.push('committed');
        return r;
      },
      recordDeadLetter: store.recordDeadLetter.bind(store),
    };
    const { ingestor } = harness({ sink: slow, lookup: store });
    const [result] = await ingestor.ingest(fixture('adt-a04.hl7'));
    events.push(`ack ${result!.ackCode}`);
    expect(events).toEqual(['committed', 'ack AA']);
  });

  it('a sink failure is AR (resend), not AA, and leaves nothing behind', async () => {
    const { store, ingestor } = harness();
    store.failNext = 1;
    const [failed] = await ingestor.ingest(fixture('adt-a04.hl7'));
    expect(failed).toMatchObject({ outcome: 'rejected', ackCode: 'AR', transient: true });
    expect(failed!.ack).toContain('ERR|');
    expect(store.resources.size).toBe(0);
    expect(store.deadLetters).toHaveLength(0);
    const [again] = await ingestor.ingest(fixture('adt-a04.hl7'));
    expect(again!.outcome).toBe('accepted');
  });

  it('a duplicate (sender + MSH-10 + content) gets the original ACK and changes nothing', async () => {
    const { store, ingestor } = harness();
    const [first] = await ingestor.ingest(fixture('oru-r01.hl7'), 'lims');
    const before = new Map([...store.resources].map(([k, v]) => [k, v.version]));
    // The same message over another transport: LF endings and MLLP framing do not make it different.
    const [dup] = await ingestor.ingest(`\x0b${fixture('oru-r01.hl7').replaceAll('\r', '\n')}\x1c\r`, 'lims');
    expect(dup!.outcome).toBe('duplicate');
    expect(dup!.ack).toBe(first!.ack);
    expect(store.messages).toHaveLength(1);
    expect(new Map([...store.resources].map(([k, v]) => [k, v.version]))).toEqual(before);
  });

  it('the same control id with different content is a new message, flagged', async () => {
    const { store, ingestor } = harness();
    await ingestor.ingest(fixture('adt-a01.hl7'));
    const changed = fixture('adt-a08.hl7').replace('PAS000108', 'PAS000101');
    const [second] = await ingestor.ingest(changed);
    expect(second!.outcome).toBe('accepted');
    expect(second!.warnings).toContain('control-id-reused: this sender used the same MSH-10 for different content; stored as a new message');
    expect(store.messages).toHaveLength(2);
  });

  it('a stale update (older EVN-2) does not overwrite newer data', async () => {
    const { store, ingestor } = harness();
    await ingestor.ingest(fixture('adt-a03.hl7'));
    expect(encounterOf(store).status).toBe('finished');
    const [late] = await ingestor.ingest(fixture('adt-a08.hl7'));
    expect(late!.outcome).toBe('accepted');
    expect(late!.resourcesSkippedAsStale).toBeGreaterThan(0);
    expect(encounterOf(store).status).toBe('finished');
  });

  it('admit, transfer, discharge and cancel replace one Encounter, never duplicate it', async () => {
    const { store, ingestor } = harness();
    for (const f of ['adt-a01.hl7', 'adt-a02.hl7']) await ingestor.ingest(fixture(f));
    const transferred = encounterOf(store) as unknown as { location: { location: { display: string }; status: string }[] };
    expect(transferred.location).toMatchObject([
      { location: { display: 'WARD 7 BED 12 (RAE01)', reference: expect.stringMatching(/^Location\//) }, status: 'completed' },
      { location: { display: 'CCU BED 3 (RAE01)', reference: expect.stringMatching(/^Location\//) }, status: 'active' },
    ]);
    await ingestor.ingest(fixture('adt-a03.hl7'));
    expect(encounterOf(store)).toMatchObject({ status: 'finished', period: { start: '2026-01-10T09:00:00Z', end: '2026-01-15T10:45:00Z' } });
    await ingestor.ingest(fixture('adt-a13.hl7'));
    expect(encounterOf(store)).toMatchObject({ status: 'in-progress' });
    expect((encounterOf(store) as unknown as { period: object }).period).toEqual({ start: '2026-01-10T09:00:00Z' });
    expect([...store.resources.values()].filter((r) => r.resource.resourceType === 'Encounter')).toHaveLength(1);
    const { store: s2, ingestor: i2 } = harness();
    await i2.ingest(fixture('adt-a04.hl7'));
    await i2.ingest(fixture('adt-a11.hl7'));
    expect(encounterOf(s2).status).toBe('cancelled');
  });

  it('unparseable → AR, business error → AE, both dead-lettered with the raw message and the reason', async () => {
    const { store, ingestor } = harness();
    const broken = 'MSH|^~\\\\&|PAS|RAE|X|Y|20260101||ADT^A01|B1|P|2.4\rPID|1';
    const [ar] = await ingestor.ingest(broken);
    expect(ar).toMatchObject({ outcome: 'rejected', ackCode: 'AR', controlId: 'B1' });
    const badDate = fixture('adt-a04.hl7').replace('19851105', 'Nov 5 1985');
    const [ae] = await ingestor.ingest(badDate);
    expect(ae).toMatchObject({ outcome: 'error', ackCode: 'AE' });
    expect(ae!.ack).toMatch(/\rERR\|PID\^1\^7\^102&PID.7: "Nov 5 1985" is not an HL7 date&HL70357\r/);
    expect(store.deadLetters.map((d) => [d.raw, d.error])).toEqual([
      [broken, expect.stringMatching(/^MSH\.2: encoding characters/)],
      [badDate, 'PID.7: "Nov 5 1985" is not an HL7 date'],
    ]);
    expect(store.messages).toHaveLength(0);
  });

  it('an ACK sent as a message and a truncated message are rejected with a reason', async () => {
    const { ingestor } = harness();
    const [ack] = await ingestor.ingest('MSH|^~\\&|X|Y|A|B|20260101||ACK^A01|1|P|2.4\rMSA|AA|9');
    expect(ack!.problems[0]!.message).toBe('MSH.9: ACK^A01 is an acknowledgement, not a message to store');
    const a01 = fixture('adt-a01.hl7');
    const [cut] = await ingestor.ingest(a01.slice(0, a01.indexOf('PID|') - 5));
    expect(cut).toMatchObject({ outcome: 'rejected', ackCode: 'CR' });
    expect(cut!.problems[0]!.message).toBe('PID: required segment missing from ADT^A01 (truncated message?)');
    // A sender declaring the NHS ITK profile (MSH-21) promises PV1: an A08 cut off inside PID is caught.
    const itk = fixture('adt-a08.hl7').replace('|P|2.4', '|P|2.4|||||||||iTKv1.0');
    const [itkCut] = await ingestor.ingest(itk.slice(0, itk.indexOf('PID|') + 60));
    expect(itkCut!.problems[0]!.message).toBe('PV1: required segment missing from ADT^A08 (required by the declared profile iTKv1.0; truncated message?)');
    // Without a declared profile an A08 without PV1 is thin, not broken: accepted.
    const [thin] = await ingestor.ingest(fixture('adt-a08.hl7').split('\r').filter((l) => !l.startsWith('PV1')).join('\r'));
    expect(thin!.outcome).toBe('accepted');
  });

  it('replays dead letters once the profile is fixed', async () => {
    const strict = sourceProfile({ id: 'pas', name: 'PAS', kind: 'acute', odsCode: 'RAE', processingIds: ['P'] });
    const { store, ingestor } = harness({ channels: { pas: strict } });
    const [first] = await ingestor.ingest(fixture('adt-a04.hl7').replace('|P|2.4', '|T|2.4'), 'pas');
    expect(first!.outcome).toBe('rejected');
    const fixed = sourceProfile({ id: 'pas', name: 'PAS', kind: 'acute', odsCode: 'RAE', processingIds: ['P', 'T'] });
    const replayed = await ingestor.replay(store.deadLetters, { name: 'pas', profile: fixed });
    expect(replayed.map((r) => r.outcome)).toEqual(['accepted']);
  });

  it('a message without MSH-10 is accepted, logged under a content key, and deduplicated by content', async () => {
    const { store, ingestor } = harness();
    const text = fixture('adt-a04.hl7').replace('|PAS000104|', '||');
    const [first] = await ingestor.ingest(text);
    expect(first!.warnings).toContain('MSH.10: no message control id; duplicates are recognised by content only');
    expect(store.messages[0]!.controlId).toMatch(/^no-msh10-[0-9a-f]{16}$/);
    const [again] = await ingestor.ingest(text);
    expect(again!.outcome).toBe('duplicate');
  });

  it('unmapped message types are logged and acknowledged, nothing mapped', async () => {
    const { store, ingestor } = harness();
    const [r] = await ingestor.ingest('MSH|^~\\&|X|RAE|A|B|20260101||QBP^Q11^QBP_Q11|Q1|P|2.5.1\rQPD|Q|1');
    expect(r).toMatchObject({ outcome: 'accepted', ackCode: 'AA' });
    expect(r!.warnings).toContain('no mapping for QBP^Q11: message logged and acknowledged, nothing mapped');
    expect(store.messages).toHaveLength(1);
    const strict = harness({ channels: { s: sourceProfile({ id: 's', name: 'S', kind: 'acute', unmappedMessages: 'reject' }) } });
    const [rej] = await strict.ingestor.ingest('MSH|^~\\&|X|RAE|A|B|20260101||QBP^Q11^QBP_Q11|Q1|P|2.5.1\rQPD|Q|1', 's');
    expect(rej).toMatchObject({ outcome: 'rejected', ackCode: 'AR' });
  });

  it('keeps per-patient order under concurrency', async () => {
    const store = new MemoryStore();
    const applied: string[] = [];
    let calls = 0;
    const jittery = {
      applyBatch: async (b: IngestBatch) => {
        // Later messages commit faster: without ordering, the admit would land last.
        await new Promise((r) => setTimeout(r, 30 - (calls++ % 3) * 10));
        applied.push(b.message.controlId);
        return store.applyBatch(b);
      },
      recordDeadLetter: store.recordDeadLetter.bind(store),
    };
    const { ingestor } = harness({ sink: jittery, lookup: store });
    const text = ['adt-a01.hl7', 'adt-a04.hl7', 'adt-a02.hl7', 'adt-a11.hl7', 'adt-a03.hl7'].map(fixture).join('');
    const results = await ingestor.ingest(text);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    const sarah = applied.filter((c) => ['PAS000101', 'PAS000102', 'PAS000103'].includes(c));
    expect(sarah).toEqual(['PAS000101', 'PAS000102', 'PAS000103']);
    expect(applied.indexOf('PAS000104')).toBeLessThan(applied.indexOf('PAS000111'));
    expect(store.persons.size).toBe(2);
  });

  it('A40 merges the prior person into the survivor, and the merge can be undone', async () => {
    const { store, ingestor } = harness();
    const lucie = fixture('adt-a04.hl7').replace('H100002^^^RAE^MR||PATEL^Arjun^^^Mr||19851105|M', 'H100011^^^RAE^MR||GREEN^Lucie^^^Ms||19900101|F');
    await ingestor.ingest(lucie);
    const lucy = fixture('adt-a05.hl7').replace('9990001383^^^NHS^NH~H100003', '9990004129^^^NHS^NH~H100010').replace('WILLIAMS^Margaret^^^Mrs||19420718', 'GREEN^Lucy^^^Ms||19900101');
    await ingestor.ingest(lucy);
    const [merged, survivor] = [...store.persons.keys()];
    expect(store.resourcesOf(merged!).map((r) => r.resourceType).sort()).toEqual(['Encounter', 'Patient', 'Provenance']);
    const [r] = await ingestor.ingest(fixture('adt-a40.hl7'));
    expect(r!.outcome).toBe('accepted');
    expect(store.persons.get(merged!)?.mergedInto).toBe(survivor);
    expect(store.resourcesOf(merged!)).toHaveLength(0);
    expect(store.resourcesOf(survivor!).filter((x) => x.resourceType === 'Encounter')).toHaveLength(2);
    // A later message with the old hospital number lands on the survivor.
    const [later] = await ingestor.ingest(lucie.replace('PAS000104', 'PAS000199'));
    expect(later!.personId).toBe(survivor);
    await ingestor.undoMerge(survivor!, merged!, 'merged in error');
    expect(store.persons.get(merged!)?.mergedInto).toBeUndefined();
    expect(store.resourcesOf(merged!).map((x) => x.resourceType).sort()).toEqual(['Encounter', 'Patient', 'Provenance']);
  });

  it('a decided merge (the MPI review queue) is the same identity change as an A40, logged as MPI^MERGE', async () => {
    const { store, ingestor } = harness();
    const lucie = fixture('adt-a04.hl7').replace('H100002^^^RAE^MR||PATEL^Arjun^^^Mr||19851105|M', 'H100011^^^RAE^MR||GREEN^Lucie^^^Ms||19900101|F');
    await ingestor.ingest(lucie);
    const lucy = fixture('adt-a05.hl7').replace('9990001383^^^NHS^NH~H100003', '9990004129^^^NHS^NH~H100010').replace('WILLIAMS^Margaret^^^Mrs||19420718', 'GREEN^Lucy^^^Ms||19900101');
    await ingestor.ingest(lucy);
    const [merged, survivor] = [...store.persons.keys()];
    await ingestor.merge(survivor!, merged!, 'review queue: same person');
    expect(store.messages.at(-1)).toMatchObject({ sender: 'openidcr-mpi', messageType: 'MPI^MERGE', patientKey: survivor });
    expect(store.persons.get(merged!)?.mergedInto).toBe(survivor);
    expect(store.resourcesOf(merged!)).toHaveLength(0);
    expect(store.resourcesOf(survivor!).filter((x) => x.resourceType === 'Encounter')).toHaveLength(2);
    await ingestor.undoMerge(survivor!, merged!, 'not the same person');
    expect(store.messages.at(-1)).toMatchObject({ messageType: 'MPI^UNMERGE', patientKey: merged });
    expect(store.persons.get(merged!)?.mergedInto).toBeUndefined();
    expect(store.resourcesOf(merged!).map((x) => x.resourceType).sort()).toEqual(['Encounter', 'Patient', 'Provenance']);
  });
});
