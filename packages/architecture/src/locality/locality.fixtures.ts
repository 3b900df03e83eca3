import { EXAMPLE_ORGANISATIONS, exampleIsa } from '@openidcr/governance';
import type { LocalityInput } from './locality.js';

/** The synthetic Northshire locality with demo users, for tests and examples. */
export function northshire(overrides: Partial<LocalityInput> = {}): LocalityInput {
  return {
    name: 'Northshire',
    organisations: EXAMPLE_ORGANISATIONS.map((org) => ({ ...org, stage: 'live' as const })),
    isa: exampleIsa,
    auth: {
      mode: 'dev',
      users: [
        { id: 'dr-gp', name: 'Dr Asha Patel', role: 'gp', organisation: 'Y90001', sdsRoleCode: 'S8000:G8000:R8000' },
        { id: 'dr-hosp', name: 'Dr Ben Okafor', role: 'hospital-clinician', organisation: 'X9A', sdsRoleCode: 'S8000:G8000:R8000' },
        { id: 'pharm', name: 'Priya Shah', role: 'pharmacist', organisation: 'X9A', sdsRoleCode: 'R1290' },
        { id: 'privacy', name: 'Pat Lee', role: 'privacy-officer', organisation: 'X9A', sdsRoleCode: 'R0001' },
        { id: 'citizen-1', name: 'John Smith', role: 'citizen', nhsNumber: '9434765919' },
      ],
    },
    storage: { url: 'pglite:memory' },
    ports: { http: 0 },
    ...overrides,
  };
}
