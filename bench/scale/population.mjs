// The synthetic population of the scale benchmark: a locality from @openidcr/synthetic, and its patients as the
// items of a store initial load (reference data, then each person's MPI entry and resources), generated in a worker
// thread so that generating the next block overlaps loading this one.
import { Worker } from 'node:worker_threads';
import { ODS_CODE_SYSTEM } from '@openidcr/model';
import { EXAMPLE_ORGANISATIONS, exampleIsa } from '@openidcr/governance';
import { generateLocality, MAX_PATIENTS } from '@openidcr/synthetic';

export const SEED = 42;
export { MAX_PATIENTS };

/** The patient key of the synthetic patient with this index. */
export const keyOf = (index) => `person-${index}`;

/** Synthetic sources say `urn:ods:<ODS>:<system>`; governance reads `<ODS system>|<ODS>` (as the architecture bench does). */
export function normalise(resource) {
  const match = /^urn:ods:([A-Z0-9]{3,6})(?::|$)/.exec(resource.meta?.source ?? '');
  if (match) resource.meta.source = `${ODS_CODE_SYSTEM}|${match[1]}`;
  if (resource.resourceType === 'Patient') {
    for (const gp of resource.generalPractitioner ?? []) {
      const ods = /^Organization\/org-([A-Z0-9]{3,6})$/.exec(gp.reference ?? '')?.[1];
      if (ods) gp.identifier = { system: ODS_CODE_SYSTEM, value: ods };
    }
  }
  return resource;
}

/** The master patient index entry of a synthetic Patient. */
export function personOf(key, nhsNumber, patient) {
  const name = patient.name?.[0] ?? {};
  const demographics = {};
  if (name.family) demographics.family = name.family;
  if (name.given?.length) demographics.given = name.given.join(' ');
  if (patient.birthDate) demographics.birthDate = patient.birthDate;
  if (patient.gender) demographics.gender = patient.gender;
  const postcode = patient.address?.find((a) => a.postalCode)?.postalCode;
  if (postcode) demographics.postcode = postcode;
  return { personId: key, nhsNumber, demographics, localIds: [], status: 'confirmed' };
}

/** The locality, its ISA re-keyed to the synthetic ODS codes, and its GP practices. */
export function scaleLocality() {
  const locality = generateLocality({ seed: SEED });
  const odsMap = new Map(EXAMPLE_ORGANISATIONS.map((org, i) => [org.ods, locality.organisations[i].ods]));
  const isa = JSON.parse(JSON.stringify(exampleIsa), (key, value) => (typeof value === 'string' && odsMap.has(value) ? odsMap.get(value) : value));
  const gps = locality.organisations.filter((o) => o.kind === 'gp-practice');
  return { locality, isa, gps };
}

/**
 * Patients `from` to `to - 1` as initial-load items, in order: every organisation and practitioner first (when
 * `from` is 0), then per person their MPI entry and resources. Blocks come from a worker thread.
 */
export async function* populationItems(from, to, { blockSize = 250, workers = 3 } = {}) {
  if (from === 0) {
    const { locality } = scaleLocality();
    for (const o of locality.organisations) yield { resource: normalise(structuredClone(o.resource)) };
    for (const u of locality.users) yield { resource: normalise(structuredClone(u.practitioner)) };
  }
  // Blocks are made by `workers` threads, each with at most two blocks asked for or waiting here, so generating
  // overlaps loading and memory stays flat however far generation runs ahead.
  const pool = Array.from({ length: workers }, () => new Worker(new URL('./generate-worker.mjs', import.meta.url), { workerData: { seed: SEED } }));
  const blocks = [];
  let waiting;
  let failed;
  let asked = from;
  const ask = (worker) => {
    if (asked >= to) return;
    const count = Math.min(blockSize, to - asked);
    worker.postMessage({ start: asked, count });
    asked += count;
  };
  for (const worker of pool) {
    worker.on('message', (block) => {
      blocks.push({ ...block, worker });
      waiting?.();
    });
    worker.on('error', (error) => {
      failed = error;
      waiting?.();
    });
    ask(worker);
    ask(worker);
  }
  try {
    for (let done = from; done < to; ) {
      while (blocks.length === 0 && !failed) await new Promise((resolve) => (waiting = resolve));
      if (failed) throw failed;
      const block = blocks.shift();
      ask(block.worker);
      for (const item of block.items) yield item;
      done += block.count;
    }
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}
