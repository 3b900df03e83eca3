import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store.js';

describe('PGlite folders [REQ-ARC-004]', () => {
  const root = mkdtempSync(join(tmpdir(), 'idcr-pglite-dirs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates the data folder and its parents on first open, as on a fresh checkout (pglite:./data/idcr)', async () => {
    const dir = join(root, 'data', 'idcr');
    expect(existsSync(join(root, 'data'))).toBe(false);
    const store = await openStore(`pglite:${dir}`);
    try {
      expect(existsSync(dir)).toBe(true);
      expect(store.engine).toBe('pglite');
    } finally {
      await store.close();
    }
  });
});
