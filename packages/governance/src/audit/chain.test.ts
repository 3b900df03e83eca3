import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha256Hex, sha256HexPortable } from './sha256.js';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, chainAuditEvent, hashAuditEvent, verifyChain } from './chain.js';
import { auditEventFor, type ChainedAuditEvent } from './event.js';
import { InMemoryAuditStore, auditForPatient, auditForUser, recordDecision, verifyStore } from './store.js';
import { decide } from '../decision/decide.js';
import { request, USERS, PERSON } from '../decision/scenarios.fixtures.js';
import { requestBreakGlass } from '../break-glass/break-glass.js';

describe.each([
  ['sha256Hex (native on Node)', sha256Hex],
  ['sha256HexPortable (plain TypeScript, for browsers)', sha256HexPortable],
])('%s', (_name, sha256Hex) => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto for any text, including non-ASCII and block-boundary lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff })), { maxLength: 150 }).map((cps) => String.fromCodePoint(...cps)), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 200 },
    );
    for (const n of [55, 56, 63, 64, 65, 119, 120, 128]) expect(sha256Hex('x'.repeat(n))).toBe(createHash('sha256').update('x'.repeat(n)).digest('hex'));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
  });
  it('is the same for the same data whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson({ f: () => 1 })).toThrow();
  });
});

async function sampleChain(): Promise<ChainedAuditEvent[]> {
  const store = new InMemoryAuditStore();
  const bg = requestBreakGlass({ id: 'bg-9', userId: USERS.ae.id, personId: PERSON, organisation: USERS.ae.organisation.ods, reasonCode: 'emergency-care', reasonText: 'Collapsed in the waiting room, no history', now: '2026-11-22T09:00:00Z' });
  if (!bg.ok) throw new Error('grant');
  const decisions = [
    decide(request(USERS.gpA)),
    decide(request(USERS.ae, { relationships: [] })),
    decide(request(USERS.ae, { relationships: [], breakGlass: bg.grant }, 'BTG')),
    decide(request(USERS.hospitalPharmacist)),
    decide(request(USERS.socialWorker)),
  ];
  for (const [i, decision] of decisions.entries())
    await recordDecision(store, decision, { id: `audit-${i}`, action: i % 2 ? 'read' : 'search', query: `GET /Patient/${PERSON}/$everything`, withheld: [{ reason: 'sensitive', count: i }] });
  return store.read();
}

/** Every leaf path of a JSON value, e.g. ['user', 'organisation']. */
function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

function tamper(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 0 ? value.slice(0, -1) + (value.endsWith('x') ? 'y' : 'x') : 'x';
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [...value, 'extra'];
  if (value && typeof value === 'object') return { ...value, extra: 1 };
  return 'was-null';
}

function setPath(target: Record<string, unknown>, path: (string | number)[], change: (old: unknown) => unknown): void {
  let node: Record<string | number, unknown> = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  node[last] = change(node[last]);
}

