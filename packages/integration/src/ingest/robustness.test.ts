import { parseResource } from '@openidcr/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MllpClient } from '../mllp/client.js';
import { createMllpServer, ingestHandler } from '../mllp/server.js';
import { fixture, fixtureNames, harness } from '../test-support/harness.js';

const msa = (ack: string | undefined) => /MSA\|(\w+)/.exec(ack ?? '')?.[1];

describe('malformed input gets AR/AE, never a crash [REQ-INT-003, REQ-SEC-002]', () => {
  const cases: [string, string | Buffer][] = [
    ['truncated', fixture('oru-r01.hl7').slice(0, 70)],
    ['broken MSH-2', fixture('adt-a04.hl7').replace('MSH|^~\\&|', 'MSH|^~&|')],
    ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['missing MSH', fixture('adt-a04.hl7').split('\r').slice(1).join('\r')],
    ['empty', ''],
    ['only a BOM and framing', '\uFEFF\x0b\x1c\r'],
    ['MSH without fields', 'MSH'],
    ['segment id too short', 'MSH|^~\\&|A|B|C|D|20260101||ADT^A04|1|P|2.4\rP|1'],
  ];
  for (const [name, input] of cases) {
    it(name, async () => {
      const { ingestor, store } = harness();
      const results = await ingestor.ingest(input);
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        expect(['rejected', 'error']).toContain(r.outcome);
        expect(['AR', 'AE', 'CR', 'CE']).toContain(msa(r.ack));
        expect(r.problems[0]?.message.length).toBeGreaterThan(5);
      }
      expect(store.deadLetters.length).toBe(results.length);
      expect(store.resources.size).toBe(0);
    });
  }

  it('a 10 MB message is taken in whole, and a larger MLLP frame gets AR while other connections are served', { timeout: 60_000 }, async () => {
    const { ingestor, store } = harness();
    const big = fixture('mdm-t02.hl7').replace('Diagnosis: NSTEMI.', 'x'.repeat(10 * 1024 * 1024));
    const [r] = await ingestor.ingest(big);
    expect(r!.outcome).toBe('accepted');
    const server = createMllpServer({ handler: ingestHandler(ingestor), maxMessageBytes: 10 * 1024 * 1024 });
    const { port } = await server.listen(0);
    const sender = new MllpClient({ port, ackTimeoutMs: 30_000, attempts: 1 });
    const other = new MllpClient({ port, attempts: 1 });
    const tooBig = sender.send(big.replace('x', 'xx'.repeat(512 * 1024)));
    const meanwhile = await other.send(fixture('adt-a04.hl7'));
    expect(msa(meanwhile)).toBe('AA');
    expect(msa(await tooBig)).toBe('AR');
    expect(store.messages).toHaveLength(2);
    sender.close();
    other.close();
    await server.close();
  });
});

/** One edit to a message: the kinds of damage feeds really do (cut, spliced, doubled, re-delimited, re-encoded). */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', 'A', '1', ' ', '"', '\x0b', '\x1c', 'é', '\u0000'), maxLength: 6 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.constantFrom('|', '^', '~', '\\', '&', '\r', 'X', '9', '\u00ff') }),
  fc.record({ kind: fc.constant('duplicate-segment' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop-segment' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, m: Mutation): string {
  const at = (n: number) => n % Math.max(1, text.length);
  const segments = text.split('\r');
  const seg = (n: number) => n % Math.max(1, segments.length);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'replace':
      return text.slice(0, at(m.at)) + m.char + text.slice(at(m.at) + 1);
    case 'duplicate-segment':
      return [...segments.slice(0, seg(m.at) + 1), segments[seg(m.at)], ...segments.slice(seg(m.at) + 1)].join('\r');
    case 'drop-segment':
      return segments.filter((_, i) => i !== seg(m.at)).join('\r');
  }
}

describe('property: mutated messages [REQ-INT-003]', () => {
  const names = fixtureNames();
  it('never throw; always answer; what is accepted is valid FHIR', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (name, mutations) => {
        const { ingestor, store } = harness();
        const text = mutations.reduce(mutate, fixture(name));
        const results = await ingestor.ingest(text);
        expect(results.length).toBeGreaterThan(0);
        for (const r of results) {
          expect(['accepted', 'duplicate', 'rejected', 'error']).toContain(r.outcome);
          if (r.outcome === 'rejected' || r.outcome === 'error') expect(r.problems.length).toBeGreaterThan(0);
          // adt-a01 asks for enhanced acknowledgement, where no ACK is a legal answer; everything else gets one.
          if (!text.includes('|AL|NE')) expect(r.ack).toMatch(/^MSH/);
        }
        for (const { resource } of store.resources.values()) {
          const parsed = parseResource(resource);
          expect(parsed.ok ? [] : parsed.issues).toEqual([]);
        }
      }),
      { numRuns: 300, seed: 20260122 },
    );
  }, 60_000);
});
