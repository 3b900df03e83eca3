import type { Response } from 'express';

/** Answer with a FHIR OperationOutcome naming what is wrong (and, when known, where: `expression`). */
export function problem(res: Response, status: number, code: string, diagnostics: string, expression?: string) {
  return res.status(status).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) }] });
}
