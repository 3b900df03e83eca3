import type { z } from 'zod';
import { ResourceSchemas, isResourceType, type Resource, type ResourceOf, type ResourceType } from './registry.js';
import type { OperationOutcome } from './resources.js';

/** The OperationOutcome issue codes the model produces. */
export type ModelIssueCode = 'structure' | 'required' | 'value' | 'invariant' | 'not-supported';

/** One problem with a resource, located with a FHIRPath-like expression (`Patient.name[0].family`). */
export interface ModelIssue {
  code: ModelIssueCode;
  location: string;
  message: string;
}

/** The result of parsing: the typed resource, or every issue found. */
export type ParseResult<T = Resource> = { ok: true; resource: T } | { ok: false; issues: ModelIssue[] };

function formatPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  let out = root;
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  return out;
}

function issueFrom(root: string, issue: z.core.$ZodIssue, value: unknown): ModelIssue {
  const location = formatPath(root, issue.path);
  let actual: unknown = value;
  for (const segment of issue.path) actual = actual === null || typeof actual !== 'object' ? undefined : (actual as Record<PropertyKey, unknown>)[segment];
  if (issue.code !== 'custom' && actual === undefined && issue.path.length > 0) return { code: 'required', location, message: 'is required' };
  if (issue.code === 'invalid_type') return { code: 'structure', location, message: `expected ${issue.expected}, found ${describe(actual)}` };
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((v) => String(v)).join(', ');
    return { code: 'value', location, message: `${JSON.stringify(actual)} is not one of: ${allowed}` };
  }
  if (issue.code === 'custom' && issue.message.startsWith('is required')) return { code: 'required', location, message: issue.message };
  if (issue.code === 'custom') return { code: 'invariant', location, message: issue.message };
  return { code: 'value', location, message: issue.message };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Parses unknown JSON into a typed FHIR resource of a type the model knows. On failure, returns every issue with a
 * FHIRPath-like location, e.g. `Patient.birthDate: expected YYYY-MM-DD (or YYYY-MM, YYYY)`. Resources inside a
 * Bundle are checked too (`Bundle.entry[2].resource.status: is required`). Elements the model does not name are kept.
 */
export function parseResource(json: unknown): ParseResult {
  return parseAt(json, undefined);
}

/** Like `parseResource`, but the resource must be of the given type. */
export function parseResourceOf<K extends ResourceType>(type: K, json: unknown): ParseResult<ResourceOf<K>> {
  return parseAt(json, type) as ParseResult<ResourceOf<K>>;
}

function parseAt(json: unknown, expected: ResourceType | undefined, prefix?: string): ParseResult {
  const at = (location: string) => (prefix ? `${prefix}${location ? `.${location}` : ''}` : location);
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, issues: [{ code: 'structure', location: at('') || '(root)', message: `expected a JSON object, found ${describe(json)}` }] };
  const resourceType = (json as { resourceType?: unknown }).resourceType;
  if (resourceType === undefined)
    return { ok: false, issues: [{ code: 'required', location: at('resourceType'), message: 'is required' }] };
  if (!isResourceType(resourceType))
    return {
      ok: false,
      issues: [{ code: 'not-supported', location: at('resourceType'), message: `unsupported resource type ${JSON.stringify(resourceType)}` }],
    };
  if (expected && resourceType !== expected)
    return { ok: false, issues: [{ code: 'value', location: at('resourceType'), message: `expected ${expected}, found ${resourceType}` }] };

  const schema = ResourceSchemas[resourceType] as z.ZodType;
  const root = prefix ?? resourceType;
  const result = schema.safeParse(json);
  const issues: ModelIssue[] = result.success ? [] : result.error.issues.map((issue) => issueFrom(root, issue, json));

  if (resourceType === 'Bundle') {
    const entries = (json as { entry?: unknown }).entry;
    if (Array.isArray(entries)) {
      entries.forEach((entry, index) => {
        const inner = (entry as { resource?: unknown } | null)?.resource;
        if (inner === undefined || inner === null || typeof inner !== 'object') return;
        const nested = parseAt(inner, undefined, `${root}.entry[${index}].resource`);
        if (!nested.ok) issues.push(...nested.issues.filter((i) => !issues.some((j) => j.location === i.location && j.message === i.message)));
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, resource: (result as { data: Resource }).data };
}

/** Parses a resource, throwing a `ModelValidationError` listing every issue. For trusted code paths and tests. */
export function assertResource(json: unknown): Resource {
  const result = parseResource(json);
  if (!result.ok) throw new ModelValidationError(result.issues);
  return result.resource;
}

/** An error carrying the model issues, for callers that prefer exceptions. */
export class ModelValidationError extends Error {
  readonly issues: ModelIssue[];
  constructor(issues: ModelIssue[]) {
    super(issues.map((i) => `${i.location}: ${i.message}`).join('; '));
    this.name = 'ModelValidationError';
    this.issues = issues;
  }
}

/** Turns model issues into a FHIR OperationOutcome (severity error, FHIRPath `expression` per issue). */
export function issuesToOperationOutcome(issues: readonly ModelIssue[]): OperationOutcome {
  const list = issues.length > 0 ? issues : [{ code: 'structure' as const, location: '(root)', message: 'invalid resource' }];
  return {
    resourceType: 'OperationOutcome',
    issue: list.map((issue) => ({
      severity: 'error' as const,
      code: issue.code,
      diagnostics: `${issue.location}: ${issue.message}`,
      expression: [issue.location],
    })),
  } as OperationOutcome;
}

/** Builds a one-issue OperationOutcome, e.g. for API errors. */
export function operationOutcome(
  severity: 'fatal' | 'error' | 'warning' | 'information',
  code: string,
  diagnostics: string,
  expression?: string,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity, code, diagnostics, ...(expression ? { expression: [expression] } : {}) }],
  } as OperationOutcome;
}