describe('audit hash chain [REQ-GOV-015]', () => {
  it('an untouched chain verifies', async () => {
    const chain = await sampleChain();
    expect(chain).toHaveLength(5);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    expect(verifyChain(chain)).toEqual({ ok: true, length: 5 });
    expect(verifyChain([])).toEqual({ ok: true, length: 0 });
  });

  it('survives a round trip through JSON with keys reordered (as a JSONB column returns them)', async () => {
    const chain = await sampleChain();
    const shuffled = chain.map((e) => JSON.parse(canonicalJson(Object.fromEntries(Object.entries(e).reverse()))) as ChainedAuditEvent);
    expect(verifyChain(shuffled).ok).toBe(true);
  });

  it('tampering with any field of any row is detected at that row', async () => {
    const chain = await sampleChain();
    let checked = 0;
    for (let row = 0; row < chain.length; row++) {
      const paths = leafPaths(chain[row]);
      expect(paths.length).toBeGreaterThan(15);
      for (const path of paths) {
        const copy = structuredClone(chain);
        setPath(copy[row] as unknown as Record<string, unknown>, path, tamper);
        const result = verifyChain(copy);
        expect(result.ok, `row ${row} field ${path.join('.')}`).toBe(false);
        if (!result.ok) {
          expect(result.index).toBe(row);
          expect(result.found).not.toBe(result.expected);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('adding or removing a field is detected', async () => {
    const chain = await sampleChain();
    const added = structuredClone(chain);
    (added[2] as unknown as Record<string, unknown>).note = 'inserted later';
    expect(verifyChain(added)).toMatchObject({ ok: false, index: 2, field: 'hash' });
    const removed = structuredClone(chain);
    delete (removed[3] as unknown as Record<string, unknown>).breakGlass;
    delete (removed[3] as Partial<ChainedAuditEvent>).query;
    expect(verifyChain(removed)).toMatchObject({ ok: false, index: 3, field: 'hash' });
  });

  it('a row changed and re-hashed breaks the link to the next row', async () => {
    const chain = await sampleChain();
    const copy = structuredClone(chain);
    copy[1]!.user.name = 'Someone Else';
    copy[1]!.hash = hashAuditEvent(copy[1]!.prevHash, copy[1]!);
    expect(verifyChain(copy)).toMatchObject({ ok: false, index: 2, field: 'prevHash', expected: copy[1]!.hash, found: chain[1]!.hash });
  });

  it('deleting, reordering or inserting rows is detected', async () => {
    const chain = await sampleChain();
    expect(verifyChain([chain[0]!, chain[2]!, chain[3]!, chain[4]!])).toMatchObject({ ok: false, index: 1, field: 'seq' });
    expect(verifyChain([chain[1]!, chain[0]!, ...chain.slice(2)])).toMatchObject({ ok: false, index: 0, field: 'seq' });
    const forged = chainAuditEvent({ ...chain[0]!, id: 'forged' }, chain[0]);
    expect(verifyChain([chain[0]!, forged, ...chain.slice(1)])).toMatchObject({ ok: false, index: 2 });
    // Truncating the tail cannot be seen from the rows alone: compare the length and last hash with a published checkpoint.
    expect(verifyChain(chain.slice(0, 3)).ok).toBe(true);
  });

  it('hashAuditEvent is pure: a store computing it itself gets the same hashes', async () => {
    const chain = await sampleChain();
    for (const event of chain) expect(hashAuditEvent(event.prevHash, event)).toBe(event.hash);
    const other = new InMemoryAuditStore();
    for (const event of chain) {
      const { seq: _s, prevHash: _p, hash: _h, ...plain } = event;
      await other.append(plain, hashAuditEvent);
    }
    expect((await other.read()).map((e) => e.hash)).toEqual(chain.map((e) => e.hash));
  });
});

describe('audit store queries', () => {
  it('finds events by patient and by user, in order, and verifies the stored chain', async () => {
    const store = new InMemoryAuditStore();
    await recordDecision(store, decide(request(USERS.gpA)), { id: 'a1' });
    await recordDecision(store, decide(request(USERS.ae, { patient: { personId: 'person-2' } })), { id: 'a2' });
    await recordDecision(store, decide(request(USERS.ae)), { id: 'a3' });
    expect((await auditForPatient(store, PERSON)).map((e) => e.id)).toEqual(['a1', 'a3']);
    expect((await auditForUser(store, USERS.ae.id)).map((e) => e.id)).toEqual(['a2', 'a3']);
    expect((await auditForUser(store, USERS.ae.id, { limit: 1 })).map((e) => e.id)).toEqual(['a2']);
    expect((await store.read({ from: '2026-11-23T00:00:00Z' }))).toEqual([]);
    expect((await store.last())?.id).toBe('a3');
    expect(await verifyStore(store)).toEqual({ ok: true, length: 3 });
  });

  it('returns copies, so a caller cannot change the stored chain', async () => {
    const store = new InMemoryAuditStore();
    const appended = await recordDecision(store, decide(request(USERS.gpA)), { id: 'a1' });
    appended.user.name = 'changed';
    (await store.read())[0]!.outcome = 'deny';
    expect(await verifyStore(store)).toEqual({ ok: true, length: 1 });
  });

  it('one event per decision, permitted or denied, with the data categories disclosed [REQ-GOV-014]', () => {
    const permit = auditEventFor(decide(request(USERS.hospitalPharmacist)), { id: 'x' });
    expect(permit).toMatchObject({ outcome: 'permit', personId: PERSON, purposeOfUse: 'TREAT', flagged: false, headings: ['demographics', 'problems', 'medications', 'allergies', 'results'] });
    expect(permit.user).toMatchObject({ id: USERS.hospitalPharmacist.id, roleId: 'pharmacist', organisation: 'X9A' });
    const deny = auditEventFor(decide(request(USERS.ae, { relationships: [] })), { id: 'y' });
    expect(deny).toMatchObject({ outcome: 'deny', headings: [], sources: [], reasons: ['no-legitimate-relationship'] });
  });
});

describe('parseAuditEvents', () => {
  it('accepts stored rows as they are and keeps unknown members, so tampering still shows', async () => {
    const chain = await sampleChain();
    const json = JSON.parse(JSON.stringify(chain));
    json[1].injected = 'x';
    const parsed = (await import('./parse.js')).parseAuditEvents(json);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(verifyChain(parsed.events)).toMatchObject({ ok: false, index: 1, field: 'hash' });
  });
  it('names the bad field of a malformed row', async () => {
    const chain = await sampleChain();
    const json = JSON.parse(JSON.stringify(chain));
    delete json[2].hash;
    json[3].outcome = 'maybe';
    const parsed = (await import('./parse.js')).parseAuditEvents(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues).toEqual(expect.arrayContaining([expect.stringMatching(/^events\.2\.hash/), expect.stringMatching(/^events\.3\.outcome/)]));
  });
});
