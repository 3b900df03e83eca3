// Child process for the crash-safety test: opens the store, starts a large batch and, once every row is written
// but before COMMIT, says so on stdout and waits to be killed. Runs the TypeScript sources (node --import ./ts-register.mjs).
import { createRecordStore, migrate, openDb } from '../src/index.ts';

const [url, schema, count, tag] = process.argv.slice(2);
const db = await openDb(url, { schema });
const store = createRecordStore(db, await migrate(db), {
  beforeCommit: async () => {
    process.stdout.write('BEFORE_COMMIT\n');
    await new Promise(() => undefined);
  },
});
const resources = Array.from({ length: Number(count) }, (_, i) => ({
  patientKey: `${tag}-p${i % 50}`,
  resource: {
    resourceType: 'Observation',
    id: `${tag}-o${i}`,
    status: 'final',
    code: { text: 'Haemoglobin' },
    effectiveDateTime: '2024-01-01',
    valueQuantity: { value: i, unit: 'g/L' },
  },
}));
await store.applyBatch({
  message: {
    sender: `${tag}-LAB`,
    controlId: 'CRASH1',
    contentHash: `${tag}-hash`,
    messageType: 'ORU^R01',
    receivedAt: new Date().toISOString(),
    raw: 'MSH|...',
    ack: 'MSA|AA|CRASH1',
    outcome: 'accepted',
  },
  resources,
  identity: [{ kind: 'upsert-person', person: { personId: `${tag}-p0`, demographics: {}, status: 'confirmed' } }],
});
process.stdout.write('COMMITTED\n');
