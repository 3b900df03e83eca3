import { operationOutcome, type OperationOutcome } from '@openidcr/model';
import type { z } from 'zod';

type IssueCode = 'invalid' | 'required' | 'value' | 'not-found' | 'login' | 'forbidden' | 'conflict' | 'exception' | 'not-supported' | 'too-long';

/** An error the caller can cause or must be told about, answered as a FHIR OperationOutcome with this HTTP status. */
export class CitizenProblem extends Error {
  readonly status: number;
  readonly code: IssueCode;
  /** The request field at fault (`statements[1]`, `cursor`, `organisation`), when there is one. */
  readonly field: string | undefined;
  constructor(status: number, code: IssueCode, message: string, field?: string) {
    super(message);
    this.name = 'CitizenProblem';
    this.status = status;
    this.code = code;
    this.field = field;
  }

  get outcome(): OperationOutcome {
    return operationOutcome(this.status >= 500 ? 'fatal' : 'error', this.code, this.message, this.field);
  }
}

function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  return out;
}

/** A 400 for the first zod issue, naming the field: `statements[1]: Too big: expected string to have <=200 characters`. */
export function badRequest(error: z.ZodError, prefix?: string): CitizenProblem {
  const issue = error.issues[0];
  const path = issue ? [...(prefix ? [prefix] : []), ...issue.path] : prefix ? [prefix] : [];
  let field = fieldOf(path);
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    field = fieldOf([...path, issue.keys[0] ?? '']);
    message = `not a parameter this request takes (${issue.keys.join(', ')})`;
  }
  return new CitizenProblem(400, issue?.code === 'invalid_type' && issue.input === undefined ? 'required' : 'invalid', `${field || '(body)'}: ${message}`, field || undefined);
}
