// Worker thread of the scale benchmark: generates blocks of synthetic patients as initial-load items.
import { parentPort, workerData } from 'node:worker_threads';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import { keyOf, normalise, personOf } from './population.mjs';

const locality = generateLocality({ seed: workerData.seed });
parentPort.on('message', ({ start, count }) => {
  const items = [];
  for (const record of generatePatients({ seed: workerData.seed, patients: count, offset: start }, locality)) {
    const key = keyOf(record.index);
    items.push({ person: personOf(key, record.nhsNumber, record.patient) });
    for (const resource of record.resources) items.push({ patientKey: key, resource: normalise(resource) });
  }
  parentPort.postMessage({ start, count, items });
});
