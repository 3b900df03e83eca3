import { describe, expect, it } from 'vitest';
import { fixture, harness } from '../test-support/harness.js';
import { createHl7HttpHandler } from './hl7-endpoint.js';

describe('POST /integration/hl7 handler [REQ-INT-001]', () => {
  it('answers with the ACK and a status per outcome', async () => {
    const { store, ingestor } = harness();
    const handle = createHl7HttpHandler(ingestor);
    const ok = await handle(fixture('adt-a04.hl7'));
    expect(ok.status).toBe(200);
    expect(ok.ack).toMatch(/\rMSA\|AA\|PAS000104\r/);
    const batch = await handle(`FHS|^~\\&|PAS\rBHS|^~\\&|PAS\r${fixture('adt-a01.hl7')}${fixture('adt-a02.hl7')}BTS|2\rFTS|1\r`);
    expect(batch.status).toBe(200);
    expect(batch.ack.match(/MSA\|/g)).toHaveLength(2);
    expect((await handle('not hl7 at all')).status).toBe(400);
    expect((await handle(fixture('adt-a04.hl7').replace('19851105', '1985-11-05'))).status).toBe(422);
    store.failNext = 1;
    expect((await handle(fixture('adt-a05.hl7'))).status).toBe(503);
  });
});
