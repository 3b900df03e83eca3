import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ingestor, type IngestorOptions } from '../ingest/ingestor.js';
import { MemoryStore } from '../ingest/memory.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/hl7/', import.meta.url));

/**
 * The shared HL7 corpus (test input only, never copied): `../shared/testdata/hl7-corpus` beside the repository, as
 * CI has it, else `/work/shared/testdata/hl7-corpus` on the development machine; undefined when neither exists.
 */
export const CORPUS_DIR: string | undefined = [fileURLToPath(new URL('../../../../../shared/testdata/hl7-corpus', import.meta.url)), '/work/shared/testdata/hl7-corpus'].find((p) => existsSync(p));

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.hl7')).sort();
}

/** A fresh in-memory store and an ingestor with a fixed clock and counting ids, so output is reproducible. */
export function harness(options: Partial<IngestorOptions> = {}) {
  const store = new MemoryStore();
  let n = 0;
  let t = Date.UTC(2026, 0, 20, 12, 0, 0);
  const ingestor = new Ingestor({
    sink: store,
    lookup: store,
    now: () => new Date((t += 1000)),
    newId: () => `id-${String(++n).padStart(4, '0')}`,
    ...options,
  });
  return { store, ingestor };
}
